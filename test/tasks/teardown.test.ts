import { describe, expect, it } from 'vitest';
import { OpenSearchVectorIndex } from '../../core/aws/opensearch-vector-index';
import { SsmGenerationPublisher } from '../../core/aws/ssm-generation-publisher';
import { NotFoundError, ValidationError } from '../../core/errors';
import type { PersonalizeAdmin, PersonalizeInventory, PersonalizeResource, PersonalizeSolution } from '../../core/ports/personalize-admin';
import type { GenerationInfo } from '../../core/ports/vector-index';
import { makeTeardownHandler, TeardownIncompleteError } from '../../tasks/teardown';
import type { TeardownIndex, TeardownParameters } from '../../tasks/teardown';

const GROUP = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/styles';
const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/style-ranking';
const SOLUTION = 'arn:aws:personalize:us-east-1:123456789012:solution/style-ranking';
const TRACKER = 'arn:aws:personalize:us-east-1:123456789012:event-tracker/abc';
const active = (arn: string): PersonalizeResource => ({ arn, name: arn.split('/').pop() as string, status: 'ACTIVE' });

/** Holds the resources in memory; refuses to delete a solution while a campaign exists, as Personalize does. */
class FakePersonalize implements PersonalizeAdmin {
  readonly calls: string[] = [];
  campaigns: PersonalizeResource[] = [active(CAMPAIGN)];
  solutions: PersonalizeSolution[] = [{ ...active(SOLUTION), versions: [active(`${SOLUTION}/v1`), active(`${SOLUTION}/v2`)] }];
  eventTrackers: PersonalizeResource[] = [active(TRACKER)];
  readonly failures = new Map<string, Error>();

  async listCreated(datasetGroupArn: string): Promise<PersonalizeInventory> {
    this.calls.push(`list ${datasetGroupArn}`);
    return { campaigns: [...this.campaigns], solutions: [...this.solutions], eventTrackers: [...this.eventTrackers] };
  }
  async deleteCampaign(arn: string): Promise<void> {
    this.calls.push(`delete ${arn}`);
    this.fail(arn);
    this.campaigns = this.campaigns.filter((c) => c.arn !== arn);
  }
  async deleteSolution(arn: string): Promise<void> {
    this.calls.push(`delete ${arn}`);
    this.fail(arn);
    if (this.campaigns.length > 0) throw new Error(`ResourceInUseException: ${arn} has a campaign`);
    this.solutions = this.solutions.filter((s) => s.arn !== arn);
  }
  async deleteEventTracker(arn: string): Promise<void> {
    this.calls.push(`delete ${arn}`);
    this.fail(arn);
    this.eventTrackers = this.eventTrackers.filter((t) => t.arn !== arn);
  }
  private fail(arn: string): void {
    const error = this.failures.get(arn);
    if (error !== undefined) throw error;
  }
}

/** Behaves like OpenSearchVectorIndex: an aliased generation cannot be deleted. */
class FakeIndex implements TeardownIndex {
  generations = ['gen-1', 'gen-2', 'gen-3'];
  alias: string | undefined = 'gen-3';
  async removeAlias(): Promise<string | undefined> {
    const previous = this.alias;
    this.alias = undefined;
    return previous;
  }
  async listGenerations(): Promise<GenerationInfo[]> {
    return this.generations.map((generation) => ({ generation, count: 10, complete: true }));
  }
  async deleteGeneration(generation: string): Promise<void> {
    if (this.alias === generation) throw new ValidationError(`generation "${generation}" is in use by alias "images"`);
    if (!this.generations.includes(generation)) throw new NotFoundError(`generation "${generation}" does not exist`);
    this.generations = this.generations.filter((g) => g !== generation);
  }
}

class FakeParameters implements TeardownParameters {
  names = ['/p/alias', '/p/generation'];
  async unpublish(): Promise<string[]> {
    const gone = this.names;
    this.names = [];
    return gone;
  }
}

const event = { datasetGroupArn: GROUP, alias: 'images' };

function setup() {
  const personalize = new FakePersonalize();
  const index = new FakeIndex();
  const parameters = new FakeParameters();
  return { personalize, index, parameters, teardown: makeTeardownHandler({ personalize, index, parameters }) };
}

describe('makeTeardownHandler', () => {
  it('deletes the campaign before the solution, the tracker, the alias, every generation and the parameters', async () => {
    const { personalize, index, parameters, teardown } = setup();

    const summary = await teardown(event);

    expect(summary.deleted).toEqual({
      campaigns: [CAMPAIGN],
      solutions: [SOLUTION],
      solutionVersions: [`${SOLUTION}/v1`, `${SOLUTION}/v2`],
      eventTrackers: [TRACKER],
      aliasRemovedFrom: 'gen-3',
      generations: ['gen-1', 'gen-2', 'gen-3'],
      parameters: ['/p/alias', '/p/generation'],
    });
    expect(personalize.calls[0]).toBe(`list ${GROUP}`);
    expect(personalize.calls.indexOf(`delete ${CAMPAIGN}`)).toBeLessThan(personalize.calls.indexOf(`delete ${SOLUTION}`));
    expect([personalize.campaigns, personalize.solutions, personalize.eventTrackers, index.generations, parameters.names]).toEqual([[], [], [], [], []]);
  });

  it('finds nothing and succeeds on a second run', async () => {
    const { personalize, teardown } = setup();
    await teardown(event);
    personalize.calls.length = 0;

    const again = await teardown(event);

    expect(again.deleted).toEqual({ campaigns: [], solutions: [], solutionVersions: [], eventTrackers: [], aliasRemovedFrom: undefined, generations: [], parameters: [] });
    expect(personalize.calls).toEqual([`list ${GROUP}`]);
  });

  it('keeps the solution when its campaign could not be deleted and names both as left, after deleting the rest', async () => {
    const { personalize, index, teardown } = setup();
    personalize.failures.set(CAMPAIGN, new Error('campaign still exists after 360000 ms of polling'));

    const error = await teardown(event).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TeardownIncompleteError);
    const incomplete = error as TeardownIncompleteError;
    expect(incomplete.left.map((l) => l.resource)).toEqual([CAMPAIGN, SOLUTION]);
    expect(incomplete.left[1]?.reason).toMatch(/not attempted: a campaign/);
    expect(incomplete.message).toMatch(/teardown left 2 resource\(s\): .*campaign\/style-ranking \(campaign still exists/);
    expect(personalize.calls).not.toContain(`delete ${SOLUTION}`);
    expect(incomplete.deleted.eventTrackers).toEqual([TRACKER]);
    expect(incomplete.deleted.generations).toEqual(['gen-1', 'gen-2', 'gen-3']);
    expect(index.generations).toEqual([]);
  });

  it('reports a generation it could not delete and still deletes the others', async () => {
    const { index, teardown } = setup();
    const failing = index.deleteGeneration.bind(index);
    index.deleteGeneration = async (generation) => (generation === 'gen-2' ? Promise.reject(new Error('status 403')) : failing(generation));

    const error = (await teardown(event).catch((e: unknown) => e)) as TeardownIncompleteError;

    expect(error.left).toEqual([{ resource: 'generation gen-2', reason: 'status 403' }]);
    expect(error.deleted.generations).toEqual(['gen-1', 'gen-3']);
  });

  it('leaves the alias and the generations alone when asked to keep the index', async () => {
    const { personalize, index, teardown } = setup();
    const summary = await teardown({ ...event, keepIndex: true });
    expect(summary.deleted.generations).toEqual([]);
    expect([index.alias, index.generations]).toEqual(['gen-3', ['gen-1', 'gen-2', 'gen-3']]);
    expect(personalize.campaigns).toEqual([]);
  });

  it('rejects an event without a dataset group before deleting anything', async () => {
    const { personalize, teardown } = setup();
    await expect(teardown({ alias: 'images' } as never)).rejects.toThrow(/datasetGroupArn is required/);
    expect(personalize.calls).toEqual([]);
  });
});

describe('OpenSearchVectorIndex.removeAlias', () => {
  function client(responses: Record<string, { statusCode: number; body?: unknown }>) {
    const requests: string[] = [];
    const request = async (params: { method: string; path: string }, options: { ignore?: number[] }) => {
      const key = `${params.method} ${params.path}`;
      requests.push(key);
      const response = responses[key];
      if (response === undefined) throw new Error(`unexpected ${key}`);
      if (response.statusCode >= 400 && !(options.ignore ?? []).includes(response.statusCode)) throw Object.assign(new Error('failed'), { meta: response });
      return response;
    };
    return { requests, client: { transport: { request } } as never };
  }

  it('deletes the alias from the index it points at and returns that generation', async () => {
    const fake = client({ 'GET /_alias/images': { statusCode: 200, body: { 'images-gen-3': { aliases: { images: {} } } } }, 'DELETE /images-gen-3/_alias/images': { statusCode: 200 } });
    const index = new OpenSearchVectorIndex({ client: fake.client, indexPrefix: 'images-' });
    expect(await index.removeAlias('images')).toBe('gen-3');
    expect(fake.requests).toEqual(['GET /_alias/images', 'DELETE /images-gen-3/_alias/images']);
  });

  it('returns undefined when there is no alias', async () => {
    const fake = client({ 'GET /_alias/images': { statusCode: 404 } });
    expect(await new OpenSearchVectorIndex({ client: fake.client, indexPrefix: 'images-' }).removeAlias('images')).toBeUndefined();
    expect(fake.requests).toEqual(['GET /_alias/images']);
  });
});

describe('SsmGenerationPublisher.unpublish', () => {
  it('deletes every published name in one call and returns those that existed', async () => {
    const inputs: unknown[] = [];
    const send = async (command: { input: { Names: string[] } }) => {
      inputs.push(command.input);
      return { DeletedParameters: ['/p/generation', '/p/alias'], InvalidParameters: command.input.Names.slice(2) };
    };
    const deleted = await new SsmGenerationPublisher({ prefix: '/p', client: { send } as never }).unpublish();
    expect(deleted).toEqual(['/p/alias', '/p/generation']);
    expect(inputs).toEqual([{ Names: ['/p/alias', '/p/clusterGeneration', '/p/clusterCount', '/p/campaignArn', '/p/trackingId', '/p/generation'] }]);
  });
});
