/**
 * What `teardown` removes on AWS before `cdk destroy` (or to stop paying for an idle deployment): the Personalize
 * campaigns, solutions (with their versions) and event trackers the pipeline created outside CloudFormation, and the
 * index generations no alias serves. Deleted in the order tasks/teardown.ts uses: campaigns before solutions (a
 * campaign holds a solution version), trackers and old generations alongside; one failure never stops the others.
 */
import { ValidationError } from '../errors';
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
  const attempt = async (item: TeardownItem, action: (() => Promise<void>) | undefined, missing: string): Promise<boolean> => {
    if (action === undefined) {
      left.push({ ...item, reason: `not attempted: ${missing} is unknown (pass --stack)` });
      return false;
    }
    try {
      await action();
      deleted.push(item);
      return true;
    } catch (error) {
      left.push({ ...item, reason: errorMessage(error) });
      return false;
    }
  };
  const of = (kind: string): TeardownItem[] => items.filter((item) => item.kind === kind);
  const { personalize, index } = deps;

  const models = async (): Promise<void> => {
    let campaignsGone = true;
    for (const item of of(TEARDOWN_KINDS.campaign)) {
      if (!(await attempt(item, personalize && (() => personalize.deleteCampaign(item.id)), 'the Personalize dataset group'))) campaignsGone = false;
    }
    for (const item of of(TEARDOWN_KINDS.solution)) {
      if (!campaignsGone) left.push({ ...item, reason: 'not attempted: a campaign that may use its versions was not deleted' });
      else await attempt(item, personalize && (() => personalize.deleteSolution(item.id)), 'the Personalize dataset group');
    }
  };
  const trackers = async (): Promise<void> => {
    for (const item of of(TEARDOWN_KINDS.eventTracker)) {
      await attempt(item, personalize && (() => personalize.deleteEventTracker(item.id)), 'the Personalize dataset group');
    }
  };
  const generations = async (): Promise<void> => {
    for (const item of of(TEARDOWN_KINDS.generation)) await attempt(item, index && (() => index.deleteGeneration(item.id)), 'the OpenSearch domain');
  };

  for (const item of items) {
    if (!ORDER.includes(item.kind)) left.push({ ...item, reason: `unknown kind "${item.kind}": the AWS teardown deletes ${ORDER.join(', ')}` });
  }
  // Campaign deletes take minutes; the independent parts run meanwhile.
  await Promise.all([models(), trackers(), generations()]);
  const rank = (item: TeardownItem): number => ORDER.indexOf(item.kind);
  return { deleted: deleted.sort((a, b) => rank(a) - rank(b)), left: left.sort((a, b) => rank(a) - rank(b)) };
}
