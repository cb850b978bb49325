/**
 * Teardown: removes what the pipeline created outside CloudFormation, so `cdk destroy` leaves nothing billing and the
 * dataset group, domain and bucket can be deleted after it. Campaigns go before solutions (a campaign holds a solution
 * version); the event tracker, the index generations and the serving parameters are independent and go alongside.
 * Idempotent: a second run finds nothing and succeeds. Anything it could not delete is named in the error it throws.
 */
import { AppError } from '../core/errors';
import { deletePersonalizeResources } from '../core/personalize-teardown';
import type { PersonalizeAdmin } from '../core/ports/personalize-admin';
import type { VectorIndex } from '../core/ports/vector-index';
import { requireString } from './task-input';

/** The index operations the teardown needs; `removeAlias` is OpenSearchVectorIndex's, not the port's. */
export interface TeardownIndex extends Pick<VectorIndex, 'listGenerations' | 'deleteGeneration'> {
  /** Returns the generation the alias pointed at, or undefined when there was no alias. */
  removeAlias(alias: string): Promise<string | undefined>;
}

/** The serving parameters the pipeline publishes (SsmGenerationPublisher). */
export interface TeardownParameters {
  /** Returns the names it deleted. */
  unpublish(): Promise<string[]>;
}

export interface TeardownDeps {
  readonly personalize: PersonalizeAdmin;
  readonly index: TeardownIndex;
  /** @default serving parameters are left alone */
  readonly parameters?: TeardownParameters;
}

export interface TeardownEvent {
  readonly datasetGroupArn: string;
  readonly alias: string;
  /** Leave the alias and index generations alone (the domain is retained with the stack's data). @default false */
  readonly keepIndex?: boolean;
}

export interface TeardownDeleted {
  readonly campaigns: string[];
  readonly solutions: string[];
  /** Deleted with their solution. */
  readonly solutionVersions: string[];
  readonly eventTrackers: string[];
  /** The generation the alias pointed at before it was removed. */
  readonly aliasRemovedFrom: string | undefined;
  readonly generations: string[];
  readonly parameters: string[];
}

export interface TeardownLeft {
  /** ARN, `generation <name>`, `alias <name>` or `parameters`. */
  readonly resource: string;
  readonly reason: string;
}

export interface TeardownSummary {
  readonly deleted: TeardownDeleted;
}

/** Some resources could not be deleted; `left` names each with the reason, `deleted` what did go. */
export class TeardownIncompleteError extends AppError {
  readonly deleted: TeardownDeleted;
  readonly left: readonly TeardownLeft[];
  constructor(deleted: TeardownDeleted, left: readonly TeardownLeft[]) {
    super(
      `teardown left ${left.length} resource(s): ${left.map((l) => `${l.resource} (${l.reason})`).join('; ')}; ` +
        'fix the cause and run it again, or delete them by hand (docs/aws.md, Tearing down)',
    );
    this.deleted = deleted;
    this.left = left;
  }
}

export function makeTeardownHandler(deps: TeardownDeps): (event: TeardownEvent) => Promise<TeardownSummary> {
  return async (event) => {
    const datasetGroupArn = requireString(event, 'datasetGroupArn');
    const alias = requireString(event, 'alias');
    const deleted = { campaigns: [] as string[], solutions: [] as string[], solutionVersions: [] as string[], eventTrackers: [] as string[], generations: [] as string[], parameters: [] as string[] };
    let aliasRemovedFrom: string | undefined;
    const left: TeardownLeft[] = [];
    const attempt = async (resource: string, action: () => Promise<void>): Promise<boolean> => {
      try {
        await action();
        return true;
      } catch (error) {
        left.push({ resource, reason: error instanceof Error ? error.message : String(error) });
        return false;
      }
    };

    const inventory = await deps.personalize.listCreated(datasetGroupArn);

    const personalizeResources = async (): Promise<void> => {
      const result = await deletePersonalizeResources(deps.personalize, {
        campaigns: inventory.campaigns.map((c) => c.arn),
        solutions: inventory.solutions.map((s) => s.arn),
        eventTrackers: inventory.eventTrackers.map((t) => t.arn),
      });
      deleted.campaigns.push(...result.deleted.campaigns);
      deleted.solutions.push(...result.deleted.solutions);
      deleted.solutionVersions.push(...inventory.solutions.filter((s) => result.deleted.solutions.includes(s.arn)).flatMap((s) => s.versions.map((v) => v.arn)));
      deleted.eventTrackers.push(...result.deleted.eventTrackers);
      left.push(...result.left.map((l) => ({ resource: l.arn, reason: l.reason })));
    };

    const indexGenerations = async (): Promise<void> => {
      if (event.keepIndex === true) return;
      // The adapter refuses to delete an aliased generation: take the alias away first.
      const aliasGone = await attempt(`alias ${alias}`, async () => {
        aliasRemovedFrom = await deps.index.removeAlias(alias);
      });
      if (!aliasGone) return;
      let generations: string[] = [];
      if (!(await attempt('generations', async () => void (generations = (await deps.index.listGenerations()).map((g) => g.generation))))) return;
      for (const generation of generations) {
        if (await attempt(`generation ${generation}`, () => deps.index.deleteGeneration(generation))) deleted.generations.push(generation);
      }
    };

    const parameters = async (): Promise<void> => {
      const remover = deps.parameters;
      if (remover === undefined) return;
      await attempt('parameters', async () => void deleted.parameters.push(...(await remover.unpublish())));
    };

    // Campaign deletes take minutes; the independent parts run meanwhile.
    await Promise.all([personalizeResources(), indexGenerations(), parameters()]);
    const summary: TeardownDeleted = { ...deleted, aliasRemovedFrom };
    if (left.length > 0) throw new TeardownIncompleteError(summary, left);
    return { deleted: summary };
  };
}
