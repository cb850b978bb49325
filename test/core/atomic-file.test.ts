import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTempFileName, writeAtomic, writeFileAtomic, writeLinesAtomic } from '../../core/atomic-file';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-file-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic file writes', () => {
  it('creates parent folders and replaces an existing file whole', async () => {
    const path = join(dir, 'nested', 'deeper', 'file.json');
    await writeFileAtomic(path, '{"v":1}');
    await writeFileAtomic(path, '{"v":2}');
    expect(await readFile(path, 'utf8')).toBe('{"v":2}');
    expect(await readdir(join(dir, 'nested', 'deeper'))).toEqual(['file.json']);
  });

  it('keeps the old content and removes the temp file when writing fails', async () => {
    const path = join(dir, 'keep.txt');
    await writeFile(path, 'old');
    const seen: string[] = [];
    await expect(
      writeAtomic(path, async (handle) => {
        await handle.write('partial new content');
        seen.push(...(await readdir(dir)).filter(isTempFileName));
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow(/disk on fire/);
    expect(seen).toHaveLength(1);
    expect(await readFile(path, 'utf8')).toBe('old');
    expect((await readdir(dir)).filter(isTempFileName)).toEqual([]);
  });

  it('writes lines each followed by a newline', async () => {
    const path = join(dir, 'lines.txt');
    await writeLinesAtomic(path, ['a', '', 'c']);
    expect(await readFile(path, 'utf8')).toBe('a\n\nc\n');
  });

  it('recognises its own temp names and nothing else', () => {
    expect(isTempFileName('.live.json.tmp-123-0123456789ab')).toBe(true);
    expect(isTempFileName('live.json')).toBe(false);
    expect(isTempFileName('.hidden')).toBe(false);
  });
});
