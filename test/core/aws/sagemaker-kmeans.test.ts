import { describe, it, expect } from 'vitest';
import { kmeansHyperparameters, kmeansImageUri, parseTransformOutput, trainingCsvLines } from '../../../core/aws/sagemaker-kmeans';

describe('SageMaker K-Means glue', () => {
  it('gives the image URI of a known region and lists the supported ones for an unknown region', () => {
    expect(kmeansImageUri('eu-west-1')).toBe('438346466558.dkr.ecr.eu-west-1.amazonaws.com/kmeans:1');
    expect(kmeansImageUri('us-east-1')).toBe('382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1');
    expect(() => kmeansImageUri('mars-north-1')).toThrow(/region "mars-north-1"; supported: us-east-1, us-east-2, .*ca-central-1/);
  });

  it('renders hyperparameters as strings, with only the ones set', () => {
    expect(kmeansHyperparameters({ featureDim: 1024, k: 48 })).toEqual({ feature_dim: '1024', k: '48' });
    expect(
      kmeansHyperparameters({ featureDim: 64, k: 10, miniBatchSize: 500, epochs: 3, initMethod: 'kmeans++', extraCenterFactor: 'auto', localLloydTol: 0.0001, evalMetrics: ['msd', 'ssd'] }),
    ).toEqual({ feature_dim: '64', k: '10', mini_batch_size: '500', epochs: '3', init_method: 'kmeans++', extra_center_factor: 'auto', local_lloyd_tol: '0.0001', eval_metrics: '["msd","ssd"]' });
  });

  it('refuses invalid hyperparameters, naming the field', () => {
    expect(() => kmeansHyperparameters({ featureDim: 0, k: 4 })).toThrow(/featureDim must be an integer >= 1/);
    expect(() => kmeansHyperparameters({ featureDim: 4, k: 1 })).toThrow(/k must be an integer >= 2/);
    expect(() => kmeansHyperparameters({ featureDim: 4, k: 4, localLloydTol: 2 })).toThrow(/localLloydTol/);
  });

  it('writes one headerless CSV line per vector that parses back to the same float32 values', () => {
    const vectors = [Float32Array.from([0.1, -0.25, 3]), Float32Array.from([1 / 3, 0, -1e-7])];
    const lines = [...trainingCsvLines(vectors, 3)];
    expect(lines[0]).toBe('0.1,-0.25,3');
    expect(lines.map((l) => Float32Array.from(l.split(',').map(Number)))).toEqual(vectors);
    expect(() => [...trainingCsvLines([Float32Array.from([1])], 2)]).toThrow(/vector 0 has dimension 1, expected 2/);
  });

  it('parses transform JSON lines into integer clusters aligned with the input order', async () => {
    const lines = ['{"closest_cluster": 3.0, "distance_to_cluster": 0.41}', '{"closest_cluster": 0.0, "distance_to_cluster": 1.5}', ''];
    expect(await parseTransformOutput(lines, { expectedCount: 2, k: 4 })).toEqual([
      { cluster: 3, distance: 0.41 },
      { cluster: 0, distance: 1.5 },
    ]);
  });

  it('refuses a fractional or out-of-range cluster, a non-JSON line and a short output', async () => {
    await expect(parseTransformOutput(['{"closest_cluster": 1.5, "distance_to_cluster": 0}'], { expectedCount: 1, k: 4 })).rejects.toThrow(/line 1: closest_cluster 1.5/);
    await expect(parseTransformOutput(['{"closest_cluster": 4, "distance_to_cluster": 0}'], { expectedCount: 1, k: 4 })).rejects.toThrow(/from 0 to 3/);
    await expect(parseTransformOutput(['oops'], { expectedCount: 1, k: 4 })).rejects.toThrow(/line 1 is not JSON/);
    await expect(parseTransformOutput(['{"closest_cluster": 1, "distance_to_cluster": 0}'], { expectedCount: 2, k: 4 })).rejects.toThrow(/has 1 records, expected 2/);
  });
});
