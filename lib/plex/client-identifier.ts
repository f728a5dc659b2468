import { createHmac } from 'node:crypto';
import { getConfig } from '../config';

let cached: string | undefined;

/**
 * The X-Plex-Client-Identifier of this install. Plex tells devices apart by it
 * (sessions, the "Authorized devices" list), so every install needs its own,
 * stable across restarts and containers: it is derived from the install's
 * JWT_SECRET (one-way, so it reveals nothing of the secret).
 */
export const installClientIdentifier = (): string => {
  cached ??= `plm-${createHmac('sha256', getConfig().JWT_SECRET)
    .update('plm-plex-client-identifier')
    .digest('hex')
    .slice(0, 32)}`;
  return cached;
};
