import { describe, expect, it } from 'vitest';
import { InsufficientDataError, ValidationError } from '../../core/errors';
import { rewriteInteractionsTask } from '../../tasks/rewrite-interactions';
import { MemoryObjectStore } from '../fixtures/memory-object-store';

const event = { interactionsKey: 'in/interactions.csv', assignmentsKey: 'gen/assignments.jsonl', outputKey: 'gen/interactions.csv', clusterGeneration: 'gen-7' };

/** `users` users with `perUser` interactions each over images img-0..img-9 (clusters 0..4), plus 3 bad rows. */
function interactionsCsv(users: number, perUser: number): string {
  const lines = ['USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE'];
  for (let u = 0; u < users; u++) for (let i = 0; i < perUser; i++) lines.push(`user-${u},img-${(u + i) % 10},${1_700_000_000 + i},view`);
  lines.push('user-0,img-unknown,1700000000,view', 'user-0,img-1,soon,view', 'user-0,img-1,1700000000,like');
  return `${lines.join('\n')}\n`;
}

async function storeWith(users: number, perUser: number): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  await store.putBytes(event.interactionsKey, interactionsCsv(users, perUser));
  await store.putBytes(event.assignmentsKey, Array.from({ length: 10 }, (_, i) => JSON.stringify({ imageId: `img-${i}`, cluster: Math.floor(i / 2) })).join('\n'));
  return store;
}

describe('rewriteInteractionsTask', () => {
  it('writes the cluster-level CSV and returns small JSON-serialisable stats', async () => {
    const store = await storeWith(30, 40);
    const result = await rewriteInteractionsTask(event, { store });
    expect(result).toMatchObject({ rowsRead: 1203, rowsWritten: 1200, malformedRows: 2, unknownImageRows: 1, users: 30, usersWithTwoInteractions: 30, outputKey: event.outputKey, clusterGeneration: 'gen-7' });
    expect(result.unknownImageSamples).toEqual([{ line: 1202, imageId: 'img-unknown' }]);
    expect(result.malformedSamples.map((s) => s.line)).toEqual([1203, 1204]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    const lines = (await store.getText(event.outputKey)).trimEnd().split('\n');
    expect(lines).toHaveLength(1201);
    expect(lines.slice(0, 3)).toEqual(['USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE', 'user-0,gen-7.c0,1700000000,view', 'user-0,gen-7.c0,1700000001,view']);
  });

  it('fails below the Personalize minimums with the counts, and leaves nothing at outputKey', async () => {
    const store = await storeWith(20, 40); // 800 interactions, 20 users
    await expect(rewriteInteractionsTask(event, { store })).rejects.toThrow(
      'found 800 interactions (minimum 1000) and 20 users with at least 2 interactions (minimum 25)',
    );
    await expect(rewriteInteractionsTask(event, { store })).rejects.toBeInstanceOf(InsufficientDataError);
    expect(await store.exists(event.outputKey)).toBe(false);
    expect(await store.list('gen/')).toEqual(['gen/assignments.jsonl']);
  });

  it('counts only rows that map to a cluster toward the minimums', async () => {
    const store = await storeWith(30, 40);
    await store.putBytes(event.assignmentsKey, JSON.stringify({ imageId: 'img-0', cluster: 0 }));
    await expect(rewriteInteractionsTask(event, { store })).rejects.toThrow(/found 120 interactions \(minimum 1000\)/);
    expect(await store.exists(event.outputKey)).toBe(false);
  });

  it('rejects a bad assignments line with its number, and a bad event', async () => {
    const store = await storeWith(30, 40);
    await store.putBytes(event.assignmentsKey, '{"imageId":"img-0","cluster":0}\n{"imageId":"img-1","cluster":-2}\n');
    await expect(rewriteInteractionsTask(event, { store })).rejects.toThrow(/assignments gen\/assignments.jsonl line 2 has no valid cluster/);
    await expect(rewriteInteractionsTask({ ...event, outputKey: '' }, { store })).rejects.toThrow(ValidationError);
    await expect(rewriteInteractionsTask({ ...event, clusterGeneration: 'GEN' }, { store })).rejects.toThrow(/cluster generation "GEN" is invalid/);
    expect(await store.exists(event.outputKey)).toBe(false);
  });

  it('writes the distinct users of the rows written to usersKey when asked, and only then', async () => {
    const store = await storeWith(30, 40);
    // A user whose only row points at an unknown image is not trained on, so it is not listed.
    await store.putBytes(event.interactionsKey, `${interactionsCsv(30, 40)}"user,quoted",img-1,1700000000,view\nghost,img-unknown,1700000000,view\n`);
    const result = await rewriteInteractionsTask({ ...event, usersKey: 'gen/users.txt' }, { store });
    expect(result.usersKey).toBe('gen/users.txt');
    const users = (await store.getText('gen/users.txt')).trimEnd().split('\n');
    expect(users).toEqual([...Array.from({ length: 30 }, (_, u) => `user-${u}`), 'user,quoted']);
    expect(users).toHaveLength(result.users);

    const plain = await storeWith(30, 40);
    expect(await rewriteInteractionsTask(event, { store: plain })).not.toHaveProperty('usersKey');
    expect(await plain.list('gen/')).toEqual(['gen/assignments.jsonl', 'gen/interactions.csv']);
  });

  it('writes no users file when the result is below the minimums, and rejects an empty usersKey', async () => {
    const store = await storeWith(20, 40);
    await expect(rewriteInteractionsTask({ ...event, usersKey: 'gen/users.txt' }, { store })).rejects.toBeInstanceOf(InsufficientDataError);
    expect(await store.exists('gen/users.txt')).toBe(false);
    await expect(rewriteInteractionsTask({ ...event, usersKey: '' }, { store })).rejects.toThrow(/usersKey/);
  });
});
