import { describe, expect, it } from 'vitest';
import { assertClusterGeneration, clusterItemId, parseClusterItemId } from '../../core/cluster-items';
import { ValidationError } from '../../core/errors';

describe('cluster item ids', () => {
  it('writes the generation and the cluster in a readable id that parses back', () => {
    const id = clusterItemId('gen-20261204-1', 7);
    expect(id).toBe('gen-20261204-1.c7');
    expect(parseClusterItemId(id)).toEqual({ clusterGeneration: 'gen-20261204-1', cluster: 7 });
    expect(parseClusterItemId(clusterItemId('g', 0))).toEqual({ clusterGeneration: 'g', cluster: 0 });
  });

  it('parses strictly: anything not written by clusterItemId is undefined', () => {
    for (const id of ['', 'gen.c', 'gen.c01', 'gen.c-1', 'gen.c1.5', 'Gen.c1', 'gen.x1', 'gen.c1 ', ' gen.c1', 'gen_1.c1', '.c1', 'cat-001', `${'a'.repeat(65)}.c1`]) {
      expect(parseClusterItemId(id), id).toBeUndefined();
    }
  });

  it('rejects bad generation names and clusters, naming the field', () => {
    expect(() => clusterItemId('Gen 1', 1)).toThrow(/cluster generation "Gen 1" is invalid/);
    expect(() => assertClusterGeneration('a'.repeat(65))).toThrow(ValidationError);
    expect(() => clusterItemId('gen', -1)).toThrow(/cluster -1 is invalid/);
    expect(() => clusterItemId('gen', 1.5)).toThrow(/cluster 1.5 is invalid/);
    expect(() => clusterItemId('gen.1', 1)).toThrow(expect.objectContaining({ field: 'clusterGeneration' }));
    expect(() => clusterItemId('gen', -1)).toThrow(expect.objectContaining({ field: 'cluster' }));
  });
});
