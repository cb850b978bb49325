/**
 * An in-memory S3 bucket behind aws-sdk-client-mock: the commands S3ObjectStore and lib-storage's Upload send,
 * with S3's error shapes (NoSuchKey on GET, NotFound on HEAD), ListObjectsV2 paging, and multipart uploads that only
 * become an object on CompleteMultipartUpload.
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand,
  HeadObjectCommand, ListObjectsV2Command, NoSuchKey, NotFound, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

export interface FakeS3 {
  readonly client: S3Client;
  readonly mock: ReturnType<typeof mockClient>;
  /** Full S3 keys -> bytes. */
  readonly objects: Map<string, Uint8Array>;
  readonly uploads: Map<string, Map<number, Uint8Array>>;
  /** Keys per ListObjectsV2 page (small, to exercise paging). */
  pageSize: number;
}

async function bytesOf(body: unknown): Promise<Uint8Array> {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return new Uint8Array(body);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
    return new Uint8Array(Buffer.concat(chunks));
  }
  throw new Error(`fake S3 cannot read a body of type ${typeof body}`);
}

/** Returns a GetObject body like the SDK's: a Node Readable with transformToByteArray. */
function streamBody(bytes: Uint8Array, chunkSize = 7): GetObjectCommandOutput['Body'] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(Buffer.from(bytes.subarray(i, i + chunkSize)));
  const stream = Readable.from(chunks, { objectMode: false });
  return Object.assign(stream, { transformToByteArray: async () => bytes.slice() }) as unknown as GetObjectCommandOutput['Body'];
}

export function createFakeS3(bucket: string): FakeS3 {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  const fake: FakeS3 = { client, mock: mock as unknown as ReturnType<typeof mockClient>, objects: new Map(), uploads: new Map(), pageSize: 1000 };
  let nextUpload = 0;
  const checkBucket = (b: string | undefined): void => {
    if (b !== bucket) throw Object.assign(new Error(`NoSuchBucket ${b}`), { name: 'NoSuchBucket' });
  };
  mock.on(PutObjectCommand).callsFake(async (input) => {
    checkBucket(input.Bucket);
    fake.objects.set(input.Key as string, await bytesOf(input.Body));
    return { ETag: '"e"' };
  });
  mock.on(GetObjectCommand).callsFake(async (input) => {
    checkBucket(input.Bucket);
    const bytes = fake.objects.get(input.Key as string);
    if (!bytes) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return { Body: streamBody(bytes), ContentLength: bytes.length };
  });
  mock.on(HeadObjectCommand).callsFake(async (input) => {
    checkBucket(input.Bucket);
    if (!fake.objects.has(input.Key as string)) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    return { ContentLength: fake.objects.get(input.Key as string)?.length };
  });
  mock.on(DeleteObjectCommand).callsFake(async (input) => {
    checkBucket(input.Bucket);
    fake.objects.delete(input.Key as string);
    return {};
  });
  mock.on(ListObjectsV2Command).callsFake(async (input) => {
    checkBucket(input.Bucket);
    const keys = [...fake.objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).sort();
    const start = Number(input.ContinuationToken ?? 0);
    const page = keys.slice(start, start + fake.pageSize);
    const truncated = start + fake.pageSize < keys.length;
    return {
      Contents: page.map((Key) => ({ Key, Size: fake.objects.get(Key)?.length })),
      KeyCount: page.length,
      IsTruncated: truncated,
      ...(truncated && { NextContinuationToken: String(start + fake.pageSize) }),
    };
  });
  mock.on(CreateMultipartUploadCommand).callsFake(async (input) => {
    checkBucket(input.Bucket);
    const id = `upload-${nextUpload++}`;
    fake.uploads.set(id, new Map());
    return { UploadId: id, Bucket: input.Bucket, Key: input.Key };
  });
  mock.on(UploadPartCommand).callsFake(async (input) => {
    fake.uploads.get(input.UploadId as string)?.set(input.PartNumber as number, await bytesOf(input.Body));
    return { ETag: `"part-${input.PartNumber}"` };
  });
  mock.on(CompleteMultipartUploadCommand).callsFake(async (input) => {
    const parts = fake.uploads.get(input.UploadId as string);
    if (!parts) throw Object.assign(new Error('NoSuchUpload'), { name: 'NoSuchUpload' });
    const ordered = (input.MultipartUpload?.Parts ?? []).map((p: { PartNumber?: number }) => parts.get(p.PartNumber as number) as Uint8Array);
    fake.objects.set(input.Key as string, new Uint8Array(Buffer.concat(ordered)));
    fake.uploads.delete(input.UploadId as string);
    return { Key: input.Key, Bucket: input.Bucket, Location: `https://${bucket}/${input.Key}` };
  });
  mock.on(AbortMultipartUploadCommand).callsFake(async (input) => {
    fake.uploads.delete(input.UploadId as string);
    return {};
  });
  return fake;
}
