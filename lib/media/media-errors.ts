/** The media concern's own refusals (upstream failures are UpstreamErrors, lib/upstream/errors.ts). */
import { APIError, notFound } from '../errors';

export const libraryNotFound = (id: string): APIError =>
  notFound(`Library ${id} does not exist on your Plex server`, 'LIBRARY_NOT_FOUND');

/** A non-owner token's Plex data shows only its own plays: without a usable Tautulli nothing can be judged unused. */
export const plexNotOwner = (): APIError =>
  new APIError(
    "This Plex token is not the server owner's, so Plex shows only its own plays; use the owner's token or configure Tautulli",
    409,
    'PLEX_NOT_OWNER',
  );
