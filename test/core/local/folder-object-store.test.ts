import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderObjectStore } from '../../../core/local/folder-object-store';
import { NotFoundError, ValidationError } from '../../../core/errors';

let scratch: string;
let counter = 0;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'folder-store-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function freshStore(): Promise<{ store: FolderObjectStore; root: string }> {
  const root = join(scratch, `bucket-${counter++}`, 'root');
  await mkdir(root, { recursive: true });
  return { store: new FolderObjectStore({ root }), root };
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('FolderObjectStore objects', () => {
  it('stores and returns bytes and strings under nested keys', async () => {
    const { store } = await freshStore();
    await store.putBytes('images/a/1.png', new Uint8Array([1, 2, 3]));
    await store.putBytes('notes.txt', 'héllo');
    expect([...(await store.getBytes('images/a/1.png'))]).toEqual([1, 2, 3]);
    expect(new TextDecoder().decode(await store.getBytes('notes.txt'))).toBe('héllo');
    expect(await store.exists('images/a/1.png')).toBe(true);
    expect(await store.exists('images/a')).toBe(false);
  });

  it('throws NotFoundError naming the key of a missing object', async () => {
    const { store } = await freshStore();
    await expect(store.getBytes('nope/x.json')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.getBytes('nope/x.json')).rejects.toThrow(/"nope\/x.json"/);
  });

  it('deletes objects, and deleting a missing one is not an error', async () => {
    const { store } = await freshStore();
    await store.putBytes('a.txt', 'x');
    await store.delete('a.txt');
    await store.delete('a.txt');
    expect(await store.exists('a.txt')).toBe(false);
  });

  it('lists keys under a prefix recursively and sorted, skipping temp files', async () => {
    const { store, root } = await freshStore();
    for (const key of ['b/2.txt', 'a/z.txt', 'a/b/c.txt', 'ab.txt', 'c.txt']) await store.putBytes(key, key);
    await writeFile(join(root, 'a', '.z.txt.tmp-123-0123456789ab'), 'half');
    expect(await store.list('')).toEqual(['a/b/c.txt', 'a/z.txt', 'ab.txt', 'b/2.txt', 'c.txt']);
    expect(await store.list('a/')).toEqual(['a/b/c.txt', 'a/z.txt']);
    expect(await store.list('a')).toEqual(['a/b/c.txt', 'a/z.txt', 'ab.txt']);
    expect(await store.list('missing/')).toEqual([]);
  });
});

describe('FolderObjectStore key safety', () => {
  const badKeys = ['../escape.txt', 'a/../../escape.txt', '/etc/passwd', 'a\\..\\escape.txt', 'a\0b', '', 'a//b', 'a/', './a', '..', 'C:/x'];

  it('rejects every key that could leave the root, and writes nothing anywhere', async () => {
    const { store, root } = await freshStore();
    for (const key of badKeys) {
      await expect(store.putBytes(key, 'x'), key).rejects.toBeInstanceOf(ValidationError);
      await expect(store.writeLines(key, ['x']), key).rejects.toBeInstanceOf(ValidationError);
      await expect(store.getBytes(key), key).rejects.toBeInstanceOf(ValidationError);
      await expect(store.exists(key), key).rejects.toBeInstanceOf(ValidationError);
      await expect(store.delete(key), key).rejects.toBeInstanceOf(ValidationError);
      await expect(collect(store.readLines(key)), key).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await readdir(root)).toEqual([]);
    expect(await readdir(join(root, '..'))).toEqual(['root']);
  });

  it('rejects list prefixes that climb out of the root', async () => {
    const { store } = await freshStore();
    for (const prefix of ['../', '../x', 'a/../..', '/abs', '..']) {
      await expect(store.list(prefix), prefix).rejects.toBeInstanceOf(ValidationError);
    }
  });
});

describe('FolderObjectStore lines', () => {
  it('reads lines across CRLF, a missing final newline and a byte-order mark', async () => {
    const { store } = await freshStore();
    await store.putBytes('data.csv', '\uFEFFUSER_ID,ITEM_ID\r\nu1,i1\r\n\r\nu2,i2');
    expect(await collect(store.readLines('data.csv'))).toEqual(['USER_ID,ITEM_ID', 'u1,i1', '', 'u2,i2']);
  });

  it('streams a large object line by line', async () => {
    const { store } = await freshStore();
    const count = 50_000;
    await store.writeLines('big.jsonl', (function* () {
      for (let i = 0; i < count; i++) yield JSON.stringify({ i });
    })());
    let n = 0;
    let outOfOrder = 0;
    for await (const line of store.readLines('big.jsonl')) {
      if ((JSON.parse(line) as { i: number }).i !== n) outOfOrder++;
      n++;
    }
    expect(n).toBe(count);
    expect(outOfOrder).toBe(0);
  });

  it('makes a written object visible only once every line is written', async () => {
    const { store } = await freshStore();
    const seenDuring: boolean[] = [];
    await store.writeLines('out.jsonl', (async function* () {
      yield 'first';
      seenDuring.push(await store.exists('out.jsonl'));
      yield 'second';
    })());
    expect(seenDuring).toEqual([false]);
    expect(await collect(store.readLines('out.jsonl'))).toEqual(['first', 'second']);
  });

  it('leaves neither the object nor a temp file when the line source fails', async () => {
    const { store, root } = await freshStore();
    await store.putBytes('out.jsonl', 'old\n');
    const failing = (async function* () {
      yield 'new';
      throw new Error('upstream broke');
    })();
    await expect(store.writeLines('out.jsonl', failing)).rejects.toThrow(/upstream broke/);
    expect(await collect(store.readLines('out.jsonl'))).toEqual(['old']);
    expect(await readdir(root)).toEqual(['out.jsonl']);
  });

  it('refuses a line containing a line break', async () => {
    const { store } = await freshStore();
    await expect(store.writeLines('x.txt', ['ok', 'two\nlines'])).rejects.toThrow(/line 2 .* without line breaks/);
    expect(await store.exists('x.txt')).toBe(false);
  });

  it('throws NotFoundError when reading lines of a missing object', async () => {
    const { store } = await freshStore();
    await expect(collect(store.readLines('missing.csv'))).rejects.toBeInstanceOf(NotFoundError);
  });
});
