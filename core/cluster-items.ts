/**
 * Cluster item ids: the ITEM_ID the ranker sees is a cluster, and it carries the clustering generation
 * (`<generation>.c<cluster>`, e.g. `gen-20261204-1.c7`) so an event recorded against last week's clustering can never
 * be read as a preference for this week's cluster 7, which may be a different style.
 */
import { ValidationError } from './errors';

const GENERATION_PATTERN = /^[a-z0-9-]{1,64}$/;
const CLUSTER_ITEM_PATTERN = /^([a-z0-9-]{1,64})\.c(0|[1-9][0-9]{0,8})$/;

export interface ClusterItemRef {
  readonly clusterGeneration: string;
  readonly cluster: number;
}

/** Throws unless `name` is a usable generation name: 1-64 of lower-case letters, digits and '-'. */
export function assertClusterGeneration(name: string): void {
  if (!GENERATION_PATTERN.test(name)) {
    throw new ValidationError(
      `cluster generation "${name}" is invalid: use 1-64 characters of lower-case letters, digits and "-"`,
      { field: 'clusterGeneration' },
    );
  }
}

export function clusterItemId(clusterGeneration: string, cluster: number): string {
  assertClusterGeneration(clusterGeneration);
  if (!Number.isInteger(cluster) || cluster < 0 || cluster > 999_999_999) {
    throw new ValidationError(`cluster ${cluster} is invalid: expected a non-negative integer`, { field: 'cluster' });
  }
  return `${clusterGeneration}.c${cluster}`;
}

/** The generation and cluster of a cluster item id, or undefined for anything not written by `clusterItemId`. */
export function parseClusterItemId(id: string): ClusterItemRef | undefined {
  const match = CLUSTER_ITEM_PATTERN.exec(id);
  if (!match) return undefined;
  return { clusterGeneration: match[1] as string, cluster: Number(match[2]) };
}
