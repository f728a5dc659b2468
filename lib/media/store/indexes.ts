import type { IndexDescription } from 'mongodb';
import { MediaCollections } from './collections';

/**
 * Indexes of the media concern (merged into lib/db/indexes.ts). Every hot read
 * is by a derived `_id` (heads, chunks, servers, access, leases), which needs
 * no secondary index and stays correct on the embedded store; these serve the
 * warmer's and the libraries endpoint's listings and the chunk clean-up on
 * real MongoDB. Nothing relies on TTL expiry: the embedded store has none.
 */
export const mediaIndexes: Record<string, IndexDescription[]> = {
  [MediaCollections.heads]: [{ key: { machineIdentifier: 1, scope: 1, sectionId: 1 }, name: 'server_scope_section' }],
  [MediaCollections.chunks]: [{ key: { createdAt: 1 }, name: 'created' }],
  [MediaCollections.access]: [{ key: { machineIdentifier: 1 }, name: 'server' }],
};
