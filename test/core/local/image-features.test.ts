import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  IMAGE_FEATURE_LENGTH,
  WORKING_SIZE,
  decodeWorkingImage,
  extractImageFeatures,
  flipHorizontal,
  imageFeatures,
} from '../../../core/local/image-features';

function svg(body: string, background: string): Promise<Buffer> {
  const doc = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="160"><rect width="200" height="160" fill="${background}"/>${body}</svg>`;
  return sharp(Buffer.from(doc)).png().toBuffer();
}

const neon = () => svg('<circle cx="100" cy="80" r="50" fill="none" stroke="#ff00ee" stroke-width="6"/><path d="M20 20 L180 140" stroke="#00ffee" stroke-width="5"/>', '#0a0614');
const pale = () => svg('<circle cx="100" cy="80" r="50" fill="#e8dcc8"/><rect x="30" y="100" width="60" height="40" fill="#d8e4e8"/>', '#f7f3ec');

function euclidean(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.sqrt(s);
}

describe('image features', () => {
  it('decodes any size to the working size in RGB', async () => {
    const image = await decodeWorkingImage(await pale());
    expect([image.width, image.height]).toEqual([WORKING_SIZE, WORKING_SIZE]);
    expect(image.data.length).toBe(WORKING_SIZE * WORKING_SIZE * 3);
  });

  it('gives a fixed-length, finite vector for colour, grey, transparent and JPEG inputs', async () => {
    const grey = await sharp({ create: { width: 40, height: 90, channels: 3, background: '#808080' } }).greyscale().png().toBuffer();
    const transparent = await sharp({ create: { width: 50, height: 50, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const jpeg = await sharp(await neon()).jpeg().toBuffer();
    for (const bytes of [await neon(), grey, transparent, jpeg]) {
      const f = await extractImageFeatures(bytes);
      expect(f.length).toBe(IMAGE_FEATURE_LENGTH);
      expect(f.every(Number.isFinite)).toBe(true);
    }
  });

  it('is deterministic for the same bytes', async () => {
    const bytes = await neon();
    expect(await extractImageFeatures(bytes)).toEqual(await extractImageFeatures(bytes));
  });

  it('sets a dark neon image far from a pale one, and a re-encoded copy close to its original', async () => {
    const a = await extractImageFeatures(await neon());
    const b = await extractImageFeatures(await pale());
    const aJpeg = await extractImageFeatures(await sharp(await neon()).jpeg({ quality: 90 }).toBuffer());
    expect(euclidean(a, aJpeg)).toBeLessThan(euclidean(a, b) / 3);
  });

  it('reads a dark frame with bright saturated strokes as more neon than a pale picture', async () => {
    // Colour statistics follow the 28 colour names and 11 saturation/value bins: [meanS, stdS, meanV, stdV, dark,
    // brightSat, neon, ...].
    const stats = (f: Float32Array) => f.subarray(28 + 11, 28 + 11 + 7);
    const n = stats(await extractImageFeatures(await neon()));
    const p = stats(await extractImageFeatures(await pale()));
    expect(n[4]).toBeGreaterThan(0.5);
    expect(p[4]).toBe(0);
    expect(n[6]).toBeGreaterThan(p[6] as number);
    expect(n[2]).toBeLessThan(p[2] as number);
  });

  it('mirroring twice gives back the same image', async () => {
    const image = await decodeWorkingImage(await neon());
    expect(flipHorizontal(flipHorizontal(image)).data).toEqual(image.data);
    expect(imageFeatures(flipHorizontal(image))).not.toEqual(imageFeatures(image));
  });

  it('rejects bytes that are not an image', async () => {
    await expect(extractImageFeatures(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toThrow();
    const truncated = (await pale()).subarray(0, 60);
    await expect(extractImageFeatures(truncated)).rejects.toThrow();
  });
});
