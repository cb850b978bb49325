/** The image manifest (one JSON object a line): which images exist, where their bytes are, and what they show. */
import { ValidationError } from './errors';

export interface ManifestEntry {
  readonly imageId: string;
  /** Object key of the image, relative to the data root. */
  readonly key: string;
  readonly caption: string;
  /** Other string fields (subject, style, ...) travel with the image as metadata. */
  readonly metadata: Readonly<Record<string, string>>;
}

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,256}$/;

/** Parses one manifest line; `line` is 1-based for the message. */
export function parseManifestLine(text: string, line: number): ManifestEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError(`manifest line ${line} is not valid JSON`, { field: 'manifest' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`manifest line ${line} is not a JSON object`, { field: 'manifest' });
  }
  const record = value as Record<string, unknown>;
  const field = (name: string): string => {
    const v = record[name];
    if (typeof v !== 'string' || v.length === 0) throw new ValidationError(`manifest line ${line} has no "${name}" string`, { field: name });
    return v;
  };
  const imageId = field('imageId');
  if (!ID_PATTERN.test(imageId)) {
    throw new ValidationError(`manifest line ${line}: imageId "${imageId.slice(0, 80)}" may only hold letters, digits and . _ : -`, { field: 'imageId' });
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) if (typeof v === 'string' && k !== 'imageId') metadata[k] = v;
  return { imageId, key: field('key'), caption: field('caption'), metadata };
}

/** Reads a whole manifest; duplicate image ids are an error because every later step keys on them. */
export async function readManifest(lines: AsyncIterable<string> | Iterable<string>): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  const seen = new Set<string>();
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    const entry = parseManifestLine(text, line);
    if (seen.has(entry.imageId)) throw new ValidationError(`manifest line ${line} repeats imageId "${entry.imageId}"`, { field: 'imageId' });
    seen.add(entry.imageId);
    entries.push(entry);
  }
  if (entries.length === 0) throw new ValidationError('the manifest lists no images', { field: 'manifest' });
  return entries;
}
