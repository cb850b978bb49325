/**
 * Titan Multimodal Embeddings G1 through Bedrock InvokeModel: one call per text or image, a few in flight at once.
 * Images are brought within the model's limits first; the vectors are L2-normalised here because the model's own
 * normalisation is not documented. https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-mm.html
 */
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { AppError, DimensionMismatchError, ValidationError } from '../errors';
import type { EmbedImagesResult, EmbeddedImage, Embedder, ImageInput, SkippedImage } from '../ports/embedder';
import { normalizeInPlace } from '../vector-math';
import { prepareTitanImage, TITAN_MAX_IMAGE_BYTES, TITAN_MAX_IMAGE_SIDE } from './titan-image';
import { errorMessage, errorName, mapLimited, validateRetryOptions, withRetry } from './retry';
import type { RetryOptions } from './retry';

export const TITAN_MODEL_ID = 'amazon.titan-embed-image-v1';
export const TITAN_OUTPUT_LENGTHS = [256, 384, 1024] as const;
export type TitanOutputLength = (typeof TITAN_OUTPUT_LENGTHS)[number];

/** Throttling and transient service faults; everything else (ValidationException, AccessDeniedException) fails at once. */
export const TITAN_RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'ModelTimeoutException',
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelNotReadyException',
  // The SDK's own name for a socket or request timeout.
  'TimeoutError',
]);

export interface TitanEmbedderProps {
  /** A configured client; create one with `maxAttempts: 1` so this adapter's backoff is the only retry layer. @default new BedrockRuntimeClient({ region, maxAttempts: 1 }) */
  readonly client?: BedrockRuntimeClient;
  /** Used only when no client is given. */
  readonly region?: string;
  /** @default 1024 */
  readonly outputEmbeddingLength?: number;
  /** InvokeModel calls in flight at once; size it from the model's tokens-per-minute quota. @default 4 */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  /** @default 2048 */
  readonly maxImageSide?: number;
  /** @default 5 MB, the smaller of the two documented limits */
  readonly maxImageBytes?: number;
}

interface TitanBody {
  inputText?: string;
  inputImage?: string;
  embeddingConfig: { outputEmbeddingLength: number };
}

export class TitanEmbedder implements Embedder {
  readonly dimension: number;
  readonly modelVersion: string;
  private readonly client: BedrockRuntimeClient;
  private readonly concurrency: number;
  private readonly retry: RetryOptions;
  private readonly maxImageSide: number;
  private readonly maxImageBytes: number;

  constructor(props: TitanEmbedderProps = {}) {
    const length = props.outputEmbeddingLength ?? 1024;
    if (!(TITAN_OUTPUT_LENGTHS as readonly number[]).includes(length)) {
      throw new ValidationError(`outputEmbeddingLength must be one of ${TITAN_OUTPUT_LENGTHS.join(', ')}, got ${length}`, {
        field: 'outputEmbeddingLength',
      });
    }
    this.concurrency = props.concurrency ?? 4;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new ValidationError(`concurrency must be an integer >= 1, got ${props.concurrency}`, { field: 'concurrency' });
    }
    validateRetryOptions(props.retry, 'retry');
    this.dimension = length;
    this.modelVersion = `${TITAN_MODEL_ID}/${length}`;
    this.client = props.client ?? new BedrockRuntimeClient({ ...(props.region !== undefined && { region: props.region }), maxAttempts: 1 });
    this.retry = props.retry ?? {};
    this.maxImageSide = props.maxImageSide ?? TITAN_MAX_IMAGE_SIDE;
    this.maxImageBytes = props.maxImageBytes ?? TITAN_MAX_IMAGE_BYTES;
  }

  async embedText(texts: readonly string[]): Promise<Float32Array[]> {
    texts.forEach((text, i) => {
      if (typeof text !== 'string' || text.trim() === '') {
        throw new ValidationError(`text ${i} is empty: a text query needs at least one word`, { field: 'texts' });
      }
    });
    return mapLimited(texts, this.concurrency, (text) => this.invoke({ inputText: text, embeddingConfig: this.config() }));
  }

  /**
   * Undecodable images, and images Bedrock rejects with a ValidationException, are reported in `skipped` by id;
   * other errors (access denied, retries exhausted) fail the whole call.
   */
  async embedImages(images: readonly ImageInput[]): Promise<EmbedImagesResult> {
    const results = await mapLimited(images, this.concurrency, async (image): Promise<EmbeddedImage | SkippedImage> => {
      const prepared = await prepareTitanImage(image.bytes, { maxSide: this.maxImageSide, maxBytes: this.maxImageBytes });
      if (!prepared.ok) return { id: image.id, reason: prepared.reason };
      try {
        const vector = await this.invoke({ inputImage: base64(prepared.bytes), embeddingConfig: this.config() });
        return { id: image.id, vector };
      } catch (error) {
        if (errorName(error) === 'ValidationException') return { id: image.id, reason: `Bedrock rejected the image: ${errorMessage(error)}` };
        throw error;
      }
    });
    const embedded: EmbeddedImage[] = [];
    const skipped: SkippedImage[] = [];
    for (const r of results) {
      if ('vector' in r) embedded.push(r);
      else skipped.push(r);
    }
    return { embedded, skipped };
  }

  /** Text and image in one call: Titan returns the mean of the two embeddings. */
  async embedTextAndImage(text: string, image: Uint8Array): Promise<Float32Array> {
    if (typeof text !== 'string' || text.trim() === '') throw new ValidationError('text is empty', { field: 'text' });
    const prepared = await prepareTitanImage(image, { maxSide: this.maxImageSide, maxBytes: this.maxImageBytes });
    if (!prepared.ok) throw new ValidationError(`the image cannot be embedded: ${prepared.reason}`, { field: 'image' });
    return this.invoke({ inputText: text, inputImage: base64(prepared.bytes), embeddingConfig: this.config() });
  }

  private config(): { outputEmbeddingLength: number } {
    return { outputEmbeddingLength: this.dimension };
  }

  private async invoke(body: TitanBody): Promise<Float32Array> {
    const response = await withRetry(
      () =>
        this.client.send(
          new InvokeModelCommand({ modelId: TITAN_MODEL_ID, contentType: 'application/json', accept: 'application/json', body: JSON.stringify(body) }),
        ),
      (error) => TITAN_RETRYABLE_ERRORS.has(errorName(error) ?? ''),
      this.retry,
    );
    return this.parse(response.body);
  }

  private parse(raw: Uint8Array | undefined): Float32Array {
    let parsed: { embedding?: unknown; message?: unknown };
    try {
      parsed = JSON.parse(new TextDecoder().decode(raw)) as typeof parsed;
    } catch (error) {
      throw new AppError(`${TITAN_MODEL_ID} returned a body that is not JSON`, { cause: error });
    }
    // The response carries `message` when the model could not embed the input, even with HTTP 200.
    if (typeof parsed.message === 'string' && parsed.message.length > 0) {
      throw new AppError(`${TITAN_MODEL_ID} returned an error message: ${parsed.message}`);
    }
    const { embedding } = parsed;
    if (!Array.isArray(embedding) || !embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new AppError(`${TITAN_MODEL_ID} returned no numeric "embedding" array`);
    }
    if (embedding.length !== this.dimension) throw new DimensionMismatchError(this.dimension, embedding.length, `${TITAN_MODEL_ID} embedding`);
    const vector = Float32Array.from(embedding as number[]);
    if (!vector.some((x) => x !== 0)) throw new AppError(`${TITAN_MODEL_ID} returned an all-zero embedding`);
    return normalizeInPlace(vector);
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
