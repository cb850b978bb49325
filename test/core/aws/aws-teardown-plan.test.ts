import { describe, expect, it } from 'vitest';
import { planAwsTeardown, runAwsTeardown } from '../../../core/aws/aws-teardown-plan';
import type { TeardownGenerationIndex } from '../../../core/aws/aws-teardown-plan';
import type { PersonalizeAdmin, PersonalizeInventory } from '../../../core/ports/personalize-admin';
import type { TeardownItem } from '../../../core/ports/pipeline-control';

const group = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/image-search-styles';
const arn = (kind: string, name: string) => `arn:aws:personalize:us-east-1:123456789012:${kind}/${name}`;

const inventory: PersonalizeInventory = {
  campaigns: [{ arn: arn('campaign', 'style-ranking'), name: 'style-ranking', status: 'ACTIVE' }],
  solutions: [{
    arn: arn('solution', 'style-ranking'),
    name: 'style-ranking',
    status: 'ACTIVE',
    versions: [
      { arn: arn('solution', 'style-ranking/v1'), name: 'v1', status: 'ACTIVE' },
      { arn: arn('solution', 'style-ranking/v2'), name: 'v2', status: 'ACTIVE' },
    ],
  }],
  eventTrackers: [{ arn: arn('event-tracker', 'abc'), name: 'image-search-events', status: 'ACTIVE' }],
};

/** Records every call in order; each delete resolves when the test says so, or fails with the given message. */
class FakeAdmin implements PersonalizeAdmin {
  readonly calls: string[] = [];
  readonly failures = new Map<string, string>();
  private readonly pending: (() => void)[] = [];
  holdCampaigns = false;

  async listCreated(datasetGroupArn: string): Promise<PersonalizeInventory> {
    this.calls.push(`list ${datasetGroupArn}`);
    return inventory;
  }
  deleteCampaign(campaignArn: string): Promise<void> {
    return this.remove('campaign', campaignArn, this.holdCampaigns);
  }
  deleteSolution(solutionArn: string): Promise<void> {
    return this.remove('solution', solutionArn, false);
  }
  deleteEventTracker(eventTrackerArn: string): Promise<void> {
    return this.remove('tracker', eventTrackerArn, false);
  }
  release(): void {
    for (const resolve of this.pending.splice(0)) resolve();
  }
  private async remove(kind: string, id: string, hold: boolean): Promise<void> {
    this.calls.push(`delete ${kind} ${id}`);
    if (hold) await new Promise<void>((resolve) => this.pending.push(resolve));
    const failure = this.failures.get(id);
    if (failure !== undefined) throw new Error(failure);
    this.calls.push(`deleted ${kind} ${id}`);
  }
}

class FakeIndex implements TeardownGenerationIndex {
  readonly generations = ['gen-20270101-030000', 'gen-20270108-030000', 'gen-20270115-030000'];
  alias: string | undefined = 'gen-20270115-030000';
  readonly calls: string[] = [];
  async listGenerations() {
    return this.generations.map((generation) => ({ generation }));
  }
  async resolveAlias(alias: string) {
    this.calls.push(`resolve ${alias}`);
    return this.alias;
  }
  async deleteGeneration(generation: string) {
    if (generation === this.alias) throw new Error(`generation "${generation}" is in use by alias "images"`);
    this.calls.push(`delete ${generation}`);
  }
}

describe('planAwsTeardown', () => {
  it('lists campaigns, solutions with their version count, trackers and the generations the alias does not serve', async () => {
    const personalize = new FakeAdmin();
    const index = new FakeIndex();

    const plan = await planAwsTeardown({ personalize, datasetGroupArn: group, index, alias: 'images' });

    expect(plan.map((item) => [item.kind, item.id])).toEqual([
      ['campaign', arn('campaign', 'style-ranking')],
      ['solution', arn('solution', 'style-ranking')],
      ['event tracker', arn('event-tracker', 'abc')],
      ['index generation', 'gen-20270101-030000'],
      ['index generation', 'gen-20270108-030000'],
    ]);
    expect(plan[1]?.note).toContain('2 solution version(s)');
    expect(plan[3]?.note).toBe('old: alias "images" serves gen-20270115-030000');
    expect(personalize.calls).toEqual([`list ${group}`]);
    expect(index.calls).toEqual(['resolve images']);
  });

  it('names the stack outputs it lacks instead of planning half a teardown', async () => {
    await expect(planAwsTeardown({ index: new FakeIndex(), alias: 'images' })).rejects.toThrow(/DatasetGroupArn output\(s\): pass --stack/);
  });
});

describe('runAwsTeardown', () => {
  const plan = async (): Promise<TeardownItem[]> => planAwsTeardown({ personalize: new FakeAdmin(), datasetGroupArn: group, index: new FakeIndex(), alias: 'images' });

  it('deletes solutions only after every campaign is gone, and trackers and generations meanwhile', async () => {
    const personalize = new FakeAdmin();
    personalize.holdCampaigns = true;
    const index = new FakeIndex();
    const items = await plan();

    const result = runAwsTeardown({ personalize, datasetGroupArn: group, index, alias: 'images' }, items);
    await new Promise((resolve) => setImmediate(resolve));
    // While the campaign delete is still waiting, the tracker and the old generations went, the solution did not.
    expect(personalize.calls).toEqual([`delete campaign ${arn('campaign', 'style-ranking')}`, `delete tracker ${arn('event-tracker', 'abc')}`, `deleted tracker ${arn('event-tracker', 'abc')}`]);
    expect(index.calls).toEqual(['delete gen-20270101-030000', 'delete gen-20270108-030000']);
    personalize.release();
    const { deleted, left } = await result;

    expect(personalize.calls.slice(3)).toEqual([`deleted campaign ${arn('campaign', 'style-ranking')}`, `delete solution ${arn('solution', 'style-ranking')}`, `deleted solution ${arn('solution', 'style-ranking')}`]);
    expect(deleted.map((item) => item.kind)).toEqual(['campaign', 'solution', 'event tracker', 'index generation', 'index generation']);
    expect(left).toEqual([]);
  });

  it('goes on after a failure and reports what it left with the reason, skipping solutions a campaign may still use', async () => {
    const personalize = new FakeAdmin();
    personalize.failures.set(arn('campaign', 'style-ranking'), 'ResourceInUseException: campaign is updating');
    const index = new FakeIndex();
    const items = [...(await plan()), { kind: 'index generation', id: 'gen-20270115-030000' }, { kind: 'bucket', id: 's3://data' }];

    const { deleted, left } = await runAwsTeardown({ personalize, datasetGroupArn: group, index, alias: 'images' }, items);

    expect(deleted.map((item) => item.id)).toEqual([arn('event-tracker', 'abc'), 'gen-20270101-030000', 'gen-20270108-030000']);
    expect(left.map((item) => [item.id, item.reason])).toEqual([
      ['s3://data', 'unknown kind "bucket": the AWS teardown deletes campaign, solution, event tracker, index generation'],
      [arn('campaign', 'style-ranking'), 'ResourceInUseException: campaign is updating'],
      [arn('solution', 'style-ranking'), 'not attempted: a campaign that may use its versions was not deleted'],
      ['gen-20270115-030000', 'generation "gen-20270115-030000" is in use by alias "images"'],
    ]);
    expect(personalize.calls.some((call) => call.startsWith('delete solution'))).toBe(false);
  });

  it('leaves Personalize items with a reason when no Personalize admin is configured', async () => {
    const items = await plan();
    const { deleted, left } = await runAwsTeardown({ index: new FakeIndex(), alias: 'images' }, items);
    expect(deleted.map((item) => item.kind)).toEqual(['index generation', 'index generation']);
    expect(left.map((item) => item.reason)).toEqual([
      'not attempted: the Personalize dataset group is unknown (pass --stack)',
      'not attempted: a campaign that may use its versions was not deleted',
      'not attempted: the Personalize dataset group is unknown (pass --stack)',
    ]);
  });
});
