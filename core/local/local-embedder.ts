/**
 * The laptop stand-in for Titan Multimodal Embeddings: a small dual encoder trained here on the library's own
 * captions (no pretrained weights exist offline). Images go through hand-made pixel features and an MLP, texts
 * through n-gram features and a linear map, into one L2-normalised space.
 */
import { availableParallelism } from 'node:os';
import { ValidationError } from '../errors';
import { createRandom } from '../random';
import type { Random } from '../random';
import type { EmbedImagesResult, EmbeddedImage, Embedder, ImageInput, SkippedImage } from '../ports/embedder';
import { encodeImages, encodeTexts } from './dual-encoder';
import type { DualEncoderWeights } from './dual-encoder';
import { trainDualEncoder } from './dual-encoder-training';
import type { TrainingProgress } from './dual-encoder-training';
import { modelVersionOf, readModelFile, serializeModel, writeModelFile } from './embedder-model-file';
import { decodeWorkingImage, flipHorizontal, imageFeatures } from './image-features';
import { buildTextVocabulary, termFeatures, termIndex, textFeatures, textTerms, tokenize, tokenTerms } from './text-features';

/** Images encoded per matrix product; bounds memory on big batches without slowing small ones. */
const ENCODE_CHUNK = 256;

export class LocalEmbedder implements Embedder {
  readonly dimension: number;
  readonly modelVersion: string;
  private readonly terms: ReadonlyMap<string, number>;

  constructor(
    private readonly weights: DualEncoderWeights,
    /** Training settings recorded in the model file. */
    readonly training: Readonly<Record<string, number | string>> = {},
    modelVersion?: string,
  ) {
    this.dimension = weights.dimension;
    this.modelVersion = modelVersion ?? modelVersionOf(weights, training);
    this.terms = termIndex(weights.vocabulary);
  }

  /** Reads a model file written by `save`; refuses other formats and versions with a ModelFileError. */
  static async load(path: string): Promise<LocalEmbedder> {
    const { weights, training, modelVersion } = await readModelFile(path);
    return new LocalEmbedder(weights, training, modelVersion);
  }

  /** Writes the model atomically; the same model always gives the same bytes. */
  async save(path: string): Promise<void> {
    await writeModelFile(path, serializeModel(this.weights, this.modelVersion, this.training));
  }

  async embedImages(images: readonly ImageInput[]): Promise<EmbedImagesResult> {
    const features = await extractAll(images);
    const skipped: SkippedImage[] = [];
    const ok: { id: string; row: Float32Array }[] = [];
    features.forEach((f, i) => {
      const id = (images[i] as ImageInput).id;
      if ('reason' in f) skipped.push({ id, reason: f.reason });
      else ok.push({ id, row: f.row });
    });
    const embedded: EmbeddedImage[] = [];
    for (let start = 0; start < ok.length; start += ENCODE_CHUNK) {
      const chunk = ok.slice(start, start + ENCODE_CHUNK);
      const vectors = encodeImages(this.weights, chunk.map((c) => c.row));
      chunk.forEach((c, i) => embedded.push({ id: c.id, vector: vectors[i] as Float32Array }));
    }
    return { embedded, skipped };
  }

  async embedText(texts: readonly string[]): Promise<Float32Array[]> {
    texts.forEach((text, i) => {
      if (typeof text !== 'string' || text.trim() === '') {
        throw new ValidationError(`text ${i} is empty: a text query needs at least one word`, { field: 'texts' });
      }
    });
    const sparse = texts.map((t) => textFeatures(this.weights.vocabulary, this.terms, t));
    return encodeTexts(this.weights, sparse);
  }
}

/** One captioned training image. */
export interface TrainingItem {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly caption: string;
}

export interface TrainLocalEmbedderOptions {
  readonly items: readonly TrainingItem[];
  readonly seed: number;
  /** Output dimension (the last axis is reserved for unknown query words). @default 64 */
  readonly dimension?: number;
  /** @default 40 */
  readonly epochs?: number;
  /** Hidden units of the image tower. @default 64 */
  readonly hidden?: number;
  readonly onProgress?: (progress: TrainingProgress) => void;
  /** Called for every training image that does not decode; it is left out of training. */
  readonly onSkipped?: (skipped: SkippedImage) => void;
}

/** Extracts features of every item (plus a mirrored view), builds the caption vocabulary and trains the towers. */
export async function trainLocalEmbedder(options: TrainLocalEmbedderOptions): Promise<LocalEmbedder> {
  const dimension = options.dimension ?? 64;
  const epochs = options.epochs ?? 40;
  const hidden = options.hidden ?? 64;
  if (!Number.isInteger(options.seed)) throw new ValidationError(`seed must be an integer, got ${options.seed}`, { field: 'seed' });
  options.items.forEach((item, i) => {
    if (typeof item.caption !== 'string' || item.caption.trim() === '') {
      throw new ValidationError(`training item ${i} (${item.id}) has an empty caption`, { field: 'caption' });
    }
  });
  const decoded = await mapLimited(options.items, concurrency(), async (item) => {
    try {
      return await decodeWorkingImage(item.bytes);
    } catch (error) {
      options.onSkipped?.({ id: item.id, reason: describe(error) });
      return undefined;
    }
  });
  const imageViews: Float32Array[][] = [];
  const captions: string[] = [];
  decoded.forEach((image, i) => {
    if (image === undefined) return;
    imageViews.push([imageFeatures(image), imageFeatures(flipHorizontal(image))]);
    captions.push((options.items[i] as TrainingItem).caption);
  });
  const vocabulary = buildTextVocabulary(captions);
  const index = termIndex(vocabulary);
  const words = createRandom(options.seed).fork('caption-views');
  const textViews = captions.map((caption) => captionViews(caption, words).map((terms) => termFeatures(vocabulary, index, terms)));
  const weights = trainDualEncoder(
    { imageViews, textViews, vocabulary },
    { seed: options.seed, dimension, epochs, hidden, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
  );
  return new LocalEmbedder(weights, { seed: options.seed, dimension, epochs, hidden, images: imageViews.length });
}

/** Extra shortened copies of each caption the text tower also learns from. */
const CAPTION_VIEWS = 3;
const KEEP_WORD = 0.5;

/**
 * The caption itself plus copies with random words dropped, so the text tower learns what each word means on its
 * own and short queries ("comic cat") land where the long captions they come from do.
 */
function captionViews(caption: string, random: Random): Map<string, number>[] {
  const tokens = tokenize(caption);
  const views = [textTerms(caption)];
  for (let v = 0; v < CAPTION_VIEWS; v++) {
    let kept = tokens.filter(() => random.next() < KEEP_WORD);
    if (kept.length === 0) kept = [random.pick(tokens)];
    views.push(tokenTerms(kept));
  }
  return views;
}

type Extracted = { row: Float32Array } | { reason: string };

async function extractAll(images: readonly ImageInput[]): Promise<Extracted[]> {
  return mapLimited(images, concurrency(), async (image): Promise<Extracted> => {
    try {
      return { row: imageFeatures(await decodeWorkingImage(image.bytes)) };
    } catch (error) {
      return { reason: `image does not decode: ${describe(error)}` };
    }
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** sharp decodes on libuv's thread pool: keep a few decodes in flight per core, not thousands. */
function concurrency(): number {
  return Math.max(2, availableParallelism() * 2);
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
