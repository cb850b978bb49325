/**
 * The SageMaker built-in K-Means wire formats: training/transform rows as `text/csv` without a header or label, and
 * the transform's `application/jsonlines` output `{"closest_cluster": 3.0, "distance_to_cluster": 0.41}`.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/km-in-formats.html
 */
import { ValidationError } from './errors';

/** One CSV row, each value the shortest decimal that reads back as the same float32. */
export function kmeansCsvRow(vector: ArrayLike<number>): string {
  const cells = new Array<string>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i] as number;
    if (!Number.isFinite(value)) throw new ValidationError(`vector component ${i} is ${value}: K-Means needs finite numbers`, { field: 'vector' });
    cells[i] = shortestFloat32(value);
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

/** A training/transform row back to a vector (what the built-in algorithm reads); `where` names the row in errors. */
export function parseKmeansCsvRow(line: string, dimension: number, where: string): Float32Array {
  const cells = line.split(',');
  if (cells.length !== dimension) throw new ValidationError(`${where} has ${cells.length} values, expected feature_dim = ${dimension}`, { field: 'trainingData' });
  const vector = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) {
    const value = Number(cells[i]);
    if (cells[i] === '' || !Number.isFinite(value)) throw new ValidationError(`${where} value ${i} is "${cells[i]}", not a number`, { field: 'trainingData' });
    vector[i] = value;
  }
  return vector;
}

/** One transform output line, as the built-in K-Means writes it (cluster ids are floats). */
export function kmeansAssignmentLine(cluster: number, distance: number): string {
  return `{"closest_cluster": ${cluster.toFixed(1)}, "distance_to_cluster": ${Number(distance.toPrecision(8))}}`;
}

/** One CSV line per vector, no header, as the `train` channel (`text/csv;label_size=0`) and the transform input expect. */
export function* trainingCsvLines(vectors: Iterable<Float32Array>, dimension: number): Generator<string> {
  let row = 0;
  for (const vector of vectors) {
    if (vector.length !== dimension) throw new ValidationError(`vector ${row} has dimension ${vector.length}, expected ${dimension}`, { field: 'vectors' });
    if (!vector.every(Number.isFinite)) throw new ValidationError(`vector ${row} has a NaN or infinite component`, { field: 'vectors' });
    yield kmeansCsvRow(vector);
    row++;
  }
}

export interface KMeansAssignment {
  readonly cluster: number;
  readonly distance: number;
}

/**
 * Parses the transform output (one `{"closest_cluster": 3.0, "distance_to_cluster": 0.41}` per input line, in input
 * order with AssembleWith Line) into assignments; `expectedCount` and `k` catch a truncated or mismatched output.
 */
export async function parseTransformOutput(lines: AsyncIterable<string> | Iterable<string>, options: { readonly expectedCount: number; readonly k: number }): Promise<KMeansAssignment[]> {
  const out: KMeansAssignment[] = [];
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber++;
    const line = raw.trim();
    if (line === '') continue;
    let parsed: { closest_cluster?: unknown; distance_to_cluster?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch (error) {
      throw new ValidationError(`transform output line ${lineNumber} is not JSON: ${line.slice(0, 80)}`, { field: 'transformOutput', cause: error });
    }
    const cluster = parsed.closest_cluster;
    const distance = parsed.distance_to_cluster;
    if (typeof cluster !== 'number' || !Number.isInteger(cluster) || cluster < 0 || cluster >= options.k) {
      throw new ValidationError(`transform output line ${lineNumber}: closest_cluster ${JSON.stringify(cluster)} is not a whole number from 0 to ${options.k - 1}`, {
        field: 'transformOutput',
      });
    }
    if (typeof distance !== 'number' || !Number.isFinite(distance) || distance < 0) {
      throw new ValidationError(`transform output line ${lineNumber}: distance_to_cluster ${JSON.stringify(distance)} is not a number >= 0`, { field: 'transformOutput' });
    }
    out.push({ cluster, distance });
  }
  if (out.length !== options.expectedCount) {
    throw new ValidationError(`transform output has ${out.length} records, expected ${options.expectedCount} (one per input vector, in order)`, {
      field: 'transformOutput',
    });
  }
  return out;
}

/** The shortest decimal that parses back to the same float32 (of a float32 value): a third of the bytes of a float64 print. */
function shortestFloat32(x: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(x.toPrecision(digits)));
    if (Math.fround(Number(text)) === x) return text;
  }
  return String(Number(x.toPrecision(9)));
}
