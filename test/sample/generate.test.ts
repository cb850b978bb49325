import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STYLE_WORDS } from '../../sample/captions';
import { NAMED_USERS, STYLES, SUBJECTS } from '../../sample/constants';
import { generateSampleLibrary, type GenerateResult, type ManifestEntry } from '../../sample/generate';
import type { SimulatedUser } from '../../sample/interactions';

const PER_PAIR = 1;
let root: string;
let first: string;
let second: string;
let other: string;
let result: GenerateResult;

async function imageHashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await readdir(join(dir, 'images'), { recursive: true })).filter((f) => f.endsWith('.png')).sort()) {
    out.set(f, createHash('sha256').update(await readFile(join(dir, 'images', f))).digest('hex'));
  }
  return out;
}

const readText = (dir: string, name: string): Promise<string> => readFile(join(dir, name), 'utf8');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sample-gen-'));
  first = join(root, 'a');
  second = join(root, 'b');
  other = join(root, 'c');
  result = await generateSampleLibrary({ outDir: first, seed: 7, perPair: PER_PAIR });
  await generateSampleLibrary({ outDir: second, seed: 7, perPair: PER_PAIR });
  await generateSampleLibrary({ outDir: other, seed: 8, perPair: 1 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateSampleLibrary', () => {
  it('writes one 256x256 PNG per subject, style and variant, and leaves no staging folder behind', async () => {
    const hashes = await imageHashes(first);
    expect(hashes.size).toBe(SUBJECTS.length * STYLES.length * PER_PAIR);
    expect(result.images).toBe(hashes.size);
    const meta = await sharp(join(first, 'images/neon-punk/cat/neon-punk-cat-000.png')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 256]);
    expect((await readdir(root)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('is byte-identical for the same seed: manifest, interactions, users and every image', async () => {
    for (const name of ['manifest.jsonl', 'interactions.csv', 'users.json']) {
      expect(await readText(second, name)).toBe(await readText(first, name));
    }
    expect(await imageHashes(second)).toEqual(await imageHashes(first));
  });

  it('differs for a different seed', async () => {
    expect(await readText(other, 'interactions.csv')).not.toBe(await readText(first, 'interactions.csv'));
    const a = await imageHashes(first);
    const c = await imageHashes(other);
    const shared = [...c.keys()].filter((k) => a.has(k));
    expect(shared.length).toBe(48);
    expect(shared.filter((k) => a.get(k) !== c.get(k)).length).toBeGreaterThan(40);
  });

  it('lists every image in manifest.jsonl with a readable id, its key, subject, style and a caption naming both', async () => {
    const lines = (await readText(first, 'manifest.jsonl')).trimEnd().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as ManifestEntry);
    expect(entries).toHaveLength(48 * PER_PAIR);
    const files = new Set((await readdir(join(first, 'images'), { recursive: true })).map((f) => `images/${f}`));
    for (const e of entries) {
      expect(Object.keys(e)).toEqual(['imageId', 'key', 'subject', 'style', 'caption']);
      expect(e.imageId).toMatch(new RegExp(`^${e.style}-${e.subject}-\\d{3}$`));
      expect(e.key).toBe(`images/${e.style}/${e.subject}/${e.imageId}.png`);
      expect(files.has(e.key)).toBe(true);
      expect(e.caption).toContain(e.subject);
      expect(STYLE_WORDS[e.style].some((w) => e.caption.includes(w))).toBe(true);
    }
  });

  it('writes interactions.csv in the Personalize shape, sorted by time, over manifest images only', async () => {
    const [header, ...rows] = (await readText(first, 'interactions.csv')).trimEnd().split('\n');
    expect(header).toBe('USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE');
    const ids = new Set((await readText(first, 'manifest.jsonl')).trimEnd().split('\n').map((l) => (JSON.parse(l) as ManifestEntry).imageId));
    let last = 0;
    const types: Record<string, number> = {};
    // Collect bad rows and assert once: 20,000 expect() calls would dominate the test's runtime.
    const bad: string[] = [];
    for (const row of rows) {
      const [user, item, ts, type] = row.split(',');
      const ok = /^[a-z0-9-]+$/.test(user as string) && ids.has(item as string) && /^\d{10}$/.test(ts as string) && Number(ts) >= last;
      if (!ok) bad.push(row);
      last = Number(ts);
      types[type as string] = (types[type as string] ?? 0) + 1;
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(Object.keys(types).sort()).toEqual(['download', 'favorite', 'view']);
    expect(types.view).toBeGreaterThan((types.favorite ?? 0) + (types.download ?? 0));
    expect(rows.length).toBeGreaterThanOrEqual(20_000);
    expect(result.stats.usersWithAtLeastTwo).toBeGreaterThanOrEqual(25);
  });

  it('records each user\'s true tastes in users.json, the named users included', async () => {
    const { users } = JSON.parse(await readText(first, 'users.json')) as { users: SimulatedUser[] };
    expect(users.filter((u) => u.kind !== 'named').length).toBeGreaterThanOrEqual(300);
    expect(users.filter((u) => u.kind === 'named').map((u) => u.userId)).toEqual([...NAMED_USERS]);
    expect(new Set(users.map((u) => u.kind))).toEqual(new Set(['named', 'regular', 'noise']));
    const switcher = users.find((u) => u.userId === 'style-switch-user');
    expect(switcher?.styleSwitch?.before).not.toBe(switcher?.styleSwitch?.after);
    expect(switcher?.styleSwitch?.at).toBeGreaterThan(0);
  });
});
