/** Why a watch scope cannot be answered: never a guess, always a named refusal. */
import { APIError, notFound } from '../../errors';

/** Only the owner's token reads every account's Plex history; Tautulli's media info is per item, not per user. */
export const historyOwnOnly = (): APIError =>
  new APIError(
    "This Plex token is not the server owner's, so Plex history shows only its own plays and cannot tell the owner's or another account's apart (Tautulli's per-item counts cannot either); use the owner's token, or scope=anyone",
    409,
    'PLEX_HISTORY_OWN_ONLY',
  );

/** A snapshot stored before plm recorded plays per account, which could not be rebuilt just now. */
export const accountPlaysPending = (): APIError =>
  new APIError(
    'This library was last read before plm recorded plays per account, and it could not be read again just now; try again shortly, or use scope=anyone',
    409,
    'ACCOUNT_PLAYS_PENDING',
  );

export const accountNotFound = (account: string): APIError =>
  notFound(
    `No Plex account ${JSON.stringify(account)} on this server (see GET /api/library/{id}/accounts)`,
    'ACCOUNT_NOT_FOUND',
  );

export const accountAmbiguous = (account: string, ids: number[]): APIError =>
  new APIError(
    `Several Plex accounts are named ${JSON.stringify(account)}; name one by its id (user:<id>)`,
    409,
    'ACCOUNT_AMBIGUOUS',
    { details: { ids } },
  );
