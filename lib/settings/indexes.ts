import type { IndexDescription } from 'mongodb';

/** Indexes of the settings concern (merged into lib/db/indexes.ts). */
export const settingsIndexes: Record<string, IndexDescription[]> = {};
