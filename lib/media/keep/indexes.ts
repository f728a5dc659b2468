import type { IndexDescription } from 'mongodb';
import { KEEP_COLLECTION } from './keep-store';

/**
 * Indexes of the keep list (merged into lib/db/indexes.ts): the unused answer
 * reads a user's keeps of one library, GET /api/keep those of one server.
 * Uniqueness is the derived `_id`'s, not an index's (see keep-store.ts).
 */
export const keepIndexes: Record<string, IndexDescription[]> = {
  [KEEP_COLLECTION]: [{ key: { userId: 1, machineIdentifier: 1, sectionId: 1 }, name: 'user_server_library' }],
};
