import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors';
import { formatCsvLine, INTERACTIONS_COLUMNS } from '../../core/interactions';
import type { RankerModel } from '../../core/local/ranker-model-file';
import { createLocalPersonalize, PersonalizeServiceError } from '../../state-machines/local-personalize';
import { MemoryObjectStore } from '../fixtures/memory-object-store';
import { syntheticInteractions } from '../core/local/synthetic-interactions';

const SOLUTION = 'arn:aws:personalize:us-east-1:123456789012:solution/ranking';
const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/ranking';

describe('local Personalize', () => {
  let dir: string;
  let stateFile: string;
  let store: MemoryObjectStore;
  const trained: RankerModel[] = [];
  const open = (generation: string) =>
    createLocalPersonalize({ store, seed: 1, stateFile, generation: () => generation, onTrained: async (model) => void trained.push(model) });

  /** What one pipeline run does: import, solution (created once), a version, then campaign create or update. */
  async function run(personalize: ReturnType<typeof open>): Promise<{ version: string; campaignCall: string }> {
    const { DatasetImportJobArn } = await personalize.createDatasetImportJob!({ JobName: `import-${trained.length}`, DataSource: { DataLocation: 's3://bucket/interactions.csv' } });
    expect(await personalize.describeDatasetImportJob!({ DatasetImportJobArn })).toMatchObject({ DatasetImportJob: { Status: 'ACTIVE' } });
    await personalize.createSolution!({ Name: 'ranking' }).catch((error: unknown) => {
      expect((error as Error).name).toBe('Personalize.ResourceAlreadyExistsException');
    });
    const version = String((await personalize.createSolutionVersion!({ SolutionArn: SOLUTION })).SolutionVersionArn);
    try {
      await personalize.createCampaign!({ Name: 'ranking', SolutionVersionArn: version });
      return { version, campaignCall: 'create' };
    } catch (error) {
      expect((error as Error).name).toBe('Personalize.ResourceAlreadyExistsException');
      await personalize.updateCampaign!({ CampaignArn: CAMPAIGN, SolutionVersionArn: version });
      return { version, campaignCall: 'update' };
    }
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-personalize-'));
    stateFile = join(dir, 'personalize.json');
    store = new MemoryObjectStore();
    const { rows } = syntheticInteractions({ users: 40, clusters: 12, groupSize: 3, eventsPerUser: 12, seed: 4 });
    await store.writeLines('interactions.csv', [formatCsvLine(INTERACTIONS_COLUMNS), ...rows.map((r) => formatCsvLine([r.userId, r.itemId, String(r.timestamp), r.eventType]))]);
    trained.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has no campaign before the first run: describeCampaign says ResourceNotFound, which the quality gate catches', async () => {
    const error = await open('gen-1').describeCampaign!({ CampaignArn: CAMPAIGN }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizeServiceError);
    expect((error as Error).name).toBe('Personalize.ResourceNotFoundException');
  });

  it('keeps the solution, versions, metrics and campaign across runs, so the second run updates the campaign', async () => {
    const first = await run(open('gen-1'));
    expect(first.campaignCall).toBe('create');

    // A new process on the same state folder: what the next pipeline run sees.
    const later = open('gen-2');
    expect(await later.describeCampaign!({ CampaignArn: CAMPAIGN })).toEqual({ Campaign: { CampaignArn: CAMPAIGN, SolutionVersionArn: first.version, Status: 'ACTIVE' } });
    const firstMetrics = await later.getSolutionMetrics!({ SolutionVersionArn: first.version });
    expect(firstMetrics).toMatchObject({ SolutionVersionArn: first.version, Metrics: { normalized_discounted_cumulative_gain_at_10: expect.any(Number), precision_at_10: expect.any(Number) } });

    const second = await run(later);
    expect(second.campaignCall).toBe('update');
    expect(second.version).not.toBe(first.version);
    expect(second.version).toContain('gen-2');
    expect((await open('gen-3').describeCampaign!({ CampaignArn: CAMPAIGN })).Campaign).toMatchObject({ SolutionVersionArn: second.version });
    // The same interactions and seed train the same model and measure the same figures.
    expect((await open('gen-3').getSolutionMetrics!({ SolutionVersionArn: second.version })).Metrics).toEqual(firstMetrics.Metrics);

    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as { solutions: string[]; versions: Record<string, { generation: string; rankerVersion: string }> };
    expect(saved.solutions).toEqual([SOLUTION]);
    expect(Object.values(saved.versions).map((v) => v.generation)).toEqual(['gen-1', 'gen-2']);
    expect(saved.versions[first.version]?.rankerVersion).toBe(trained[0]?.version);
  });

  it('keeps the event tracker across runs', async () => {
    const created = await open('gen-1').createEventTracker!({ Name: 'events' });
    expect(await open('gen-2').listEventTrackers!({})).toEqual({ EventTrackers: [{ EventTrackerArn: created.EventTrackerArn, Name: 'events', Status: 'ACTIVE' }] });
  });

  it('answers an unknown solution version with ResourceNotFound', async () => {
    const error = await open('gen-1').getSolutionMetrics!({ SolutionVersionArn: `${SOLUTION}/nope` }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('Personalize.ResourceNotFoundException');
  });

  it('refuses a state file it cannot read instead of starting over without the campaign', async () => {
    await writeFile(stateFile, '{"solutions": []}');
    await expect(open('gen-1').describeCampaign!({ CampaignArn: CAMPAIGN })).rejects.toThrow(ValidationError);
    await expect(open('gen-1').describeCampaign!({ CampaignArn: CAMPAIGN })).rejects.toThrow(/is not the local Personalize state.*delete it to start over/);
  });
});
