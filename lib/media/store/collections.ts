/**
 * The media cache's collections. All start with `media` so the local store's
 * persistence skips them: everything here can be rebuilt from Plex/Tautulli.
 */
export const MediaCollections = {
  /** One small document per (Plex server, section): which snapshot version is current. */
  heads: 'media_snapshot_heads',
  /** The snapshot items, a few thousand per document, addressed by derived _id. */
  chunks: 'media_snapshot_chunks',
  /** Credential fingerprint → the server and sections it proved it can read (tenant check). */
  access: 'media_access',
  /** Cross-container refresh leases (one refresh per library at a time). */
  leases: 'media_refresh_leases',
} as const;
