import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { ifMatchHeader } from '../lib/settings/http';
import { etagOf, updateSettings } from '../lib/settings/service';

/**
 * PUT /api/settings[?verify=true] with any subset of the settings → the stored,
 * effective settings. Omitted = keep, null = clear, masked secret = keep;
 * If-Match (412) or body `version` (409) guard against lost updates.
 */
export const handler = httpHandler(ROUTES.settingsPut, async ({ body, query, user, client, signal, event }) => {
  const view = await updateSettings(body, {
    ifMatch: ifMatchHeader(event),
    verify: query.verify,
    signal,
    user,
    client,
  });
  return ok(view, { ETag: etagOf(view.version) });
});
