import { describe, expect, it } from 'vitest';
import { InsufficientDataError, ValidationError } from '../../core/errors';
import { parseCsvLine, readInteractionRows, rewriteInteractions } from '../../core/interactions';
import { checkPersonalizeMinimums } from '../../core/personalize-minimums';

const clusters = new Map([
  ['img-a', 0],
  ['img-b', 3],
]);
const options = { clusterOf: (id: string) => clusters.get(id), clusterGeneration: 'gen-1' };

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('rewriteInteractions', () => {
  it('rewrites image ids to cluster item ids, counts and samples malformed and unknown-image rows', async () => {
    const input = [
      'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE',
      'u1,img-a,1700000000,view', // 2
      'u1,img-b,1700000100,favorite', // 3
      'u2,img-a,1700000200,download', // 4
      'u2,img-zzz,1700000300,view', // 5 unknown image
      'u3,img-a,17000x,view', // 6 bad timestamp
      'u3,img-a,-5,view', // 7 negative timestamp
      'u3,img-a,1700000000.5,view', // 8 non-integer timestamp
      'u3,img-a,1700000000,click', // 9 unknown event type
      ',img-a,1700000000,view', // 10 empty user
      'u3,,1700000000,view', // 11 empty item
      'u3,img-a,1700000000', // 12 three fields
      '', // 13 blank: skipped, not a row
      'u4,img-gone,1700000000,view', // 14 unknown image
      'u3,img-a,1700000000000,view', // 15 milliseconds
      '"u,5",img-b,1700000400,view', // 16 quoted user id with a comma
    ];
    const rewrite = rewriteInteractions(input, options);
    const output = await collect(rewrite.lines);
    expect(output).toEqual([
      'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE',
      'u1,gen-1.c0,1700000000,view',
      'u1,gen-1.c3,1700000100,favorite',
      'u2,gen-1.c0,1700000200,download',
      '"u,5",gen-1.c3,1700000400,view',
    ]);
    const stats = rewrite.stats();
    expect(stats).toMatchObject({ rowsRead: 14, rowsWritten: 4, malformedRows: 8, unknownImageRows: 2, users: 3, usersWithTwoInteractions: 1 });
    expect(stats.unknownImageSamples).toEqual([
      { line: 5, imageId: 'img-zzz' },
      { line: 14, imageId: 'img-gone' },
    ]);
    expect(stats.malformedSamples).toEqual([
      { line: 6, reason: 'TIMESTAMP "17000x" is not a non-negative integer (epoch seconds)' },
      { line: 7, reason: 'TIMESTAMP "-5" is not a non-negative integer (epoch seconds)' },
      { line: 8, reason: 'TIMESTAMP "1700000000.5" is not a non-negative integer (epoch seconds)' },
      { line: 9, reason: 'EVENT_TYPE "click" is not one of view, favorite, download' },
      { line: 10, reason: 'empty USER_ID' },
    ]);
  });

  it('keeps the input column order and handles CRLF, a BOM and quoted fields', async () => {
    const rewrite = rewriteInteractions(['\uFEFFEVENT_TYPE,TIMESTAMP,ITEM_ID,USER_ID\r', '"view",1700000000,"img-b","u ""q"""\r'], options);
    expect(await collect(rewrite.lines)).toEqual(['EVENT_TYPE,TIMESTAMP,ITEM_ID,USER_ID', 'view,1700000000,gen-1.c3,"u ""q"""']);
  });

  it('rejects a header that is not the expected one, naming the columns', async () => {
    const rewrite = rewriteInteractions(['USER,ITEM_ID,TIMESTAMP,EVENT_TYPE', 'u1,img-a,1,view'], options);
    await expect(collect(rewrite.lines)).rejects.toThrow(
      /header is "USER,ITEM_ID,TIMESTAMP,EVENT_TYPE": expected the columns USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE; missing USER_ID; unexpected USER/,
    );
    await expect(collect(rewriteInteractions(['USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE'], options).lines)).rejects.toThrow(ValidationError);
    await expect(collect(rewriteInteractions([], options).lines)).rejects.toThrow(/interactions CSV is empty/);
  });

  it('rejects an invalid cluster generation up front', () => {
    expect(() => rewriteInteractions([], { ...options, clusterGeneration: 'Bad Gen' })).toThrow(/cluster generation "Bad Gen" is invalid/);
  });
});

describe('readInteractionRows', () => {
  it('yields typed valid rows and reports the malformed ones', async () => {
    const problems: unknown[] = [];
    const rows = [];
    for await (const row of readInteractionRows(['USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE', 'u1,x,5,favorite', 'u1,x,5'], (p) => problems.push(p))) rows.push(row);
    expect(rows).toEqual([{ userId: 'u1', itemId: 'x', timestamp: 5, eventType: 'favorite' }]);
    expect(problems).toEqual([{ line: 3, reason: 'expected 4 fields, found 3' }]);
  });
});

describe('parseCsvLine', () => {
  it('parses minimal RFC 4180 quoting and rejects broken quotes', () => {
    expect(parseCsvLine('a,"b,c","d ""e""",')).toEqual(['a', 'b,c', 'd "e"', '']);
    expect(parseCsvLine('"a')).toBeUndefined();
    expect(parseCsvLine('"a"b,c')).toBeUndefined();
    expect(parseCsvLine('a"b,c')).toBeUndefined();
  });
});

describe('checkPersonalizeMinimums', () => {
  it('passes at the minimums and names every shortfall with the counts found', () => {
    expect(() => checkPersonalizeMinimums({ interactions: 1000, usersWithTwoInteractions: 25 })).not.toThrow();
    expect(() => checkPersonalizeMinimums({ interactions: 999, usersWithTwoInteractions: 3 })).toThrow(
      'not enough interaction data to train the ranker: found 999 interactions (minimum 1000) and 3 users with at least 2 interactions (minimum 25)',
    );
    expect(() => checkPersonalizeMinimums({ interactions: 5000, usersWithTwoInteractions: 24 })).toThrow(InsufficientDataError);
  });
});
