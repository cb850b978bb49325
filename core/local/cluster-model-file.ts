/**
 * The stored form of a k-means model, kept between pipeline runs (warm start, serving-side assignment). Versioned
 * JSON; centroids as base64 little-endian float32 (compact, exact) or plain number arrays (readable in a diff).
 */
import { ValidationError } from '../errors';
import type { ClusterModel } from '../ports/clusterer';

const FORMAT = 'kmeans-cluster-model';
const VERSION = 1;

export type CentroidEncoding = 'base64-f32le' | 'array';

export interface SerializeOptions {
  /** @default 'base64-f32le' */
  readonly encoding?: CentroidEncoding;
}

export function serializeClusterModel(model: ClusterModel, options: SerializeOptions = {}): string {
  const encoding = options.encoding ?? 'base64-f32le';
  if (model.centroids.length !== model.k) {
    throw new ValidationError(`model says k = ${model.k} but has ${model.centroids.length} centroids`, { field: 'model' });
  }
  const centroids = model.centroids.map((c, i) => {
    if (c.length !== model.dimension) {
      throw new ValidationError(`centroid ${i} has dimension ${c.length}, expected ${model.dimension}`, { field: 'model' });
    }
    return encoding === 'array' ? Array.from(c) : encodeFloat32(c);
  });
  return `${JSON.stringify({ format: FORMAT, version: VERSION, k: model.k, dimension: model.dimension, encoding, centroids })}\n`;
}

export function parseClusterModel(input: string | Uint8Array): ClusterModel {
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ValidationError('cluster model file is not JSON; was it truncated?', { field: 'model', cause: error });
  }
  if (raw === null || typeof raw !== 'object' || raw.format !== FORMAT) {
    throw new ValidationError(`not a cluster model file: format is ${JSON.stringify(raw?.format)}, expected "${FORMAT}"`, { field: 'model' });
  }
  if (raw.version !== VERSION) {
    throw new ValidationError(`cluster model file version ${JSON.stringify(raw.version)} is not supported (this code reads ${VERSION}); retrain the model`, {
      field: 'model',
    });
  }
  const { k, dimension, encoding, centroids } = raw;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw invalid(`k must be a positive integer, got ${JSON.stringify(k)}`);
  if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1) {
    throw invalid(`dimension must be a positive integer, got ${JSON.stringify(dimension)}`);
  }
  if (encoding !== 'base64-f32le' && encoding !== 'array') throw invalid(`unknown centroid encoding ${JSON.stringify(encoding)}`);
  if (!Array.isArray(centroids) || centroids.length !== k) {
    throw invalid(`expected ${k} centroids, found ${Array.isArray(centroids) ? centroids.length : 'none'}`);
  }
  const parsed = centroids.map((c: unknown, i) => {
    const vector = encoding === 'array' ? fromArray(c, i) : decodeFloat32(c, i);
    if (vector.length !== dimension) throw invalid(`centroid ${i} has dimension ${vector.length}, expected ${dimension}`);
    if (!vector.every(Number.isFinite)) throw invalid(`centroid ${i} has a NaN or infinite component`);
    return vector;
  });
  return { k, dimension, centroids: parsed };
}

function encodeFloat32(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return Buffer.from(bytes).toString('base64');
}

function decodeFloat32(value: unknown, index: number): Float32Array {
  if (typeof value !== 'string') throw invalid(`centroid ${index} must be a base64 string`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length % 4 !== 0) throw invalid(`centroid ${index} has ${bytes.length} bytes, not a whole number of float32s`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function fromArray(value: unknown, index: number): Float32Array {
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'number')) throw invalid(`centroid ${index} must be an array of numbers`);
  return Float32Array.from(value as number[]);
}

function invalid(message: string): ValidationError {
  return new ValidationError(`invalid cluster model file: ${message}`, { field: 'model' });
}
