/**
 * One user's settings writes, one after another within this process.
 *
 * The compare-and-swap in updateSettings keeps concurrent writers correct
 * anywhere (several Lambda containers, several servers), but every lost
 * round is a wasted read and plan; under load one process alone produced
 * enough losers for a PUT to run out of attempts (409). Queuing a user's
 * writes here leaves the swap to settle only races between processes.
 */
const tails = new Map<string, Promise<unknown>>();

export const oneAtATime = async <T>(key: string, task: () => Promise<T>): Promise<T> => {
  const run = (tails.get(key) ?? Promise.resolve()).then(task);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    // The last writer in line leaves no entry behind.
    if (tails.get(key) === tail) tails.delete(key);
  }
};
