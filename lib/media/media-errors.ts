/** The media concern's own refusals (upstream failures are UpstreamErrors, lib/upstream/errors.ts). */
import { APIError, notFound } from '../errors';
import { retryAfterOf, type BuildStatus } from './build-status';

export const libraryNotFound = (id: string): APIError =>
  notFound(`Library ${id} does not exist on your Plex server`, 'LIBRARY_NOT_FOUND');

/** A non-owner token's Plex data shows only its own plays: without a usable Tautulli nothing can be judged unused. */
export const plexNotOwner = (): APIError =>
  new APIError(
    "This Plex token is not the server owner's, so Plex shows only its own plays; use the owner's token or configure Tautulli",
    409,
    'PLEX_NOT_OWNER',
  );

/**
 * The library's build outlasts the request (build-on-request.ts): answered 202 with
 * Retry-After and where to follow the build. `unused` sends the status as its body;
 * the other per-library routes send it as this "error"'s details.
 */
export class LibraryBuilding extends APIError {
  constructor(readonly status: BuildStatus) {
    super('The library is being built; ask again after Retry-After', 202, 'LIBRARY_BUILDING', {
      details: { ...status },
      headers: { 'Retry-After': retryAfterOf(status), Location: status.statusUrl },
    });
    this.name = 'LibraryBuilding';
  }
}
