/**
 * The local embedder's model file: one JSON document holding the configuration, the caption vocabulary and every
 * weight tensor as base64 little-endian Float32. Written atomically (temp file + rename) so a reader never sees half
 * a model, and byte-for-byte reproducible: the same weights always serialise to the same bytes.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError, NotFoundError } from '../errors';
import type { DualEncoderWeights } from './dual-encoder';
import { IMAGE_FEATURE_LENGTH, IMAGE_FEATURE_VERSION } from './image-features';

export const MODEL_FORMAT = 'local-dual-encoder';
/** Bump when the file layout changes; load refuses any other version. */
export const MODEL_FORMAT_VERSION = 1;

/** A model file that exists but cannot be used: wrong format, other version, or damaged content. */
export class ModelFileError extends AppError {}

interface ModelFileHeader {
  readonly format: string;
  readonly formatVersion: number;
  readonly modelVersion: string;
  readonly imageFeatureVersion: string;
  readonly dimension: number;
  readonly featureLength: number;
  readonly hidden: number;
  readonly training: Readonly<Record<string, number | string>>;
  readonly vocabulary: { readonly documents: number; readonly terms: readonly string[] };
  readonly tensors: Readonly<Record<TensorName, string>>;
}

const TENSORS = ['featureMean', 'featureScale', 'w1', 'b1', 'w2', 'textWeights', 'idf'] as const;
type TensorName = (typeof TENSORS)[number];

function tensorOf(weights: DualEncoderWeights, name: TensorName): Float32Array {
  return name === 'idf' ? weights.vocabulary.idf : weights[name];
}

/** A content hash of the weights and settings: equal models get equal versions, any change gets a new one. */
export function modelVersionOf(weights: DualEncoderWeights, training: Readonly<Record<string, number | string>>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ f: MODEL_FORMAT_VERSION, i: IMAGE_FEATURE_VERSION, d: weights.dimension, h: weights.hidden, training }));
  hash.update(weights.vocabulary.terms.join('\n'));
  for (const name of TENSORS) hash.update(encodeTensor(tensorOf(weights, name)));
  return `local-dual-encoder-${hash.digest('hex').slice(0, 16)}`;
}

export function serializeModel(
  weights: DualEncoderWeights,
  modelVersion: string,
  training: Readonly<Record<string, number | string>>,
): string {
  const tensors = Object.fromEntries(TENSORS.map((name) => [name, encodeTensor(tensorOf(weights, name)).toString('base64')]));
  const header: ModelFileHeader = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    modelVersion,
    imageFeatureVersion: IMAGE_FEATURE_VERSION,
    dimension: weights.dimension,
    featureLength: weights.featureLength,
    hidden: weights.hidden,
    training,
    vocabulary: { documents: weights.vocabulary.documents, terms: weights.vocabulary.terms },
    tensors: tensors as Record<TensorName, string>,
  };
  return `${JSON.stringify(header)}\n`;
}

export async function writeModelFile(path: string, contents: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temp, contents);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export interface LoadedModel {
  readonly weights: DualEncoderWeights;
  readonly modelVersion: string;
  readonly training: Readonly<Record<string, number | string>>;
}

export async function readModelFile(path: string): Promise<LoadedModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`no embedder model file at ${path}: train one first`, { cause: error });
    }
    throw error;
  }
  return parseModel(text, path);
}

export function parseModel(text: string, source = 'model file'): LoadedModel {
  let header: ModelFileHeader;
  try {
    header = JSON.parse(text) as ModelFileHeader;
  } catch (error) {
    throw new ModelFileError(`${source} is not a ${MODEL_FORMAT} model (not JSON)`, { cause: error });
  }
  if (header?.format !== MODEL_FORMAT) {
    throw new ModelFileError(`${source} is not a ${MODEL_FORMAT} model (format is ${JSON.stringify(header?.format)})`);
  }
  if (header.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelFileError(
      `${source} has model format version ${JSON.stringify(header.formatVersion)}, this code reads version ${MODEL_FORMAT_VERSION}: retrain the embedder`,
    );
  }
  if (header.imageFeatureVersion !== IMAGE_FEATURE_VERSION || header.featureLength !== IMAGE_FEATURE_LENGTH) {
    throw new ModelFileError(
      `${source} was trained on image features ${header.imageFeatureVersion} (${header.featureLength} values), this code extracts ${IMAGE_FEATURE_VERSION} (${IMAGE_FEATURE_LENGTH}): retrain the embedder`,
    );
  }
  const { dimension, featureLength, hidden, vocabulary } = header;
  if (!Number.isInteger(dimension) || dimension < 2 || !Number.isInteger(hidden) || !Array.isArray(vocabulary?.terms)) {
    throw new ModelFileError(`${source} has a damaged header (dimension ${dimension}, hidden ${hidden})`);
  }
  const terms = vocabulary.terms;
  const expected: Record<TensorName, number> = {
    featureMean: featureLength,
    featureScale: featureLength,
    w1: featureLength * hidden,
    b1: hidden,
    w2: hidden * (dimension - 1),
    textWeights: terms.length * (dimension - 1),
    idf: terms.length,
  };
  const tensors = {} as Record<TensorName, Float32Array>;
  for (const name of TENSORS) {
    const encoded = header.tensors?.[name];
    if (typeof encoded !== 'string') throw new ModelFileError(`${source} is missing tensor ${name}`);
    const values = decodeTensor(Buffer.from(encoded, 'base64'));
    if (values.length !== expected[name]) {
      throw new ModelFileError(`${source}: tensor ${name} has ${values.length} values, expected ${expected[name]}`);
    }
    tensors[name] = values;
  }
  return {
    modelVersion: header.modelVersion,
    training: header.training,
    weights: {
      dimension,
      featureLength,
      hidden,
      featureMean: tensors.featureMean,
      featureScale: tensors.featureScale,
      w1: tensors.w1,
      b1: tensors.b1,
      w2: tensors.w2,
      textWeights: tensors.textWeights,
      vocabulary: { terms, idf: tensors.idf, documents: vocabulary.documents },
    },
  };
}

function encodeTensor(values: Float32Array): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buffer.writeFloatLE(values[i] as number, i * 4);
  return buffer;
}

function decodeTensor(buffer: Buffer): Float32Array {
  if (buffer.length % 4 !== 0) throw new ModelFileError(`a tensor's byte length ${buffer.length} is not a multiple of 4`);
  const out = new Float32Array(buffer.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buffer.readFloatLE(i * 4);
  return out;
}
