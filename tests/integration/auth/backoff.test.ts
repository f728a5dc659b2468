import { passBackoff } from '../../../lib/auth/backoff';
import { getDb } from '../../../lib/db/client';
import { Collections } from '../../../lib/db/collections';
import { derivedId } from '../../../lib/db/ids';

const TIMING = { baseMs: 30_000, maxMs: 900_000, forgetMs: 3_600_000 };

describe('login back-off counters', () => {
  it('forget an expired key even when a crashed container left an attempt pending on it', async () => {
    const key = 'login:pair:crashed\n203.0.113.0';
    const _id = derivedId('login-backoff', key);
    const col = (await getDb()).collection(Collections.loginFailures);
    const now = Date.now();
    // Five failures long ago, and one attempt whose container died before it settled.
    await col.insertOne({
      _id,
      key,
      failures: 5,
      pending: 1,
      pendingAt: new Date(now - 2 * TIMING.forgetMs),
      lockedUntil: new Date(now - TIMING.forgetMs),
      expiresAt: new Date(now - 60_000),
    });
    const passage = await passBackoff(key, 5, TIMING);
    expect(passage.waitMs).toBe(0);
    expect(await col.findOne({ _id })).toMatchObject({ failures: 0, pending: 1 });
    await passage.released();
  });
});
