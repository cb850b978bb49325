/**
 * One "bucket" made of two folders: the library (manifest, images, interactions) stays where the user keeps it and is
 * only read, while everything the pipeline writes under its own prefixes goes to a work folder in the state folder.
 * The retraining definition sees a single bucket, as on AWS.
 */
import type { ObjectStore } from '../ports/object-store';

export interface RoutedObjectStoreProps {
  /** Where keys not under `routedPrefixes` live. */
  readonly base: ObjectStore;
  /** Where keys under `routedPrefixes` live. */
  readonly routed: ObjectStore;
  readonly routedPrefixes: readonly string[];
}

export class RoutedObjectStore implements ObjectStore {
  constructor(private readonly props: RoutedObjectStoreProps) {}

  getBytes(key: string): Promise<Uint8Array> {
    return this.storeOf(key).getBytes(key);
  }

  putBytes(key: string, body: Uint8Array | string): Promise<void> {
    return this.storeOf(key).putBytes(key, body);
  }

  exists(key: string): Promise<boolean> {
    return this.storeOf(key).exists(key);
  }

  async list(prefix: string): Promise<string[]> {
    const routed = this.props.routedPrefixes.some((p) => prefix.startsWith(p));
    if (routed) return this.props.routed.list(prefix);
    // A prefix that spans both (e.g. "") lists both, minus base keys that would be shadowed by the routed store.
    const [base, work] = await Promise.all([this.props.base.list(prefix), this.props.routed.list(prefix)]);
    const visibleBase = base.filter((key) => !this.isRouted(key));
    const visibleWork = work.filter((key) => this.isRouted(key));
    return [...visibleBase, ...visibleWork].sort();
  }

  delete(key: string): Promise<void> {
    return this.storeOf(key).delete(key);
  }

  readLines(key: string): AsyncIterable<string> {
    return this.storeOf(key).readLines(key);
  }

  writeLines(key: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
    return this.storeOf(key).writeLines(key, lines);
  }

  private isRouted(key: string): boolean {
    return this.props.routedPrefixes.some((prefix) => key.startsWith(prefix));
  }

  private storeOf(key: string): ObjectStore {
    return this.isRouted(key) ? this.props.routed : this.props.base;
  }
}
