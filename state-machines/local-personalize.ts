/**
 * The Personalize SDK tasks of the definition, answered by the local ranker with the same response shapes and status
 * values: an import job reads the cluster-level CSV, a solution version trains the local ranker on the last import
 * and measures it (ranker-offline-metrics.ts, the local GetSolutionMetrics), a campaign deploys a version. Everything
 * is already ACTIVE when described, so each bounded poll passes at once.
 *
 * What Personalize keeps between runs (solutions, versions with their metrics, the campaign, the event tracker) is
 * kept in one JSON file in the state folder, rewritten atomically after each change: a second run finds the solution
 * and campaign ALREADY_EXISTS and updates the campaign, and the quality gate compares with the version it serves, as
 * on AWS. Import jobs stay in memory: a FULL import is only read by the same run's training.
 * https://docs.aws.amazon.com/personalize/latest/dg/API_Operations.html
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-file';
import { AppError, ValidationError } from '../core/errors';
import { readInteractionRows } from '../core/interactions';
import type { InteractionRow } from '../core/interactions';
import type { ObjectStore } from '../core/ports/object-store';
import { rankerOfflineMetrics } from '../core/local/ranker-offline-metrics';
import type { RankerModel } from '../core/local/ranker-model-file';
import { trainLocalRanker } from '../core/local/ranker-training';
import { ALREADY_EXISTS } from './personalize-steps';
import { NOT_FOUND } from './quality-gate-steps';
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
  /** Where solutions, versions, the campaign and the event tracker persist across runs, e.g. `<state>/personalize.json`. */
  readonly stateFile: string;
  /** The run's generation, kept with each version and named in its ARN. @default none: versions are numbered only */
  readonly generation?: () => string | undefined;
  /** Each trained version: the runner saves it with the generation. */
  readonly onTrained: (model: RankerModel, rows: number) => Promise<void>;
}

export interface PersistedVersion {
  readonly rankerVersion: string;
  readonly generation?: string;
  /** Under GetSolutionMetrics' names. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** The content of the state file. */
export interface LocalPersonalizeState {
  readonly format: typeof STATE_FORMAT;
  readonly solutions: string[];
  readonly versions: Record<string, PersistedVersion>;
  /** Campaign ARN -> the solution version it serves. */
  readonly campaigns: Record<string, string>;
  readonly eventTracker: { readonly arn: string; readonly trackingId: string; readonly name: string } | null;
}

const STATE_FORMAT = 'local-personalize-1';
const ARN = 'arn:aws:personalize:local:000000000000';
/** Solution and campaign ARNs as the synthesized stack (account 123456789012, us-east-1) names them in the definition. */
const STACK_ARN = 'arn:aws:personalize:us-east-1:123456789012';

export function createLocalPersonalize(deps: LocalPersonalizeDeps): Record<string, (params: Json) => Promise<Json>> {
  const imports = new Map<string, InteractionRow[]>();
  let lastImport: InteractionRow[] | undefined;
  let loaded: Promise<LocalPersonalizeState> | undefined;
  const state = (): Promise<LocalPersonalizeState> => (loaded ??= readPersonalizeState(deps.stateFile));
  const save = async (next: LocalPersonalizeState): Promise<void> => {
    loaded = Promise.resolve(next);
    await writeFileAtomic(deps.stateFile, `${JSON.stringify(next, null, 2)}\n`);
  };
  const notFound = (what: string): PersonalizeServiceError => new PersonalizeServiceError(NOT_FOUND, `no ${what}`);

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
      if (!imports.has(arn)) throw notFound(`dataset import job ${arn}`);
      return { DatasetImportJob: { DatasetImportJobArn: arn, Status: 'ACTIVE' } };
    },
    async listEventTrackers() {
      const tracker = (await state()).eventTracker;
      return { EventTrackers: tracker ? [{ EventTrackerArn: tracker.arn, Name: tracker.name, Status: 'ACTIVE' }] : [] };
    },
    async createEventTracker(params) {
      const current = await state();
      const name = String(params.Name);
      // One tracker per dataset group, as on AWS.
      if (current.eventTracker) throw new PersonalizeServiceError(ALREADY_EXISTS, `the dataset group already has event tracker ${current.eventTracker.arn}`);
      const eventTracker = { arn: `${ARN}:event-tracker/${name}`, trackingId: `local-${name}`, name };
      await save({ ...current, eventTracker });
      return { EventTrackerArn: eventTracker.arn, TrackingId: eventTracker.trackingId };
    },
    async describeEventTracker(params) {
      const tracker = (await state()).eventTracker;
      if (!tracker || tracker.arn !== params.EventTrackerArn) throw notFound(`event tracker ${String(params.EventTrackerArn)}`);
      return { EventTracker: { EventTrackerArn: tracker.arn, TrackingId: tracker.trackingId, Status: 'ACTIVE' } };
    },
    async createSolution(params) {
      const current = await state();
      const arn = `${STACK_ARN}:solution/${String(params.Name)}`;
      if (current.solutions.includes(arn)) throw new PersonalizeServiceError(ALREADY_EXISTS, `solution ${arn} already exists`);
      await save({ ...current, solutions: [...current.solutions, arn] });
      return { SolutionArn: arn };
    },
    async createSolutionVersion(params) {
      const current = await state();
      const solution = String(params.SolutionArn);
      if (!current.solutions.includes(solution)) throw notFound(`solution ${solution}`);
      if (!lastImport) throw notFound('interactions in the dataset: no import job ran');
      const model = trainLocalRanker(lastImport, { seed: deps.seed });
      const { metrics } = await rankerOfflineMetrics(lastImport, { hyperParameters: { seed: deps.seed } });
      await deps.onTrained(model, lastImport.length);
      const generation = deps.generation?.();
      // Unique across runs: the versions of earlier runs are in the state file.
      const sequence = (Object.keys(current.versions).length + 1).toString(16).padStart(4, '0');
      const arn = `${solution}/${generation ?? 'version'}-${sequence}`;
      const version: PersistedVersion = { rankerVersion: model.version, ...(generation !== undefined && { generation }), metrics };
      await save({ ...current, versions: { ...current.versions, [arn]: version } });
      return { SolutionVersionArn: arn };
    },
    async describeSolutionVersion(params) {
      const arn = String(params.SolutionVersionArn);
      if (!(await state()).versions[arn]) throw notFound(`solution version ${arn}`);
      return { SolutionVersion: { SolutionVersionArn: arn, Status: 'ACTIVE' } };
    },
    async getSolutionMetrics(params) {
      const arn = String(params.SolutionVersionArn);
      const version = (await state()).versions[arn];
      if (!version) throw notFound(`solution version ${arn}`);
      return { SolutionVersionArn: arn, Metrics: { ...version.metrics } };
    },
    async createCampaign(params) {
      const current = await state();
      const arn = `${STACK_ARN}:campaign/${String(params.Name)}`;
      if (current.campaigns[arn] !== undefined) throw new PersonalizeServiceError(ALREADY_EXISTS, `campaign ${arn} already exists`);
      await save({ ...current, campaigns: { ...current.campaigns, [arn]: requireVersion(current, params.SolutionVersionArn) } });
      return { CampaignArn: arn };
    },
    async updateCampaign(params) {
      const current = await state();
      const arn = String(params.CampaignArn);
      if (current.campaigns[arn] === undefined) throw notFound(`campaign ${arn}`);
      await save({ ...current, campaigns: { ...current.campaigns, [arn]: requireVersion(current, params.SolutionVersionArn) } });
      return { CampaignArn: arn };
    },
    async describeCampaign(params) {
      const arn = String(params.CampaignArn);
      const version = (await state()).campaigns[arn];
      if (version === undefined) throw notFound(`campaign ${arn}`);
      return { Campaign: { CampaignArn: arn, SolutionVersionArn: version, Status: 'ACTIVE' } };
    },
  };
}

/** The persisted state; a missing file is a fresh dataset group. A file that is not one is an error, not a reset. */
export async function readPersonalizeState(path: string): Promise<LocalPersonalizeState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { format: STATE_FORMAT, solutions: [], versions: {}, campaigns: {}, eventTracker: null };
    throw error;
  }
  const invalid = (why: string): ValidationError =>
    new ValidationError(`${path} is not the local Personalize state (${why}): restore it, or delete it to start over with no solution and no campaign`, { field: 'personalizeState' });
  let value: Partial<LocalPersonalizeState>;
  try {
    value = JSON.parse(text) as Partial<LocalPersonalizeState>;
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (value?.format !== STATE_FORMAT) throw invalid(`format ${JSON.stringify(value?.format)}, expected "${STATE_FORMAT}"`);
  if (!Array.isArray(value.solutions) || typeof value.versions !== 'object' || value.versions === null || typeof value.campaigns !== 'object' || value.campaigns === null) {
    throw invalid('solutions, versions or campaigns missing');
  }
  return value as LocalPersonalizeState;
}

function requireVersion(state: LocalPersonalizeState, arn: unknown): string {
  if (typeof arn !== 'string') throw new ValidationError('SolutionVersionArn is required', { field: 'SolutionVersionArn' });
  if (!state.versions[arn]) throw new PersonalizeServiceError(NOT_FOUND, `no solution version ${arn}`);
  return arn;
}
