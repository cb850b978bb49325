/**
 * The on-disk layout of the local vector index:
 *
 *   <root>/generations/<gen>/meta.json      dimension, count, complete flag (written last by finalize)
 *   <root>/generations/<gen>/upserts.jsonl  the build log while a generation is open (any process can finalize it)
 *   <root>/generations/<gen>/records.jsonl  id, cluster, metadata per row, in row order
 *   <root>/generations/<gen>/vectors.f32    row-major little-endian float32, count x dimension
 *   <root>/generations/<gen>/hnsw.bin       hnswlib graph over the rows (only for generations above the exact threshold)
 *   <root>/aliases/<alias>.json             { generation } — replaced atomically by swapAlias
 */
import { appendFile, open, readdir, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeFileAtomic, writeLinesAtomic } from '../atomic-file';
import { AppError, ValidationError } from '../errors';
import type { IndexRecord } from '../ports/vector-index';

const META_FORMAT = 'local-vector-index-generation';
const META_VERSION = 1;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface HnswBuildInfo {
  readonly m: number;
  readonly efConstruction: number;
  readonly seed: number;
}

export interface GenerationMeta {
  readonly format: typeof META_FORMAT;
  readonly version: typeof META_VERSION;
  readonly generation: string;
  readonly dimension: number;
  /** Rows in records.jsonl / vectors.f32; 0 until finalized. */
  readonly count: number;
  readonly complete: boolean;
  readonly createdAt: string;
  readonly finalizedAt?: string;
  /** Present when finalize built hnsw.bin. */
  readonly hnsw?: HnswBuildInfo;
}

/** What records.jsonl holds per row; the vector lives in vectors.f32 at the same row. */
export interface StoredRecord {
  readonly id: string;
  readonly cluster: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Generation and alias names become folder and file names, so they are restricted to a safe alphabet. */
export function validateName(name: string, field: 'generation' | 'alias'): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValidationError(
      `${field} name ${JSON.stringify(name)} must be 1-200 characters of letters, digits, ".", "_" or "-", starting with a letter or digit`,
      { field },
    );
  }
}

export class IndexLayout {
  constructor(readonly root: string) {}

  get generationsDir(): string {
    return join(this.root, 'generations');
  }
  get aliasesDir(): string {
    return join(this.root, 'aliases');
  }
  generationDir(generation: string): string {
    return join(this.generationsDir, generation);
  }
  file(generation: string, name: 'meta.json' | 'upserts.jsonl' | 'records.jsonl' | 'vectors.f32' | 'hnsw.bin'): string {
    return join(this.generationDir(generation), name);
  }
  aliasPath(alias: string): string {
    return join(this.aliasesDir, `${alias}.json`);
  }
}

export function newMeta(generation: string, dimension: number): GenerationMeta {
  return { format: META_FORMAT, version: META_VERSION, generation, dimension, count: 0, complete: false, createdAt: new Date().toISOString() };
}

/** The generation's meta, or undefined when no such generation exists. */
export async function readMeta(layout: IndexLayout, generation: string): Promise<GenerationMeta | undefined> {
  const text = await readIfExists(layout.file(generation, 'meta.json'));
  if (text === undefined) return undefined;
  const meta = JSON.parse(text) as GenerationMeta;
  if (meta.format !== META_FORMAT || meta.version !== META_VERSION) {
    throw new AppError(`generation "${generation}" has meta format ${meta.format} v${meta.version}; this code reads ${META_FORMAT} v${META_VERSION}`);
  }
  return meta;
}

export async function writeMeta(layout: IndexLayout, meta: GenerationMeta): Promise<void> {
  await writeFileAtomic(layout.file(meta.generation, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Generation folders, skipping the hidden ones a delete in progress leaves behind. */
export async function listGenerationNames(layout: IndexLayout): Promise<string[]> {
  try {
    const entries = await readdir(layout.generationsDir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && NAME.test(e.name)).map((e) => e.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function readAlias(layout: IndexLayout, alias: string): Promise<string | undefined> {
  const text = await readIfExists(layout.aliasPath(alias));
  if (text === undefined) return undefined;
  return (JSON.parse(text) as { generation: string }).generation;
}

export async function writeAlias(layout: IndexLayout, alias: string, generation: string): Promise<void> {
  await writeFileAtomic(layout.aliasPath(alias), `${JSON.stringify({ alias, generation, updatedAt: new Date().toISOString() })}\n`);
}

export async function listAliases(layout: IndexLayout): Promise<{ alias: string; generation: string }[]> {
  let names: string[];
  try {
    names = await readdir(layout.aliasesDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: { alias: string; generation: string }[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const alias = name.slice(0, -'.json'.length);
    if (!NAME.test(alias)) continue;
    const generation = await readAlias(layout, alias);
    if (generation !== undefined) out.push({ alias, generation });
  }
  return out;
}

/** Appends one batch to the build log with one O_APPEND write (callers in one process serialise their appends). */
export async function appendUpserts(layout: IndexLayout, generation: string, records: readonly IndexRecord[]): Promise<void> {
  if (records.length === 0) return;
  const lines = records.map((r) =>
    JSON.stringify({ id: r.id, cluster: r.cluster, metadata: r.metadata, vector: Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength).toString('base64') }),
  );
  await appendFile(layout.file(generation, 'upserts.jsonl'), `${lines.join('\n')}\n`);
}

/** Replays the build log: the last upsert of an id wins and keeps the row position of the id's first upsert. */
export async function readUpserts(layout: IndexLayout, generation: string): Promise<Map<string, IndexRecord>> {
  const records = new Map<string, IndexRecord>();
  let handle;
  try {
    handle = await open(layout.file(generation, 'upserts.jsonl'), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return records;
    throw error;
  }
  try {
    for await (const line of createInterface({ input: handle.createReadStream({ encoding: 'utf8' }), crlfDelay: Infinity })) {
      if (line.length === 0) continue;
      const raw = JSON.parse(line) as StoredRecord & { vector: string };
      records.set(raw.id, { id: raw.id, cluster: raw.cluster, metadata: raw.metadata, vector: decodeFloat32(Buffer.from(raw.vector, 'base64')) });
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
  return records;
}

export async function writeRecords(layout: IndexLayout, generation: string, records: readonly StoredRecord[]): Promise<void> {
  await writeLinesAtomic(
    layout.file(generation, 'records.jsonl'),
    records.map((r) => JSON.stringify({ id: r.id, cluster: r.cluster, metadata: r.metadata })),
  );
}

export async function readRecords(layout: IndexLayout, generation: string): Promise<StoredRecord[]> {
  const text = await readFile(layout.file(generation, 'records.jsonl'), 'utf8');
  const out: StoredRecord[] = [];
  for (const line of text.split('\n')) if (line.length > 0) out.push(JSON.parse(line) as StoredRecord);
  return out;
}

export async function writeVectors(layout: IndexLayout, generation: string, matrix: Float32Array): Promise<void> {
  assertLittleEndian();
  await writeFileAtomic(layout.file(generation, 'vectors.f32'), new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength));
}

export async function readVectors(layout: IndexLayout, generation: string): Promise<Float32Array> {
  assertLittleEndian();
  return decodeFloat32(await readFile(layout.file(generation, 'vectors.f32')));
}

/** Copies when needed: a Buffer from the pool may start at an offset that is not a multiple of 4. */
function decodeFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new AppError(`float32 data has ${bytes.byteLength} bytes, not a multiple of 4`);
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Float32Array(bytes.slice().buffer);
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new AppError('vectors.f32 is little-endian; this host is big-endian and cannot read it as is');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
