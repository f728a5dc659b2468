import { runTask } from './lib/child-process';
import { startLibrary, startStore } from './lib/upstreams';
(async () => {
  const store = await startStore();
  const lib = await startLibrary(100000, store);
  for (let i = 0; i < 3; i++) {
    const r = await runTask('build', { sectionIds: ['1', '2'] }, { ...lib.env(), BENCH_MEM_TRACE: '1' });
    console.log(JSON.stringify(r).replace(/"stages":\{[^}]*\}/g, ''));
  }
  await lib.close();
  await store.stop();
})();
