import { runTask } from './lib/child-process';
import { startLibrary, startStore } from './lib/upstreams';
import type { ReplayRequest } from './tasks/floor';
(async () => {
  const store = await startStore();
  const lib = await startLibrary(100000, store);
  const seen: Record<string, ReplayRequest[]> = {};
  let at = { plex: 0, tautulli: 0 };
  const r = await runTask('build', { sectionIds: ['1'] }, lib.env(), (name, type) => {
    if (name === 'build-start') at = { plex: lib.plex.requests.length, tautulli: lib.tautulli.requests.length };
    else
      seen[String(type)] = [
        ...lib.plex.requests.slice(at.plex).map((q) => ({ upstream: 'plex' as const, path: q.path, query: q.query })),
        ...lib.tautulli.requests
          .slice(at.tautulli)
          .map((q) => ({ upstream: 'tautulli' as const, path: q.path, query: q.query })),
      ];
  });
  console.log(JSON.stringify(r));
  for (const q of seen.movie ?? []) console.log(q.upstream, q.path, JSON.stringify(q.query));
  const t = performance.now();
  const f = await runTask('floor', { groups: seen }, lib.env());
  console.log(JSON.stringify(f), performance.now() - t);
  await lib.close();
  await store.stop();
})();
