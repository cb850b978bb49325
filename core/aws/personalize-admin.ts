/**
 * The PersonalizeAdmin port on the Personalize control plane. Deletes are asynchronous (a campaign goes through
 * DELETE PENDING / DELETE IN_PROGRESS for minutes), so each delete polls Describe* until ResourceNotFoundException;
 * a resource still being created or updated answers ResourceInUseException and is retried within the same bound.
 * https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteCampaign.html
 */
import {
  DeleteCampaignCommand, DeleteEventTrackerCommand, DeleteSolutionCommand, DescribeCampaignCommand, DescribeEventTrackerCommand,
  DescribeSolutionCommand, ListCampaignsCommand, ListEventTrackersCommand, ListSolutionsCommand, ListSolutionVersionsCommand,
  PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { AppError, ValidationError } from '../errors';
import type { PersonalizeAdmin, PersonalizeInventory, PersonalizeResource, PersonalizeSolution } from '../ports/personalize-admin';
import { defaultSleep, errorMessage, errorName } from './retry';

export interface PersonalizeAdminProps {
  /** @default new PersonalizeClient({ region }) */
  readonly client?: Pick<PersonalizeClient, 'send'>;
  readonly region?: string;
  /** Between Describe* polls. @default 15000 */
  readonly pollIntervalMs?: number;
  /** Upper bound of one delete's wait; campaign deletes take minutes. @default 600000 */
  readonly maxWaitMs?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

type Kind = 'campaign' | 'solution' | 'event tracker';

export class AwsPersonalizeAdmin implements PersonalizeAdmin {
  private readonly client: Pick<PersonalizeClient, 'send'>;
  private readonly pollIntervalMs: number;
  private readonly maxPolls: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(props: PersonalizeAdminProps = {}) {
    this.client = props.client ?? new PersonalizeClient(props.region !== undefined ? { region: props.region } : {});
    this.pollIntervalMs = positive(props.pollIntervalMs ?? 15_000, 'pollIntervalMs');
    this.maxPolls = Math.max(1, Math.ceil(positive(props.maxWaitMs ?? 600_000, 'maxWaitMs') / this.pollIntervalMs));
    this.sleep = props.sleep ?? defaultSleep;
  }

  async listCreated(datasetGroupArn: string): Promise<PersonalizeInventory> {
    if (typeof datasetGroupArn !== 'string' || !datasetGroupArn.startsWith('arn:')) {
      throw new ValidationError(`datasetGroupArn must be a dataset group ARN, got ${JSON.stringify(datasetGroupArn)}`, { field: 'datasetGroupArn' });
    }
    const summaries = await this.pages(async (nextToken) => {
      const out = await this.client.send(new ListSolutionsCommand({ datasetGroupArn, nextToken }));
      return { items: (out.solutions ?? []).map((s) => resource(s.solutionArn, s.name, s.status)), nextToken: out.nextToken };
    });
    const solutions: PersonalizeSolution[] = [];
    const campaigns: PersonalizeResource[] = [];
    // ListCampaigns has no dataset group filter: the campaigns of the group are those of its solutions.
    for (const solution of summaries) {
      const versions = await this.pages(async (nextToken) => {
        const out = await this.client.send(new ListSolutionVersionsCommand({ solutionArn: solution.arn, nextToken }));
        return { items: (out.solutionVersions ?? []).map((v) => resource(v.solutionVersionArn, v.solutionVersionArn?.split('/').pop(), v.status)), nextToken: out.nextToken };
      });
      solutions.push({ ...solution, versions });
      campaigns.push(...(await this.pages(async (nextToken) => {
        const out = await this.client.send(new ListCampaignsCommand({ solutionArn: solution.arn, nextToken }));
        return { items: (out.campaigns ?? []).map((c) => resource(c.campaignArn, c.name, c.status)), nextToken: out.nextToken };
      })));
    }
    const eventTrackers = await this.pages(async (nextToken) => {
      const out = await this.client.send(new ListEventTrackersCommand({ datasetGroupArn, nextToken }));
      return { items: (out.eventTrackers ?? []).map((t) => resource(t.eventTrackerArn, t.name, t.status)), nextToken: out.nextToken };
    });
    return { campaigns, solutions, eventTrackers };
  }

  deleteCampaign(campaignArn: string): Promise<void> {
    return this.deleteAndWait('campaign', campaignArn,
      () => this.client.send(new DeleteCampaignCommand({ campaignArn })),
      async () => (await this.client.send(new DescribeCampaignCommand({ campaignArn }))).campaign?.status);
  }

  deleteSolution(solutionArn: string): Promise<void> {
    return this.deleteAndWait('solution', solutionArn,
      () => this.client.send(new DeleteSolutionCommand({ solutionArn })),
      async () => (await this.client.send(new DescribeSolutionCommand({ solutionArn }))).solution?.status);
  }

  deleteEventTracker(eventTrackerArn: string): Promise<void> {
    return this.deleteAndWait('event tracker', eventTrackerArn,
      () => this.client.send(new DeleteEventTrackerCommand({ eventTrackerArn })),
      async () => (await this.client.send(new DescribeEventTrackerCommand({ eventTrackerArn }))).eventTracker?.status);
  }

  /** Sends the delete (again while the resource is busy), then polls until Describe says it is gone. */
  private async deleteAndWait(kind: Kind, arn: string, remove: () => Promise<unknown>, describe: () => Promise<string | undefined>): Promise<void> {
    let deleteSent = false;
    let status: string | undefined;
    for (let poll = 0; poll <= this.maxPolls; poll++) {
      if (poll > 0) await this.sleep(this.pollIntervalMs);
      try {
        if (!deleteSent) {
          await remove();
          deleteSent = true;
        }
        status = await describe();
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return;
        // Still being created or updated (or a campaign still holds a version): Personalize accepts the delete later.
        if (errorName(error) === 'ResourceInUseException') {
          status = `in use: ${errorMessage(error)}`;
          continue;
        }
        throw new AppError(`Personalize delete of ${kind} ${arn} failed: ${errorName(error) ?? 'Error'}: ${errorMessage(error)}`, { cause: error });
      }
    }
    throw new AppError(
      `${kind} ${arn} still exists after ${this.maxPolls * this.pollIntervalMs} ms of polling (last status: ${status ?? 'unknown'}); ` +
        'run the teardown again or delete it by hand (docs/aws.md, Tearing down)',
    );
  }

  private async pages<T>(page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken: string | undefined }>): Promise<T[]> {
    const out: T[] = [];
    let nextToken: string | undefined;
    do {
      const result = await page(nextToken);
      out.push(...result.items);
      nextToken = result.nextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return out;
  }
}

function resource(arn: string | undefined, name: string | undefined, status: string | undefined): PersonalizeResource {
  if (arn === undefined) throw new AppError('Personalize listed a resource without an ARN');
  return { arn, name: name ?? arn, status: status ?? 'UNKNOWN' };
}

function positive(value: number, field: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new ValidationError(`${field} must be a number > 0, got ${value}`, { field });
  return value;
}
