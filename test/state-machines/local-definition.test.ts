import { describe, expect, it } from 'vitest';
import { LOCAL_MAP_RESOURCE, prepareForLocalRun, synthesizeLocalDefinition, taskStateNames } from '../../state-machines/local-definition';

describe('the definition the local runner executes', () => {
  const { definition, settings } = synthesizeLocalDefinition({ k: 7, embedBatchSize: 5 });

  it('comes from the real stack with the local settings as stack config', () => {
    expect(settings.k).toBe(7);
    expect(definition.StartAt).toBe('Check no other run');
    const embed = definition.States['Embed images'] as { ItemBatcher: { MaxItemsPerBatch: number }; ItemProcessor: { ProcessorConfig: { Mode: string } } };
    expect(embed.ItemBatcher.MaxItemsPerBatch).toBe(5);
    expect(embed.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
  });

  it('replaces each Distributed Map by a Task that keeps its Catch, ResultPath and Next and evaluates its BatchInput', () => {
    const { definition: local, distributedMaps } = prepareForLocalRun(definition);
    const original = definition.States['Embed images'] as Record<string, unknown>;
    const task = local.States['Embed images'] as Record<string, unknown>;
    expect([...distributedMaps.keys()]).toEqual(['Embed images']);
    expect(task).toMatchObject({ Type: 'Task', Resource: LOCAL_MAP_RESOURCE, Next: original.Next, Catch: original.Catch, ResultPath: null });
    expect(task.Parameters).toEqual({ BatchInput: (original.ItemBatcher as { BatchInput: unknown }).BatchInput });
    expect(definition.States['Embed images']?.Type).toBe('Map');
  });

  it('gives every Task a timeout beyond the library default of 60 s', () => {
    const { definition: local } = prepareForLocalRun(definition);
    const tasks = Object.values(local.States).filter((s) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(10);
    for (const task of tasks) expect(task.TimeoutSeconds).toBeGreaterThan(3600);
  });

  it('lists Task states at any depth, including the Map processor', () => {
    const names = taskStateNames(definition);
    expect(names).toContain('Embed batch');
    expect(names).toContain('Train K-Means');
    expect(names).not.toContain('Embed images');
  });
});
