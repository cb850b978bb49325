/**
 * Pipeline step "Clean up generations": deletes index generations beyond the retention count. Keeps the newest
 * `retention` complete generations and whatever the alias points at; incomplete ones are leftovers of failed runs
 * (the guard rules out a run in progress) and go too. Generation names sort by time (`gen-YYYYMMDD-HHMMSS`).
 */
import type { VectorIndex } from '../core/ports/vector-index';
import type { StepContext } from './task-input';
import { requireInteger, requireString } from './task-input';

export interface CleanupGenerationsEvent extends StepContext {
  readonly alias: string;
  readonly retention: number;
}

export interface CleanupGenerationsResult {
  readonly kept: string[];
  readonly deleted: string[];
}

export function makeCleanupGenerationsHandler(deps: { readonly index: VectorIndex }): (event: CleanupGenerationsEvent) => Promise<CleanupGenerationsResult> {
  return async (event) => {
    const alias = requireString(event, 'alias');
    const retention = requireInteger(event, 'retention', 1);
    const current = await deps.index.resolveAlias(alias);
    const generations = (await deps.index.listGenerations()).sort((a, b) => (a.generation < b.generation ? 1 : a.generation > b.generation ? -1 : 0));
    const keep = new Set(generations.filter((info) => info.complete).slice(0, retention).map((info) => info.generation));
    if (current !== undefined) keep.add(current);
    const deleted: string[] = [];
    for (const info of generations) {
      if (keep.has(info.generation)) continue;
      await deps.index.deleteGeneration(info.generation);
      deleted.push(info.generation);
    }
    return { kept: generations.filter((info) => keep.has(info.generation)).map((info) => info.generation), deleted };
  };
}
