/**
 * Pipeline step "Write cluster assignments": pairs the K-Means batch transform output (one JSON line per CSV row,
 * same order) with the ids file and writes `assignments/<generation>.jsonl` of {imageId, cluster}.
 */
import { ValidationError } from '../core/errors';
import { parseKmeansAssignment } from '../core/kmeans-csv';
import type { ObjectStore } from '../core/ports/object-store';
import type { StepContext } from './task-input';
import { requireInteger, requireString } from './task-input';

export interface WriteAssignmentsEvent extends StepContext {
  readonly idsKey: string;
  /** The transform's S3OutputPath as a key prefix; it holds `<input file>.out`. */
  readonly transformOutputPrefix: string;
  readonly assignmentsKey: string;
  readonly k: number;
}

export interface WriteAssignmentsResult {
  readonly assignmentsKey: string;
  readonly images: number;
  /** Distinct clusters that received at least one image. */
  readonly clusters: number;
}

export function makeWriteAssignmentsHandler(deps: { readonly store: ObjectStore }): (event: WriteAssignmentsEvent) => Promise<WriteAssignmentsResult> {
  return async (event) => {
    const idsKey = requireString(event, 'idsKey');
    const prefix = requireString(event, 'transformOutputPrefix');
    const assignmentsKey = requireString(event, 'assignmentsKey');
    const k = requireInteger(event, 'k', 2);
    const outputs = (await deps.store.list(prefix)).filter((key) => key.endsWith('.out'));
    // Prepare K-Means input writes one CSV, so the transform writes one output; more would have no defined order.
    if (outputs.length !== 1) {
      throw new ValidationError(`expected one transform output (*.out) under ${prefix}, found ${outputs.length}`, { field: 'transformOutputPrefix' });
    }
    const outputKey = outputs[0] as string;
    const ids = deps.store.readLines(idsKey)[Symbol.asyncIterator]();
    const used = new Set<number>();
    let count = 0;
    async function* lines(): AsyncGenerator<string> {
      let lineNumber = 0;
      for await (const text of deps.store.readLines(outputKey)) {
        lineNumber++;
        if (text.trim() === '') continue;
        const cluster = parseKmeansAssignment(text, k, `${outputKey} line ${lineNumber}`);
        const next = await ids.next();
        if (next.done) throw new ValidationError(`${outputKey} has more rows than ${idsKey} has ids (${count})`, { field: 'transformOutput' });
        used.add(cluster);
        count++;
        yield JSON.stringify({ imageId: next.value, cluster });
      }
      const extra = await ids.next();
      if (!extra.done) throw new ValidationError(`${idsKey} has more ids than ${outputKey} has rows (${count})`, { field: 'transformOutput' });
    }
    await deps.store.writeLines(assignmentsKey, lines());
    return { assignmentsKey, images: count, clusters: used.size };
  };
}
