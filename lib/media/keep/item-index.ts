/**
 * Item id → index in a snapshot, built on first use and kept while the
 * snapshot is: a keep is checked and placed in O(1), not by a 100k-item scan.
 */
import type { LoadedSnapshot } from '../cache/loaded-snapshot';
import type { SnapshotItem } from '../types';
import { isActive, type KeepDoc } from './keep-store';

const indexes = new WeakMap<LoadedSnapshot, Map<string, number>>();

export const itemIndex = (snapshot: LoadedSnapshot, id: string): number | undefined => {
  let byId = indexes.get(snapshot);
  if (!byId) {
    byId = new Map();
    const { items } = snapshot;
    for (let i = 0; i < items.length; i++) byId.set((items[i] as SnapshotItem).id, i);
    indexes.set(snapshot, byId);
  }
  return byId.get(id);
};

/** The keeps in force now, by the index of their item (keeps of items no longer in the library drop out). */
export const keptIndices = (
  snapshot: LoadedSnapshot,
  keeps: readonly KeepDoc[],
  nowMs: number,
): Map<number, KeepDoc> => {
  const kept = new Map<number, KeepDoc>();
  for (const doc of keeps) {
    if (!isActive(doc, nowMs)) continue;
    const i = itemIndex(snapshot, doc.itemId);
    if (i !== undefined) kept.set(i, doc);
  }
  return kept;
};
