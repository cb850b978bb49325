import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEmbedder, trainLocalEmbedder } from '../../../core/local/local-embedder';
import type { TrainingItem } from '../../../core/local/local-embedder';
import { ModelFileError } from '../../../core/local/embedder-model-file';
import { NotFoundError, ValidationError } from '../../../core/errors';
import { createRandom } from '../../../core/random';
import { dot, norm } from '../../../core/vector-math';

/** A tiny two-style, two-shape world: neon outlines on black versus pastel fills on paper; balls versus kites. */
async function render(style: 'neon' | 'pastel', shape: 'ball' | 'kite', variant: number): Promise<Buffer> {
  const rnd = createRandom(variant * 31 + (style === 'neon' ? 7 : 0) + (shape === 'ball' ? 3 : 0));
  const cx = rnd.range(35, 61);
  const cy = rnd.range(35, 61);
  const r = rnd.range(18, 28);
  const hue = Math.floor(rnd.range(0, 360));
  const paint =
    style === 'neon'
      ? `fill="none" stroke="hsl(${hue},100%,60%)" stroke-width="4"`
      : `fill="hsl(${hue},45%,80%)" stroke="hsl(${hue},30%,60%)" stroke-width="1"`;
  const body =
    shape === 'ball'
      ? `<circle cx="${cx}" cy="${cy}" r="${r}" ${paint}/>`
      : `<polygon points="${cx},${cy - r} ${cx + r * 0.6},${cy} ${cx},${cy + r} ${cx - r * 0.6},${cy}" ${paint}/>`;
  const background = style === 'neon' ? '#07040f' : '#f6f1e7';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="${background}"/>${body}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const STYLES = ['neon', 'pastel'] as const;
const SHAPES = ['ball', 'kite'] as const;

async function world(variants: number[]): Promise<(TrainingItem & { style: string; shape: string })[]> {
  const items = [];
  for (const style of STYLES) {
    for (const shape of SHAPES) {
      for (const v of variants) {
        const caption = v % 2 === 0 ? `a ${style} ${shape}` : `${shape} drawn in ${style} style`;
        items.push({ id: `${style}-${shape}-${v}`, bytes: await render(style, shape, v), caption, style, shape });
      }
    }
  }
  return items;
}

const OPTIONS = { seed: 11, dimension: 16, hidden: 16, epochs: 30 } as const;

describe('LocalEmbedder', () => {
  let dir: string;
  let train: Awaited<ReturnType<typeof world>>;
  let heldOut: Awaited<ReturnType<typeof world>>;
  let embedder: LocalEmbedder;
  const skippedInTraining: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-embedder-'));
    train = await world([0, 1, 2, 3, 4, 5, 6, 7]);
    heldOut = await world([100, 101, 102]);
    const broken = { id: 'broken', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), caption: 'a neon ball' };
    embedder = await trainLocalEmbedder({ items: [...train, broken], ...OPTIONS, onSkipped: (s) => skippedInTraining.push(s.id) });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports its dimension and a model version derived from the weights', () => {
    expect(embedder.dimension).toBe(16);
    expect(embedder.modelVersion).toMatch(/^local-dual-encoder-[0-9a-f]{16}$/);
  });

  it('leaves an undecodable training image out and reports it', () => {
    expect(skippedInTraining).toEqual(['broken']);
  });

  it('embeds images as finite unit vectors of the model dimension, skipping undecodable ones by id', async () => {
    const images = [
      { id: 'a', bytes: heldOut[0]!.bytes },
      { id: 'corrupt', bytes: new Uint8Array([1, 2, 3, 4]) },
      { id: 'b', bytes: heldOut[5]!.bytes },
      { id: 'empty', bytes: new Uint8Array(0) },
    ];
    const result = await embedder.embedImages(images);
    expect(result.embedded.map((e) => e.id)).toEqual(['a', 'b']);
    expect(result.skipped.map((s) => s.id)).toEqual(['corrupt', 'empty']);
    expect(result.skipped[0]!.reason).toMatch(/does not decode/);
    for (const { vector } of result.embedded) {
      expect(vector.length).toBe(16);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
  });

  it('ranks unseen images of the queried style and shape first', async () => {
    const { embedded } = await embedder.embedImages(heldOut);
    const byId = new Map(heldOut.map((h) => [h.id, h]));
    for (const style of STYLES) {
      for (const shape of SHAPES) {
        const [query] = await embedder.embedText([`${style} ${shape}`]);
        const top = embedded
          .map((e) => ({ item: byId.get(e.id)!, score: dot(query!, e.vector) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 3);
        expect(top.map((t) => `${t.item.style} ${t.item.shape}`)).toEqual([`${style} ${shape}`, `${style} ${shape}`, `${style} ${shape}`]);
      }
    }
  });

  it('refuses an empty or blank text query', async () => {
    await expect(embedder.embedText(['a ball', ''])).rejects.toThrow(ValidationError);
    await expect(embedder.embedText(['   '])).rejects.toThrow(/text 0 is empty/);
  });

  it('answers a query of unknown words with a unit vector unrelated to every image', async () => {
    const [unknown, punctuation] = await embedder.embedText(['qwzx flurbo', '?!']);
    const { embedded } = await embedder.embedImages(heldOut);
    for (const vector of [unknown!, punctuation!]) {
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(norm(vector)).toBeCloseTo(1, 5);
      for (const e of embedded) expect(Math.abs(dot(vector, e.vector))).toBeLessThan(1e-6);
    }
    // Half-known: still points at the right images, with lower similarity than the fully known query.
    const [known, mixed] = await embedder.embedText(['neon ball', 'neon ball qwzx']);
    const target = embedded.find((e) => e.id.startsWith('neon-ball'))!;
    expect(dot(mixed!, target.vector)).toBeGreaterThan(0);
    expect(dot(mixed!, target.vector)).toBeLessThan(dot(known!, target.vector));
  });

  it('saves and loads back a model that embeds identically', async () => {
    const path = join(dir, 'nested', 'model.json');
    await embedder.save(path);
    const loaded = await LocalEmbedder.load(path);
    expect(loaded.modelVersion).toBe(embedder.modelVersion);
    expect(loaded.dimension).toBe(embedder.dimension);
    const images = heldOut.slice(0, 4);
    expect((await loaded.embedImages(images)).embedded).toEqual((await embedder.embedImages(images)).embedded);
    expect(await loaded.embedText(['pastel kite', 'neon'])).toEqual(await embedder.embedText(['pastel kite', 'neon']));
  });

  it('trains a byte-identical model file from the same data and seed, and a different one from another seed', async () => {
    const again = await trainLocalEmbedder({ items: train, ...OPTIONS });
    const other = await trainLocalEmbedder({ items: train, ...OPTIONS, seed: 12 });
    await embedder.save(join(dir, 'a.json'));
    await again.save(join(dir, 'b.json'));
    await other.save(join(dir, 'c.json'));
    const [a, b, c] = await Promise.all(['a.json', 'b.json', 'c.json'].map((f) => readFile(join(dir, f))));
    expect(a!.equals(b!)).toBe(true);
    expect(a!.equals(c!)).toBe(false);
    expect(other.modelVersion).not.toBe(embedder.modelVersion);
  });

  it('refuses a model file of another format version, a foreign file and a missing file', async () => {
    const path = join(dir, 'model.json');
    await embedder.save(path);
    const header = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'v99.json'), JSON.stringify({ ...header, formatVersion: 99 }));
    await expect(LocalEmbedder.load(join(dir, 'v99.json'))).rejects.toThrow(ModelFileError);
    await expect(LocalEmbedder.load(join(dir, 'v99.json'))).rejects.toThrow(/version 99.*retrain/);
    await writeFile(join(dir, 'foreign.json'), '{"hello": "world"}');
    await expect(LocalEmbedder.load(join(dir, 'foreign.json'))).rejects.toThrow(/not a local-dual-encoder model/);
    await expect(LocalEmbedder.load(join(dir, 'absent.json'))).rejects.toThrow(NotFoundError);
  });

  it('refuses training without captions or with too few images', async () => {
    const item = train[0]!;
    await expect(trainLocalEmbedder({ items: [item, { ...item, caption: ' ' }], seed: 1 })).rejects.toThrow(/empty caption/);
    await expect(trainLocalEmbedder({ items: [item], seed: 1 })).rejects.toThrow(/at least 2/);
  });
});
