import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatorVersion, sampleLibrary } from '../fixtures/sample-library';

describe('sampleLibrary fixture', () => {
  it('builds a library once and hands the same cached folder to concurrent callers', async () => {
    const [a, b] = await Promise.all([sampleLibrary({ seed: 5, perPair: 1 }), sampleLibrary({ seed: 5, perPair: 1 })]);
    expect(a).toBe(b);
    expect(a).toMatch(new RegExp(`node_modules/\\.cache/sample-library/5-1-${await generatorVersion()}$`));
    const manifest = (await readFile(join(a, 'manifest.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(manifest).toHaveLength(48);
    await access(join(a, 'images/comic/dog/comic-dog-000.png'));
  });
});
