import { describe, it, expect, beforeEach } from 'vitest';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { NotFoundError, ValidationError } from '../../../core/errors';
import { S3ObjectStore } from '../../../core/aws/s3-object-store';
import { createFakeS3 } from './fake-s3';
import type { FakeS3 } from './fake-s3';

let s3: FakeS3;
let store: S3ObjectStore;

function multipartStore(): S3ObjectStore {
  return new S3ObjectStore({ bucket: 'my-bucket', prefix: 'data/', client: s3.client, partSize: 5 * 1024 * 1024 });
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('S3ObjectStore', () => {
  beforeEach(() => {
    s3 = createFakeS3('my-bucket');
    store = new S3ObjectStore({ bucket: 'my-bucket', prefix: 'data/', client: s3.client });
  });

  it('puts and gets bytes under the configured prefix', async () => {
    await store.putBytes('a/b.txt', 'hello');
    expect(s3.mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'my-bucket', Key: 'data/a/b.txt', Body: 'hello' });
    expect(new TextDecoder().decode(await store.getBytes('a/b.txt'))).toBe('hello');
  });

  it('turns NoSuchKey into a NotFoundError naming the bucket and key', async () => {
    const error = await store.getBytes('missing.txt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe('object "missing.txt" does not exist: s3://my-bucket/data/missing.txt');
    await expect(collect(store.readLines('missing.txt'))).rejects.toThrow(/s3:\/\/my-bucket\/data\/missing.txt/);
  });

  it('answers exists with HeadObject, false on NotFound', async () => {
    await store.putBytes('x', 'y');
    expect(await store.exists('x')).toBe(true);
    expect(await store.exists('nope')).toBe(false);
    expect(s3.mock.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['data/x', 'data/nope']);
  });

  it('rethrows other HeadObject errors', async () => {
    s3.mock.on(HeadObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await expect(store.exists('x')).rejects.toThrow('denied');
  });

  it('lists keys across ListObjectsV2 pages, sorted and relative to the prefix', async () => {
    s3.pageSize = 2;
    for (const key of ['img/c', 'img/a', 'img/b', 'other/z', 'img/d', 'img/e']) await store.putBytes(key, '1');
    expect(await store.list('img/')).toEqual(['img/a', 'img/b', 'img/c', 'img/d', 'img/e']);
    expect(s3.mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.ContinuationToken)).toEqual([undefined, '2', '4']);
  });

  it('reads lines from a streamed body, handling CRLF and a byte-order mark', async () => {
    s3.objects.set('data/t.csv', new TextEncoder().encode('\uFEFFa,b\r\n1,2\r\n\r\nlast'));
    expect(await collect(store.readLines('t.csv'))).toEqual(['a,b', '1,2', '', 'last']);
  });

  it('writes lines in one PutObject when they fit in one part', async () => {
    await store.writeLines('out.jsonl', ['{"a":1}', '{"b":2}']);
    expect(new TextDecoder().decode(s3.objects.get('data/out.jsonl'))).toBe('{"a":1}\n{"b":2}\n');
  });

  it('writes a large stream as a multipart upload that becomes an object only on completion', async () => {
    const line = 'x'.repeat(1023);
    async function* lines() {
      for (let i = 0; i < 6 * 1024; i++) yield line;
    }
    await multipartStore().writeLines('big.txt', lines());
    // 6 MiB in 5 MiB parts: two parts.
    expect(s3.mock.commandCalls(UploadPartCommand)).toHaveLength(2);
    expect(s3.mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(1);
    expect(s3.objects.get('data/big.txt')?.length).toBe(6 * 1024 * 1024);
    expect(s3.mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('aborts the multipart upload when the line source fails, leaving no object', async () => {
    const line = 'y'.repeat(1023);
    async function* lines() {
      for (let i = 0; i < 6 * 1024; i++) yield line;
      throw new Error('source broke');
    }
    await expect(multipartStore().writeLines('broken.txt', lines())).rejects.toThrow('source broke');
    expect(s3.objects.has('data/broken.txt')).toBe(false);
    expect(s3.mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3.mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('writes nothing when a small line source fails', async () => {
    async function* lines() {
      yield 'one';
      throw new Error('early');
    }
    await expect(store.writeLines('small.txt', lines())).rejects.toThrow('early');
    expect(s3.objects.has('data/small.txt')).toBe(false);
  });

  it('refuses a line with a line break', async () => {
    await expect(store.writeLines('o.txt', ['ok', 'a\nb'])).rejects.toThrow(/line 2 written to "o.txt"/);
    expect(s3.objects.has('data/o.txt')).toBe(false);
  });

  it.each(['', '/abs', 'a//b', '../x', 'a/./b', 'dir/'])('refuses the key %j as the folder store does, before any call', async (key) => {
    await expect(store.getBytes(key)).rejects.toBeInstanceOf(ValidationError);
    expect(s3.mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('validates the bucket, prefix and part size', () => {
    expect(() => new S3ObjectStore({ bucket: 'Bad_Bucket', client: s3.client })).toThrow(/not a valid S3 bucket name/);
    expect(() => new S3ObjectStore({ bucket: 'ok-bucket', prefix: 'data', client: s3.client })).toThrow(/must end with "\/"/);
    expect(() => new S3ObjectStore({ bucket: 'ok-bucket', partSize: 1024, client: s3.client })).toThrow(/partSize must be an integer >= 5242880/);
  });
});
