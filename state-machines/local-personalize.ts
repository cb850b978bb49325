/**
 * The Personalize SDK tasks of the definition, answered by the local ranker with the same response shapes and status
 * values: an import job reads the cluster-level CSV, a solution version trains the local ranker on the last import,
 * a campaign deploys a version. Everything is already ACTIVE when described, so each bounded poll passes at once.
 * https://docs.aws.amazon.com/personalize/latest/dg/API_Operations.html
 */
import { AppError, NotFoundError, ValidationError } from '../core/errors';
import { readInteractionRows } from '../core/interactions';
import type { InteractionRow } from '../core/interactions';
import type { ObjectStore } from '../core/ports/object-store';
import type { RankerModel } from '../core/local/ranker-model-file';
import { trainLocalRanker } from '../core/local/ranker-training';
import { ALREADY_EXISTS } from './personalize-steps';
import { keyOfS3Uri } from './local-s3-uri';

type Json = Record<string, unknown>;

/** Errors the definition's Catch and Retry match by name, e.g. `Personalize.ResourceAlreadyExistsException`. */
export class PersonalizeServiceError extends AppError {
  constructor(readonly errorName: string, message: string) {
    super(message);
    this.name = errorName;
  }
}

export interface LocalPersonalizeDeps {
  readonly store: ObjectStore;
  readonly seed: number;
  /** Each trained version: the runner saves it with the generation. */
  readonly onTrained: (model: RankerModel, rows: number) => Promise<void>;
}

const ARN = 'arn:aws:personalize:local:000000000000';

export function createLocalPersonalize(deps: LocalPersonalizeDeps): Record<string, (params: Json) => Promise<Json>> {
  const imports = new Map<string, InteractionRow[]>();
  let lastImport: InteractionRow[] | undefined;
  const solutions = new Set<string>();
  const versions = new Map<string, string>();
  const campaigns = new Map<string, string>();
  let tracker: { arn: string; trackingId: string; name: string } | undefined;
  let sequence = 0;

  return {
    async createDatasetImportJob(params) {
      const key = keyOfS3Uri((params.DataSource as { DataLocation?: string } | undefined)?.DataLocation, 'DataSource.DataLocation');
      const rows: InteractionRow[] = [];
      for await (const row of readInteractionRows(deps.store.readLines(key))) rows.push(row);
      if (rows.length === 0) throw new PersonalizeServiceError('Personalize.InvalidInputException', `the import file ${key} has no interactions`);
      const arn = `${ARN}:dataset-import-job/${String(params.JobName)}`;
      imports.set(arn, rows);
      // FULL import mode: the dataset's bulk interactions become exactly this file's.
      lastImport = rows;
      return { DatasetImportJobArn: arn };
    },
    async describeDatasetImportJob(params) {
      const arn = String(params.DatasetImportJobArn);
      if (!imports.has(arn)) throw new PersonalizeServiceError('Personalize.ResourceNotFoundException', `no dataset import job ${arn}`);
      return { DatasetImportJob: { DatasetImportJobArn: arn, Status: 'ACTIVE' } };
    },
    async listEventTrackers() {
      return { EventTrackers: tracker ? [{ EventTrackerArn: tracker.arn, Name: tracker.name, Status: 'ACTIVE' }] : [] };
    },
    async createEventTracker(params) {
      const name = String(params.Name);
      tracker = { arn: `${ARN}:event-tracker/${name}`, trackingId: `local-${name}`, name };
      return { EventTrackerArn: tracker.arn, TrackingId: tracker.trackingId };
    },
    async describeEventTracker(params) {
      if (!tracker || tracker.arn !== params.EventTrackerArn) throw new PersonalizeServiceError('Personalize.ResourceNotFoundException', `no event tracker ${String(params.EventTrackerArn)}`);
      return { EventTracker: { EventTrackerArn: tracker.arn, TrackingId: tracker.trackingId, Status: 'ACTIVE' } };
    },
    async createSolution(params) {
      const arn = `arn:aws:personalize:us-east-1:123456789012:solution/${String(params.Name)}`;
      if (solutions.has(arn)) throw new PersonalizeServiceError(ALREADY_EXISTS, `solution ${arn} already exists`);
      solutions.add(arn);
      return { SolutionArn: arn };
    },
    async createSolutionVersion(params) {
      if (!lastImport) throw new PersonalizeServiceError('Personalize.ResourceNotFoundException', 'the dataset has no interactions: no import job ran');
      const model = trainLocalRanker(lastImport, { seed: deps.seed });
      await deps.onTrained(model, lastImport.length);
      const arn = `${String(params.SolutionArn)}/${(++sequence).toString(16).padStart(8, '0')}`;
      versions.set(arn, model.version);
      return { SolutionVersionArn: arn };
    },
    async describeSolutionVersion(params) {
      const arn = String(params.SolutionVersionArn);
      if (!versions.has(arn)) throw new PersonalizeServiceError('Personalize.ResourceNotFoundException', `no solution version ${arn}`);
      return { SolutionVersion: { SolutionVersionArn: arn, Status: 'ACTIVE' } };
    },
    async createCampaign(params) {
      const arn = `arn:aws:personalize:us-east-1:123456789012:campaign/${String(params.Name)}`;
      if (campaigns.has(arn)) throw new PersonalizeServiceError(ALREADY_EXISTS, `campaign ${arn} already exists`);
      campaigns.set(arn, requireVersion(versions, params.SolutionVersionArn));
      return { CampaignArn: arn };
    },
    async updateCampaign(params) {
      const arn = String(params.CampaignArn);
      if (!campaigns.has(arn)) throw new PersonalizeServiceError('Personalize.ResourceNotFoundException', `no campaign ${arn}`);
      campaigns.set(arn, requireVersion(versions, params.SolutionVersionArn));
      return { CampaignArn: arn };
    },
    async describeCampaign(params) {
      const arn = String(params.CampaignArn);
      const version = campaigns.get(arn);
      if (version === undefined) throw new PersonalizeServiceError('Personalize.ResourceNotFoundException', `no campaign ${arn}`);
      return { Campaign: { CampaignArn: arn, SolutionVersionArn: version, Status: 'ACTIVE' } };
    },
  };
}

function requireVersion(versions: ReadonlyMap<string, string>, arn: unknown): string {
  if (typeof arn !== 'string') throw new ValidationError('SolutionVersionArn is required', { field: 'SolutionVersionArn' });
  if (!versions.has(arn)) throw new NotFoundError(`no solution version ${arn}`);
  return arn;
}
