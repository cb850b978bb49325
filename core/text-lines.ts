/** Line-by-line reading of a text stream, shared by the object stores. */
import { createInterface } from 'node:readline';

/**
 * The stream's lines without their line endings (LF or CRLF) and without a leading byte-order mark, which a
 * spreadsheet export would otherwise leave in the first column's name. The caller closes the stream's source.
 */
export async function* textLines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    let first = true;
    for await (const line of lines) {
      yield first && line.startsWith('\uFEFF') ? line.slice(1) : line;
      first = false;
    }
  } finally {
    lines.close();
  }
}
