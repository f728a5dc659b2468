import { setTimeout as sleep } from 'node:timers/promises';
import { oneAtATime } from '../../../lib/settings/write-queue';

/** A task that records when it starts and ends, taking `ms`. */
const recorder = () => {
  const events: string[] = [];
  const task =
    (name: string, ms: number, fail = false) =>
    async () => {
      events.push(`start ${name}`);
      await sleep(ms);
      events.push(`end ${name}`);
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
  return { events, task };
};

describe('oneAtATime', () => {
  it("runs one key's tasks one after another, in the order they came", async () => {
    const { events, task } = recorder();
    const results = await Promise.all([
      oneAtATime('u1', task('a', 20)),
      oneAtATime('u1', task('b', 1)),
      oneAtATime('u1', task('c', 5)),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets different keys run side by side', async () => {
    const { events, task } = recorder();
    await Promise.all([oneAtATime('u1', task('a', 20)), oneAtATime('u2', task('b', 1))]);
    expect(events).toEqual(['start a', 'start b', 'end b', 'end a']);
  });

  it('passes a failure to its caller only, and the next task still runs', async () => {
    const { events, task } = recorder();
    const failed = oneAtATime('u1', task('a', 5, true));
    const next = oneAtATime('u1', task('b', 1));
    await expect(failed).rejects.toThrow('a failed');
    await expect(next).resolves.toBe('b');
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
