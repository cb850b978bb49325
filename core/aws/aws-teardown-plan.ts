/**
 * What `teardown` removes on AWS before `cdk destroy` (or to stop paying for an idle deployment): the Personalize
 * campaigns, solutions (with their versions) and event trackers the pipeline created outside CloudFormation, and the
 * index generations no alias serves. The Personalize part is deletePersonalizeResources, as for tasks/teardown.ts
 * (campaigns before solutions, trackers alongside); old generations go meanwhile; one failure never stops the others.
 */
import { ValidationError } from '../errors';
import { deletePersonalizeResources, SOLUTION_KEPT_FOR_CAMPAIGN } from '../personalize-teardown';
import type { PersonalizeAdmin } from '../ports/personalize-admin';
import type { TeardownItem, TeardownResult } from '../ports/pipeline-control';
import { errorMessage } from './retry';

/** The index operations the plan and the teardown need; OpenSearchVectorIndex has them. */
export interface TeardownGenerationIndex {
  listGenerations(): Promise<readonly { readonly generation: string }[]>;
  resolveAlias(alias: string): Promise<string | undefined>;
  /** Refuses a generation an alias points at (OpenSearchVectorIndex does), so a stale plan cannot break serving. */
  deleteGeneration(generation: string): Promise<void>;
}

export interface AwsTeardownDeps {
  readonly personalize?: PersonalizeAdmin;
  readonly datasetGroupArn?: string;
  readonly index?: TeardownGenerationIndex;
  /** The serving alias: the generation behind it is kept. */
  readonly alias?: string;
}

export const TEARDOWN_KINDS = {
  campaign: 'campaign',
  solution: 'solution',
  eventTracker: 'event tracker',
  generation: 'index generation',
} as const;

const ORDER: readonly string[] = Object.values(TEARDOWN_KINDS);

interface Ready {
  readonly personalize: PersonalizeAdmin;
  readonly datasetGroupArn: string;
  readonly index: TeardownGenerationIndex;
  readonly alias: string;
}

function ready(deps: AwsTeardownDeps): Ready {
  const missing = [
    ...(deps.personalize === undefined || deps.datasetGroupArn === undefined ? ['DatasetGroupArn'] : []),
    ...(deps.index === undefined ? ['DomainEndpoint', 'IndexPrefix'] : []),
    ...(deps.alias === undefined ? ['IndexAlias'] : []),
  ];
  if (missing.length > 0) {
    throw new ValidationError(
      `teardown needs the stack's ${missing.join(', ')} output(s): pass --stack <name> (a state machine ARN alone does not say what to delete)`,
      { field: 'stack' },
    );
  }
  return deps as Ready;
}

export async function planAwsTeardown(deps: AwsTeardownDeps): Promise<TeardownItem[]> {
  const { personalize, datasetGroupArn, index, alias } = ready(deps);
  const inventory = await personalize.listCreated(datasetGroupArn);
  const serving = await index.resolveAlias(alias);
  const generations = (await index.listGenerations()).map((g) => g.generation).filter((g) => g !== serving);
  return [
    ...inventory.campaigns.map((c) => ({ kind: TEARDOWN_KINDS.campaign, id: c.arn, note: `${c.status}; billed every hour for its provisioned TPS while it exists` })),
    ...inventory.solutions.map((s) => ({ kind: TEARDOWN_KINDS.solution, id: s.arn, note: `${s.status}; its ${s.versions.length} solution version(s) go with it` })),
    ...inventory.eventTrackers.map((t) => ({ kind: TEARDOWN_KINDS.eventTracker, id: t.arn, note: `${t.status}; serving records live events through it` })),
    ...generations.map((g) => ({
      kind: TEARDOWN_KINDS.generation,
      id: g,
      note: serving === undefined ? `alias "${alias}" points at no generation` : `old: alias "${alias}" serves ${serving}`,
    })),
  ];
}

export async function runAwsTeardown(deps: AwsTeardownDeps, items: readonly TeardownItem[]): Promise<TeardownResult> {
  const deleted: TeardownItem[] = [];
  const left: (TeardownItem & { reason: string })[] = [];
  const of = (kind: string): TeardownItem[] => items.filter((item) => item.kind === kind);
  const personalizeItems = [...of(TEARDOWN_KINDS.campaign), ...of(TEARDOWN_KINDS.solution), ...of(TEARDOWN_KINDS.eventTracker)];
  const { personalize, index } = deps;

  const personalizeResources = async (): Promise<void> => {
    if (personalize === undefined) {
      const unknown = 'not attempted: the Personalize dataset group is unknown (pass --stack)';
      // A campaign left in place keeps its solution too, whatever kept the campaign.
      const campaignsLeft = of(TEARDOWN_KINDS.campaign).length > 0;
      left.push(...personalizeItems.map((item) => ({ ...item, reason: item.kind === TEARDOWN_KINDS.solution && campaignsLeft ? SOLUTION_KEPT_FOR_CAMPAIGN : unknown })));
      return;
    }
    const ids = (kind: string): string[] => of(kind).map((item) => item.id);
    const result = await deletePersonalizeResources(personalize, {
      campaigns: ids(TEARDOWN_KINDS.campaign),
      solutions: ids(TEARDOWN_KINDS.solution),
      eventTrackers: ids(TEARDOWN_KINDS.eventTracker),
    });
    const gone = new Set([...result.deleted.campaigns, ...result.deleted.solutions, ...result.deleted.eventTrackers]);
    const reasons = new Map(result.left.map((l) => [l.arn, l.reason]));
    for (const item of personalizeItems) {
      const reason = reasons.get(item.id);
      if (reason !== undefined) left.push({ ...item, reason });
      else if (gone.has(item.id)) deleted.push(item);
    }
  };
  const generations = async (): Promise<void> => {
    for (const item of of(TEARDOWN_KINDS.generation)) {
      if (index === undefined) {
        left.push({ ...item, reason: 'not attempted: the OpenSearch domain is unknown (pass --stack)' });
        continue;
      }
      try {
        await index.deleteGeneration(item.id);
        deleted.push(item);
      } catch (error) {
        left.push({ ...item, reason: errorMessage(error) });
      }
    }
  };

  for (const item of items) {
    if (!ORDER.includes(item.kind)) left.push({ ...item, reason: `unknown kind "${item.kind}": the AWS teardown deletes ${ORDER.join(', ')}` });
  }
  // Campaign deletes take minutes; old generations go meanwhile.
  await Promise.all([personalizeResources(), generations()]);
  const rank = (item: TeardownItem): number => ORDER.indexOf(item.kind);
  return { deleted: deleted.sort((a, b) => rank(a) - rank(b)), left: left.sort((a, b) => rank(a) - rank(b)) };
}
