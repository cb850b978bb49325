/**
 * What the retraining pipeline creates in a Personalize dataset group outside CloudFormation (campaigns, solutions with
 * their versions, the event tracker), listed and deleted so the dataset group CloudFormation owns can go too: Personalize
 * refuses to delete a dataset group that still holds any of them.
 */

export interface PersonalizeResource {
  readonly arn: string;
  readonly name: string;
  /** As Personalize reports it, e.g. ACTIVE, CREATE IN_PROGRESS, DELETE PENDING. */
  readonly status: string;
}

export interface PersonalizeSolution extends PersonalizeResource {
  /** Deleting the solution deletes these with it. */
  readonly versions: readonly PersonalizeResource[];
}

export interface PersonalizeInventory {
  readonly campaigns: readonly PersonalizeResource[];
  readonly solutions: readonly PersonalizeSolution[];
  readonly eventTrackers: readonly PersonalizeResource[];
}

export interface PersonalizeAdmin {
  /** Every campaign, solution (with versions) and event tracker in the dataset group. */
  listCreated(datasetGroupArn: string): Promise<PersonalizeInventory>;
  /** Resolves once the campaign is gone; a campaign that does not exist counts as deleted. */
  deleteCampaign(campaignArn: string): Promise<void>;
  /** Resolves once the solution and its versions are gone; fails while a campaign still uses one of its versions. */
  deleteSolution(solutionArn: string): Promise<void>;
  /** Resolves once the event tracker is gone; independent of campaigns and solutions. */
  deleteEventTracker(eventTrackerArn: string): Promise<void>;
}
