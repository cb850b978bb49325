/**
 * The SageMaker built-in K-Means wire formats: training/transform rows as `text/csv` without a header or label, and
 * the transform's `application/jsonlines` output `{"closest_cluster": 3.0, "distance_to_cluster": 0.41}`.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/km-in-formats.html
 */
import { ValidationError } from './errors';

/** One CSV row; 8 significant digits keep float32 precision in half the characters of a double. */
export function kmeansCsvRow(vector: ArrayLike<number>): string {
  const cells = new Array<string>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i] as number;
    if (!Number.isFinite(value)) throw new ValidationError(`vector component ${i} is ${value}: K-Means needs finite numbers`, { field: 'vector' });
    cells[i] = String(Number(value.toPrecision(8)));
  }
  return cells.join(',');
}

/** The cluster id of one transform output line; ids come back as floats ("3.0") and must be integers in [0, k). */
export function parseKmeansAssignment(line: string, k: number, where: string): number {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ValidationError(`${where} is not JSON: expected {"closest_cluster": <number>, ...}`, { field: 'transformOutput' });
  }
  const cluster = (value as { closest_cluster?: unknown } | null)?.closest_cluster;
  if (typeof cluster !== 'number' || !Number.isInteger(cluster) || cluster < 0 || cluster >= k) {
    throw new ValidationError(`${where} has closest_cluster ${JSON.stringify(cluster)}: expected an integer in [0, ${k})`, { field: 'transformOutput' });
  }
  return cluster;
}
