import { describe, it, expect } from 'vitest';
import { parseClusterModel, serializeClusterModel } from '../../../core/local/cluster-model-file';
import { ValidationError } from '../../../core/errors';
import type { ClusterModel } from '../../../core/ports/clusterer';

const model: ClusterModel = {
  k: 2,
  dimension: 3,
  centroids: [Float32Array.from([0.1, -0.2, 1e-7]), Float32Array.from([Math.PI, 0, -1])],
};

describe('cluster model file', () => {
  it('round-trips centroids bit for bit in both encodings', () => {
    for (const encoding of ['base64-f32le', 'array'] as const) {
      const parsed = parseClusterModel(serializeClusterModel(model, { encoding }));
      expect(parsed.k).toBe(2);
      expect(parsed.dimension).toBe(3);
      expect(parsed.centroids).toEqual(model.centroids);
    }
  });

  it('reads the bytes of a stored file', () => {
    const bytes = new TextEncoder().encode(serializeClusterModel(model));
    expect(parseClusterModel(bytes).centroids).toEqual(model.centroids);
  });

  it('rejects a truncated file, another format and an unknown version', () => {
    const text = serializeClusterModel(model);
    expect(() => parseClusterModel(text.slice(0, 40))).toThrow(/not JSON/);
    expect(() => parseClusterModel('{"format":"something-else"}')).toThrow(/not a cluster model file/);
    const future = JSON.stringify({ ...JSON.parse(text), version: 2 });
    expect(() => parseClusterModel(future)).toThrow(/version 2 is not supported/);
  });

  it('rejects centroids that do not match k or the dimension', () => {
    const raw = JSON.parse(serializeClusterModel(model, { encoding: 'array' }));
    expect(() => parseClusterModel(JSON.stringify({ ...raw, k: 3 }))).toThrow(/expected 3 centroids, found 2/);
    expect(() => parseClusterModel(JSON.stringify({ ...raw, dimension: 4 }))).toThrow(/centroid 0 has dimension 3, expected 4/);
    expect(() => parseClusterModel(JSON.stringify({ ...raw, centroids: [[1, null, 0], [0, 0, 0]] }))).toThrow(ValidationError);
  });
});
