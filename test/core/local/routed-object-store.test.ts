import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../../../core/local/folder-object-store';
import { RoutedObjectStore } from '../../../core/local/routed-object-store';

describe('RoutedObjectStore', () => {
  let dir: string;
  let store: RoutedObjectStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'routed-store-'));
    store = new RoutedObjectStore({
      base: new FolderObjectStore({ root: join(dir, 'library') }),
      routed: new FolderObjectStore({ root: join(dir, 'work') }),
      routedPrefixes: ['embeddings/'],
    });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes keys under a routed prefix to the work folder and the rest to the library', async () => {
    await store.putBytes('embeddings/a.jsonl', 'x');
    await store.writeLines('manifest.jsonl', ['{}']);
    expect(existsSync(join(dir, 'work', 'embeddings', 'a.jsonl'))).toBe(true);
    expect(existsSync(join(dir, 'library', 'manifest.jsonl'))).toBe(true);
    expect(existsSync(join(dir, 'library', 'embeddings'))).toBe(false);
  });

  it('lists a prefix spanning both folders as one sorted bucket', async () => {
    await store.putBytes('embeddings/b.jsonl', 'x');
    await store.putBytes('a.txt', 'y');
    await store.putBytes('z.txt', 'z');
    expect(await store.list('')).toEqual(['a.txt', 'embeddings/b.jsonl', 'z.txt']);
    expect(await store.list('embeddings/')).toEqual(['embeddings/b.jsonl']);
  });
});
