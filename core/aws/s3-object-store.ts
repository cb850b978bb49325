/**
 * The ObjectStore port on an S3 bucket (optionally below a key prefix). Large text objects stream both ways: reads go
 * through readline without buffering the body, writes go through a multipart Upload that S3 only assembles into an
 * object when it completes (and aborts on error), so a reader never sees half a file.
 */
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AppError, NotFoundError, ValidationError } from '../errors';
import { validateKey } from '../local/folder-object-store';
import type { ObjectStore } from '../ports/object-store';
import { textLines } from '../text-lines';
import { errorName } from './retry';

export interface S3ObjectStoreProps {
  readonly bucket: string;
  /** Keys of the port are relative to this prefix ("data/" holds "data/manifest.jsonl" as "manifest.jsonl"). @default '' */
  readonly prefix?: string;
  /** @default new S3Client({ region }) */
  readonly client?: S3Client;
  readonly region?: string;
  /** Multipart part size for writeLines; S3's minimum is 5 MiB. @default 8 MiB */
  readonly partSize?: number;
  /** Parts uploaded at once by writeLines. @default 4 */
  readonly queueSize?: number;
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
const MIN_PART_SIZE = 5 * 1024 * 1024;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(props: S3ObjectStoreProps) {
    if (typeof props.bucket !== 'string' || !BUCKET.test(props.bucket)) {
      throw new ValidationError(`bucket ${JSON.stringify(props.bucket)} is not a valid S3 bucket name`, { field: 'bucket' });
    }
    const prefix = props.prefix ?? '';
    if (prefix !== '') {
      if (!prefix.endsWith('/')) throw new ValidationError(`prefix "${prefix}" must end with "/"`, { field: 'prefix' });
      validateKey(prefix.slice(0, -1));
    }
    this.bucket = props.bucket;
    this.prefix = prefix;
    this.client = props.client ?? new S3Client(props.region !== undefined ? { region: props.region } : {});
    this.partSize = props.partSize ?? 8 * 1024 * 1024;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new ValidationError(`partSize must be an integer >= ${MIN_PART_SIZE} (S3's minimum part size), got ${props.partSize}`, { field: 'partSize' });
    }
    this.queueSize = props.queueSize ?? 4;
  }

  async getBytes(key: string): Promise<Uint8Array> {
    const response = await this.get(key);
    return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
  }

  async putBytes(key: string, body: Uint8Array | string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.s3Key(key), Body: body }));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.s3Key(key) }));
      return true;
    } catch (error) {
      // HEAD has no body, so S3 reports a missing key as a bare 404 ("NotFound"), not NoSuchKey.
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    if (typeof prefix !== 'string') throw new ValidationError('list prefix must be a string', { field: 'prefix' });
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ...(token !== undefined && { ContinuationToken: token }) }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined && !object.Key.endsWith('/')) keys.push(object.Key.slice(this.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Like S3 itself, deleting a key that does not exist is not an error. */
  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.s3Key(key) }));
  }

  async *readLines(key: string): AsyncIterable<string> {
    const response = await this.get(key);
    const body = response.Body;
    if (!(body instanceof Readable)) throw new AppError(`s3://${this.bucket}/${this.s3Key(key)}: the response body is not a Node stream`);
    body.setEncoding('utf8');
    try {
      yield* textLines(body);
    } finally {
      body.destroy();
    }
  }

  async writeLines(key: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.s3Key(key), Body: Readable.from(joined(key, lines)), ContentType: 'text/plain; charset=utf-8' },
      partSize: this.partSize,
      queueSize: this.queueSize,
      // Parts of a failed upload are aborted, so nothing is left behind and no object appears.
      leavePartsOnError: false,
    });
    await upload.done();
  }

  private async get(key: string) {
    const s3Key = this.s3Key(key);
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: s3Key }));
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(`object "${key}" does not exist: s3://${this.bucket}/${s3Key}`, { cause: error });
      throw error;
    }
  }

  private s3Key(key: string): string {
    validateKey(key);
    return this.prefix + key;
  }
}

function isMissing(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}

/** Each line plus "\n", batched into strings of about 64 KiB so the upload stream is not fed one tiny chunk per line. */
async function* joined(key: string, lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  let chunk = '';
  let index = 0;
  for await (const line of lines) {
    if (typeof line !== 'string' || line.includes('\n') || line.includes('\r')) {
      throw new ValidationError(`line ${index + 1} written to "${key}" must be a string without line breaks`, { field: 'lines' });
    }
    index++;
    chunk += `${line}\n`;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
