import { describe, it, expect, beforeEach } from 'vitest';
import sharp from 'sharp';
import {
  AccessDeniedException, BedrockRuntimeClient, InvokeModelCommand, ModelTimeoutException, ThrottlingException, ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import type { InvokeModelCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { AppError, ValidationError } from '../../../core/errors';
import { TitanEmbedder, TITAN_MODEL_ID } from '../../../core/aws/titan-embedder';
import { norm } from '../../../core/vector-math';
import { createRandom } from '../../../core/random';

const client = new BedrockRuntimeClient({ region: 'us-east-1' });
const bedrock = mockClient(client);

function reply(body: unknown): InvokeModelCommandOutput {
  return { body: new TextEncoder().encode(JSON.stringify(body)), contentType: 'application/json', $metadata: {} } as unknown as InvokeModelCommandOutput;
}

/** A deterministic fake embedding: component i = (i + 1) * seed. */
function embedding(length: number, seed = 1): number[] {
  return Array.from({ length }, (_, i) => (i + 1) * seed);
}

function sentBodies(): Record<string, unknown>[] {
  return bedrock.commandCalls(InvokeModelCommand).map((call) => JSON.parse(String(call.args[0].input.body)) as Record<string, unknown>);
}

function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

async function png(width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer());
}

describe('TitanEmbedder', () => {
  beforeEach(() => bedrock.reset());

  it('sends the model id, JSON content type and accept, and the configured output length for a text', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: embedding(256), inputTextTokenCount: 2 }));
    const embedder = new TitanEmbedder({ client, outputEmbeddingLength: 256 });
    const [vector] = await embedder.embedText(['a red cat']);
    const input = bedrock.commandCalls(InvokeModelCommand)[0]?.args[0].input;
    expect(input?.modelId).toBe(TITAN_MODEL_ID);
    expect(input?.contentType).toBe('application/json');
    expect(input?.accept).toBe('application/json');
    expect(sentBodies()).toEqual([{ inputText: 'a red cat', embeddingConfig: { outputEmbeddingLength: 256 } }]);
    expect(vector).toHaveLength(256);
    expect(embedder.dimension).toBe(256);
    expect(embedder.modelVersion).toBe(`${TITAN_MODEL_ID}/256`);
  });

  it('L2-normalises the returned vectors', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: embedding(384, 3) }));
    const [vector] = await new TitanEmbedder({ client, outputEmbeddingLength: 384 }).embedText(['x']);
    expect(norm(vector as Float32Array)).toBeCloseTo(1, 6);
    expect((vector as Float32Array)[1]! / (vector as Float32Array)[0]!).toBeCloseTo(2, 5);
  });

  it('sends an image as base64 of its own bytes when it is within the limits', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: embedding(1024) }));
    const bytes = await png(32, 16);
    const result = await new TitanEmbedder({ client }).embedImages([{ id: 'img-1', bytes }]);
    expect(sentBodies()).toEqual([{ inputImage: Buffer.from(bytes).toString('base64'), embeddingConfig: { outputEmbeddingLength: 1024 } }]);
    expect(result.embedded.map((e) => e.id)).toEqual(['img-1']);
    expect(result.skipped).toEqual([]);
  });

  it('sends text and image together in one body', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: embedding(1024) }));
    const bytes = await png(8, 8);
    await new TitanEmbedder({ client }).embedTextAndImage('cat', bytes);
    expect(sentBodies()).toEqual([
      { inputText: 'cat', inputImage: Buffer.from(bytes).toString('base64'), embeddingConfig: { outputEmbeddingLength: 1024 } },
    ]);
  });

  it('resizes an image wider than 2048 px to fit inside 2048 x 2048 and re-encodes it as JPEG', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: embedding(1024) }));
    await new TitanEmbedder({ client }).embedImages([{ id: 'wide', bytes: await png(3000, 300) }]);
    const sent = Buffer.from(String(sentBodies()[0]?.inputImage), 'base64');
    const meta = await sharp(sent).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 2048, 205]);
  });

  it('re-encodes an image above the byte limit until it fits', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: embedding(1024) }));
    const noisy = Buffer.alloc(300 * 300 * 3);
    const random = createRandom(7);
    for (let i = 0; i < noisy.length; i++) noisy[i] = random.int(256);
    const bytes = new Uint8Array(await sharp(noisy, { raw: { width: 300, height: 300, channels: 3 } }).png().toBuffer());
    const limit = 60_000;
    expect(bytes.byteLength).toBeGreaterThan(limit);
    await new TitanEmbedder({ client, maxImageBytes: limit }).embedImages([{ id: 'big', bytes }]);
    expect(Buffer.from(String(sentBodies()[0]?.inputImage), 'base64').byteLength).toBeLessThanOrEqual(limit);
  });

  it('skips an undecodable image by id and still embeds the rest of the batch, in input order', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: embedding(1024) }));
    const good = await png(8, 8);
    const result = await new TitanEmbedder({ client }).embedImages([
      { id: 'a', bytes: good },
      { id: 'broken', bytes: new Uint8Array([1, 2, 3, 4]) },
      { id: 'c', bytes: good },
    ]);
    expect(result.embedded.map((e) => e.id)).toEqual(['a', 'c']);
    expect(result.skipped).toEqual([{ id: 'broken', reason: expect.stringMatching(/does not decode/) }]);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(2);
  });

  it('reports an image Bedrock rejects with a ValidationException as skipped, without retrying it', async () => {
    bedrock.on(InvokeModelCommand).rejects(new ValidationException({ message: 'bad image', $metadata: {} }));
    const result = await new TitanEmbedder({ client }).embedImages([{ id: 'x', bytes: await png(8, 8) }]);
    expect(result.skipped).toEqual([{ id: 'x', reason: 'Bedrock rejected the image: bad image' }]);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(1);
  });

  it.each([
    ['ThrottlingException', () => new ThrottlingException({ message: 'slow down', $metadata: {} })],
    ['ModelTimeoutException', () => new ModelTimeoutException({ message: 'timed out', $metadata: {} })],
  ])('retries a %s with full-jitter exponential backoff', async (_name, makeError) => {
    bedrock.on(InvokeModelCommand).rejectsOnce(makeError()).rejectsOnce(makeError()).resolves(reply({ embedding: embedding(1024) }));
    const { delays, sleep } = recordingSleep();
    const embedder = new TitanEmbedder({ client, retry: { sleep, random: () => 0.5, baseDelayMs: 100 } });
    await embedder.embedText(['cat']);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(3);
    expect(delays).toEqual([50, 100]);
  });

  it.each(['ServiceUnavailableException', 'InternalServerException', 'ModelNotReadyException'])('retries a %s', async (name) => {
    const error = Object.assign(new Error(name), { name, $metadata: {} });
    bedrock.on(InvokeModelCommand).rejectsOnce(error).resolves(reply({ embedding: embedding(1024) }));
    const { delays, sleep } = recordingSleep();
    await new TitanEmbedder({ client, retry: { sleep, random: () => 0 } }).embedText(['cat']);
    expect(delays).toEqual([0]);
  });

  it('gives up after maxAttempts and rethrows the last throttling error', async () => {
    bedrock.on(InvokeModelCommand).rejects(new ThrottlingException({ message: 'slow down', $metadata: {} }));
    const { delays, sleep } = recordingSleep();
    const embedder = new TitanEmbedder({ client, retry: { sleep, random: () => 0.999, maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 } });
    await expect(embedder.embedText(['cat'])).rejects.toBeInstanceOf(ThrottlingException);
    expect(delays).toEqual([99, 199, 249]);
  });

  it('does not retry an AccessDeniedException or a ValidationException on a text', async () => {
    bedrock.on(InvokeModelCommand).rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));
    const { delays, sleep } = recordingSleep();
    await expect(new TitanEmbedder({ client, retry: { sleep } }).embedText(['cat'])).rejects.toBeInstanceOf(AccessDeniedException);
    bedrock.reset();
    bedrock.on(InvokeModelCommand).rejects(new ValidationException({ message: 'too long', $metadata: {} }));
    await expect(new TitanEmbedder({ client, retry: { sleep } }).embedText(['cat'])).rejects.toBeInstanceOf(ValidationException);
    expect(delays).toEqual([]);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(1);
  });

  it('also fails an image batch on AccessDeniedException instead of skipping', async () => {
    bedrock.on(InvokeModelCommand).rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));
    await expect(new TitanEmbedder({ client }).embedImages([{ id: 'x', bytes: await png(8, 8) }])).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('treats a message in the response body as an error', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: null, message: 'input too long' }));
    await expect(new TitanEmbedder({ client }).embedText(['cat'])).rejects.toThrow(/returned an error message: input too long/);
  });

  it('rejects an embedding of the wrong length', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: embedding(256) }));
    await expect(new TitanEmbedder({ client }).embedText(['cat'])).rejects.toThrow(/dimension 256, expected 1024/);
  });

  it('rejects a body without a numeric embedding', async () => {
    bedrock.on(InvokeModelCommand).resolves(reply({ embedding: ['a'] }));
    await expect(new TitanEmbedder({ client }).embedText(['cat'])).rejects.toBeInstanceOf(AppError);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    bedrock.on(InvokeModelCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return reply({ embedding: embedding(1024) });
    });
    const vectors = await new TitanEmbedder({ client, concurrency: 3 }).embedText(Array.from({ length: 10 }, (_, i) => `t${i}`));
    expect(vectors).toHaveLength(10);
    expect(peak).toBe(3);
  });

  it('returns text vectors in input order', async () => {
    bedrock.on(InvokeModelCommand).callsFake(async (input: { body: string }) => {
      const seed = Number((JSON.parse(input.body) as { inputText: string }).inputText);
      await new Promise((resolve) => setTimeout(resolve, (5 - seed) * 2));
      return reply({ embedding: [seed, 1, ...new Array(1022).fill(0)] });
    });
    const vectors = await new TitanEmbedder({ client, concurrency: 5 }).embedText(['1', '2', '3', '4']);
    expect(vectors.map((v) => Math.round((v[0]! / v[1]!) * 10) / 10)).toEqual([1, 2, 3, 4]);
  });

  it.each([[512], [0], [1023]])('refuses outputEmbeddingLength %d, naming the allowed values', (length) => {
    expect(() => new TitanEmbedder({ client, outputEmbeddingLength: length })).toThrow(/outputEmbeddingLength must be one of 256, 384, 1024/);
  });

  it('refuses a concurrency below 1', () => {
    expect(() => new TitanEmbedder({ client, concurrency: 0 })).toThrow(ValidationError);
  });

  it('refuses an empty text before calling Bedrock', async () => {
    await expect(new TitanEmbedder({ client }).embedText([' '])).rejects.toThrow(/text 0 is empty/);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(0);
  });
});
