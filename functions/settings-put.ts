import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { ifMatchHeader, PutSettingsQuery } from '../lib/settings/http';
import { SettingsUpdate } from '../lib/settings/schema';
import { etagOf, updateSettings } from '../lib/settings/service';

/**
 * PUT /api/settings[?verify=true] with any subset of the settings → the stored,
 * effective settings. Omitted = keep, null = clear, masked secret = keep;
 * If-Match (412) or body `version` (409) guard against lost updates.
 */
export const handler = httpHandler(
  { route: 'PUT /api/settings', auth: true, body: SettingsUpdate, query: PutSettingsQuery },
  async ({ body, query, user, client, signal, event }) => {
    const view = await updateSettings(body, { ifMatch: ifMatchHeader(event), verify: query.verify, signal, user, client });
    return ok(view, { ETag: etagOf(view.version) });
  },
);
