/** The child side of child-process.ts: runs one task and sends its result. */
import { childIo, type TaskIo } from './child-io';
import type { TaskName } from './child-process';

type Task = (input: never, io: TaskIo) => Promise<unknown>;

const load = async (task: TaskName): Promise<Task> => {
  switch (task) {
    case 'build':
      return (await import('../tasks/build')).build as Task;
    case 'floor':
      return (await import('../tasks/floor')).floor as Task;
    case 'naive':
      return (await import('../tasks/naive')).naive as Task;
    case 'warm':
      return (await import('../tasks/warm')).warm as Task;
    case 'first-request':
      return (await import('../tasks/first-request')).firstRequest as Task;
    case 'http-server':
      return (await import('../tasks/http-server')).httpServer as Task;
  }
};

const io = childIo();
process.on('message', (raw: unknown) => {
  const m = raw as { kind: string; task?: TaskName; input?: unknown };
  if (m.kind !== 'start') return io.onMessage(m);
  void (async () => {
    try {
      const run = await load(m.task as TaskName);
      const data = await run(m.input as never, io);
      process.send?.({ kind: 'result', data }, () => process.exit(0));
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.send?.({ kind: 'error', message }, () => process.exit(1));
    }
  })();
});
