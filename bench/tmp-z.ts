import { generateLibrary, startFakePlex, startFakeTautulli } from '../dev/fakes';
import { metadataSchema, pageSchema, historyRowSchema } from '../lib/plex/schemas';
import { mediaInfoSchema, envelopeSchema } from '../lib/tautulli/schemas';
import { toItem } from '../lib/plex/normalise';
(async () => {
  const ds = generateLibrary({ seed: 1, movies: 50000, episodes: 50000, artists: 0, photos: 0, deletions: false });
  const plex = await startFakePlex(ds, { token: 't' });
  const taut = await startFakeTautulli(ds, { apiKey: 'k'.repeat(32) });
  const get = async (u: string, h: Record<string, string> = {}) =>
    (await fetch(u, { headers: { Accept: 'application/json', 'X-Plex-Token': 't', ...h } })).text();
  const mov = await get(
    `${plex.url}/library/sections/1/all?type=1&X-Plex-Container-Start=0&X-Plex-Container-Size=2000`,
  );
  const hist = await get(
    `${plex.url}/status/sessions/history/all?librarySectionID=1&sort=viewedAt:asc&X-Plex-Container-Start=0&X-Plex-Container-Size=2000`,
  );
  const tau = await get(
    `${taut.url}/api/v2?apikey=${'k'.repeat(32)}&cmd=get_library_media_info&section_id=1&start=0&length=2000`,
  );
  const ep = await get(`${plex.url}/library/sections/2/all?type=4&X-Plex-Container-Start=0&X-Plex-Container-Size=2000`);
  console.log('bytes', mov.length, hist.length, tau.length, ep.length);
  const item = pageSchema(metadataSchema);
  const hp = pageSchema(historyRowSchema);
  const time = (name: string, f: () => void) => {
    for (let i = 0; i < 5; i++) f();
    const t = performance.now();
    for (let i = 0; i < 20; i++) f();
    console.log(name, ((performance.now() - t) / 20).toFixed(2), 'ms/page');
  };
  for (const [n, txt, sch] of [
    ['movies', mov, item],
    ['episodes', ep, item],
    ['history', hist, hp],
  ] as const) {
    time(`${n} parse`, () => JSON.parse(txt));
    const o = JSON.parse(txt);
    time(`${n} zod`, () => sch.safeParse(o));
    const z = sch.parse(o) as { MediaContainer: { Metadata: never[] } };
    if (n !== 'history') time(`${n} toItem`, () => z.MediaContainer.Metadata.map((m) => toItem(m)));
  }
  time('tautulli parse', () => JSON.parse(tau));
  const to = JSON.parse(tau);
  time('tautulli zod', () => {
    const e = envelopeSchema.parse(to);
    mediaInfoSchema.safeParse(e.response.data);
  });
  await plex.close();
  await taut.close();
})();
