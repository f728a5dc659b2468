/**
 * Whose plays count when judging "unused" (`scope=` on unused and summary):
 *
 *   anyone        every play any source saw (the default, and the only answer Tautulli helps)
 *   owner         the server owner's plays: their own watch state and their Plex history rows
 *   others        every account but the owner's ("what has nobody but me watched")
 *   user:<who>    one account, by Plex account id or name (GET /api/library/{id}/accounts)
 *
 * Scoped answers rest on Plex server history, which only the owner's token
 * reads in full; Tautulli's media info is per item, not per user, so it cannot
 * narrow a scope (see scope/resolve-scope.ts for when plm refuses instead).
 */
import * as z from 'zod';
import type { AccountFilter } from '../rules/account-plays';
import { OWNER_ACCOUNT_ID } from '../types';

export type WatchScope =
  | { kind: 'anyone' }
  | { kind: 'owner' }
  | { kind: 'others' }
  /** `account` as the client wrote it: an account id (digits) or a Plex account name. */
  | { kind: 'user'; account: string };

/** A scope narrowed to accounts, ready to judge with. */
export interface AccountScope {
  /** Canonical form, e.g. "owner" or "user:3" (also the key of its cached order). */
  key: string;
  /** Who, in the reason text: "the owner", "alice", "anyone but the owner". */
  label: string;
  filter: AccountFilter;
}

/** anyone, or a scope narrowed to accounts. */
export type ResolvedScope = { kind: 'anyone'; key: 'anyone' } | ({ kind: 'accounts' } & AccountScope);

export const ANYONE: ResolvedScope = { kind: 'anyone', key: 'anyone' };
export const OWNER_SCOPE: AccountScope = { key: 'owner', label: 'the owner', filter: { only: OWNER_ACCOUNT_ID } };
export const OTHERS_SCOPE: AccountScope = {
  key: 'others',
  label: 'anyone but the owner',
  filter: { except: OWNER_ACCOUNT_ID },
};

/** Plex account names are free text; control characters and the edges' spaces are not part of one. */
const ACCOUNT = /^[^\p{Cc}\s](?:[^\p{Cc}]{0,98}[^\p{Cc}\s])?$/u;

/** The `scope` query parameter (absent means anyone: callers make it optional). */
export const WatchScopeParam = z
  .string()
  .max(105, 'scope must be at most 105 characters')
  .describe('whose plays count: anyone (default), owner, others (all but the owner) or user:<Plex account id or name>')
  .transform((value, ctx): WatchScope => {
    if (value === 'anyone' || value === 'owner' || value === 'others') return { kind: value };
    const account = value.startsWith('user:') ? value.slice(5) : '';
    if (ACCOUNT.test(account)) return { kind: 'user', account };
    ctx.addIssue({
      code: 'custom',
      message: 'scope must be anyone, owner, others or user:<Plex account id or name>',
    });
    return z.NEVER;
  });
