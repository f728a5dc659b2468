import type { IndexDescription } from 'mongodb';

/** Indexes of the media cache concern (merged into lib/db/indexes.ts). */
export const mediaIndexes: Record<string, IndexDescription[]> = {};
