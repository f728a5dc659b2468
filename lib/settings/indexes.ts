import type { IndexDescription } from 'mongodb';
import { Collections } from '../db/collections';

/**
 * Indexes of the settings concern (merged into lib/db/indexes.ts). Lookups go by
 * the derived `_id`; the unique userId index is a second guard on real MongoDB.
 */
export const settingsIndexes: Record<string, IndexDescription[]> = {
  [Collections.settings]: [{ key: { userId: 1 }, name: 'settings_user_unique', unique: true }],
};
