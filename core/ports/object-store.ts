/** S3, or a folder on disk: keys are `/`-separated paths relative to the store's root. */
export interface ObjectStore {
  getBytes(key: string): Promise<Uint8Array>;
  putBytes(key: string, body: Uint8Array | string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** Streams a large text object line by line (JSONL, CSV) without loading it whole. */
  readLines(key: string): AsyncIterable<string>;
  /** Writes lines as they come; the object appears only once all of them are written. */
  writeLines(key: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void>;
}
