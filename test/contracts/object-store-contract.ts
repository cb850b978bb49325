/** The behaviour every ObjectStore adapter must share; run it against each adapter with `objectStoreContract`. */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { NotFoundError, ValidationError } from '../../core/errors';
import type { ObjectStore } from '../../core/ports/object-store';

export interface StoreUnderTest {
  readonly store: ObjectStore;
  /** Writes raw bytes behind the adapter's back (CRLF files from elsewhere). */
  readonly putRaw: (key: string, bytes: Uint8Array) => Promise<void>;
  readonly cleanup: () => Promise<void>;
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

export function objectStoreContract(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: ObjectStore;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => subject.cleanup());

    it('round-trips bytes and strings', async () => {
      await store.putBytes('images/a.png', new Uint8Array([0, 1, 255]));
      await store.putBytes('notes/t.txt', 'héllo');
      expect(Array.from(await store.getBytes('images/a.png'))).toEqual([0, 1, 255]);
      expect(new TextDecoder().decode(await store.getBytes('notes/t.txt'))).toBe('héllo');
    });

    it('throws NotFoundError for a missing key, in getBytes and readLines', async () => {
      await expect(store.getBytes('missing/x')).rejects.toBeInstanceOf(NotFoundError);
      await expect(collect(store.readLines('missing/x'))).rejects.toBeInstanceOf(NotFoundError);
    });

    it('says whether a key exists', async () => {
      await store.putBytes('a/b', 'x');
      expect(await store.exists('a/b')).toBe(true);
      expect(await store.exists('a/c')).toBe(false);
    });

    it('lists the keys under a prefix, sorted, including partial last segments', async () => {
      for (const key of ['img/cat/2.png', 'img/cat/1.png', 'img/car.png', 'img/dog.png', 'other.txt']) await store.putBytes(key, '1');
      expect(await store.list('img/')).toEqual(['img/car.png', 'img/cat/1.png', 'img/cat/2.png', 'img/dog.png']);
      expect(await store.list('img/ca')).toEqual(['img/car.png', 'img/cat/1.png', 'img/cat/2.png']);
      expect(await store.list('nothing/')).toEqual([]);
    });

    it('deletes a key, and deleting a missing key is not an error', async () => {
      await store.putBytes('d/x', '1');
      await store.delete('d/x');
      expect(await store.exists('d/x')).toBe(false);
      await store.delete('d/x');
    });

    it('writes lines and reads them back', async () => {
      async function* lines() {
        yield '{"a":1}';
        yield '';
        yield 'last';
      }
      await store.writeLines('out/l.jsonl', lines());
      expect(await collect(store.readLines('out/l.jsonl'))).toEqual(['{"a":1}', '', 'last']);
      expect(new TextDecoder().decode(await store.getBytes('out/l.jsonl'))).toBe('{"a":1}\n\nlast\n');
    });

    it('reads CRLF lines and drops a byte-order mark', async () => {
      await subject.putRaw('in/win.csv', new TextEncoder().encode('\uFEFFuser,item\r\nu1,i1\r\n'));
      expect(await collect(store.readLines('in/win.csv'))).toEqual(['user,item', 'u1,i1']);
    });

    it('leaves no object when the line source fails', async () => {
      async function* failing() {
        yield 'one';
        throw new Error('source failed');
      }
      await expect(store.writeLines('out/f.jsonl', failing())).rejects.toThrow('source failed');
      expect(await store.exists('out/f.jsonl')).toBe(false);
    });

    it.each(['', '/abs', 'a//b', '../up', 'a/../b', 'dir/', 'back\\slash'])('refuses the key %j', async (key) => {
      await expect(store.putBytes(key, 'x')).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
