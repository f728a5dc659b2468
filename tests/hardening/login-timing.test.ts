// bcrypt at a production-like cost, so the comparison is what dominates, as in production.
process.env.BCRYPT_COST = '10';

import { createUser } from '../../lib/auth/users';
import { call, route } from './harness';
import { Checks } from './tally';

/**
 * User enumeration by timing: an unknown user name and a wrong password for a
 * real one take the same path (a bcrypt comparison against a dummy hash of the
 * same cost) and so the same time, within a small ratio.
 */
jest.setTimeout(120_000);

it('unknown user and wrong password take the same time (within a small ratio)', async () => {
  const checks = new Checks('attack', 'user enumeration by timing (unknown user vs wrong password)');
  await createUser('timed', 'timed-password-1');
  const time = async (username: string, ip: string) => {
    const t0 = performance.now();
    const res = await call(route('login'), { body: { username, password: 'not-the-password' }, ip });
    checks.check('answered 401', res.statusCode === 401, String(res.statusCode));
    return performance.now() - t0;
  };
  await time('warm-up', '192.0.2.250');
  const unknown: number[] = [];
  const wrong: number[] = [];
  // Alternating, each from a fresh address, so no throttle is involved.
  for (let i = 0; i < 40; i++) {
    unknown.push(await time(`nobody-${i}`, `192.0.2.${i}`));
    wrong.push(await time('timed', `192.0.2.${i + 100}`));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;
  const ratio = median(unknown) / median(wrong);
  checks.note(
    `bcrypt cost 10, 40 each: median unknown user ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms, ratio ${ratio.toFixed(3)}`,
  );
  checks.check('ratio within 0.85–1.15', ratio > 0.85 && ratio < 1.15, ratio.toFixed(3));
  checks.done();
});
