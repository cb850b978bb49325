/**
 * Deletes what the retraining pipeline created in a Personalize dataset group, in the order Personalize accepts:
 * campaigns before solutions (a campaign deploys one of the solution's versions), event trackers alongside. Shared by
 * the stack's teardown custom resource (tasks/teardown.ts) and the operator's `teardown` (core/aws/aws-teardown-plan.ts).
 * Never throws half-way: what could not be deleted is returned with the reason.
 */
import type { PersonalizeAdmin } from './ports/personalize-admin';

/** ARNs to delete, by kind. */
export interface PersonalizeTargets {
  readonly campaigns: readonly string[];
  readonly solutions: readonly string[];
  readonly eventTrackers: readonly string[];
}

export interface PersonalizeDeletion {
  readonly deleted: { readonly campaigns: string[]; readonly solutions: string[]; readonly eventTrackers: string[] };
  readonly left: { readonly arn: string; readonly reason: string }[];
}

export const SOLUTION_KEPT_FOR_CAMPAIGN = 'not attempted: a campaign that may use its versions was not deleted';

export async function deletePersonalizeResources(personalize: PersonalizeAdmin, targets: PersonalizeTargets): Promise<PersonalizeDeletion> {
  const deleted = { campaigns: [] as string[], solutions: [] as string[], eventTrackers: [] as string[] };
  const left: { arn: string; reason: string }[] = [];
  const attempt = async (arn: string, action: () => Promise<void>, done: string[]): Promise<boolean> => {
    try {
      await action();
      done.push(arn);
      return true;
    } catch (error) {
      left.push({ arn, reason: error instanceof Error ? error.message : String(error) });
      return false;
    }
  };
  const models = async (): Promise<void> => {
    let campaignsGone = true;
    for (const arn of targets.campaigns) {
      if (!(await attempt(arn, () => personalize.deleteCampaign(arn), deleted.campaigns))) campaignsGone = false;
    }
    for (const arn of targets.solutions) {
      if (!campaignsGone) left.push({ arn, reason: SOLUTION_KEPT_FOR_CAMPAIGN });
      else await attempt(arn, () => personalize.deleteSolution(arn), deleted.solutions);
    }
  };
  const eventTrackers = async (): Promise<void> => {
    for (const arn of targets.eventTrackers) await attempt(arn, () => personalize.deleteEventTracker(arn), deleted.eventTrackers);
  };
  // Campaign deletes take minutes; the trackers go meanwhile.
  await Promise.all([models(), eventTrackers()]);
  return { deleted, left };
}
