/**
 * The container's in-memory snapshot cache: an LRU bounded by (estimated)
 * bytes, keyed by library, each entry tagged with its stored version. A hit is
 * only trusted after the caller compared that version with the stored head,
 * so a refresh by another container is seen on the next request.
 */
import { LRUCache } from 'lru-cache';
import type { LoadedSnapshot } from './loaded-snapshot';

export class SnapshotMemoryCache {
  private readonly lru: LRUCache<string, LoadedSnapshot>;

  constructor(readonly maxBytes: number) {
    this.lru = new LRUCache<string, LoadedSnapshot>({
      maxSize: maxBytes,
      // A snapshot bigger than the whole budget is simply not kept (served from MongoDB).
      sizeCalculation: (s) => Math.max(1, s.approxBytes),
      maxEntrySize: maxBytes,
    });
  }

  /** The cached snapshot of a library if it is exactly `version`. */
  get(key: string, version: string): LoadedSnapshot | undefined {
    const hit = this.lru.get(key);
    return hit && hit.meta.version === version ? hit : undefined;
  }

  set(key: string, snapshot: LoadedSnapshot): void {
    const current = this.lru.peek(key);
    // Never replace a newer snapshot with an older one (two refreshes finishing out of order).
    if (current && current.meta.fetchedAt > snapshot.meta.fetchedAt) return;
    this.lru.set(key, snapshot);
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }

  get calculatedBytes(): number {
    return this.lru.calculatedSize;
  }

  get size(): number {
    return this.lru.size;
  }
}
