import { httpHandler } from '../../../lib/http/handler';
import { ok } from '../../../lib/http/response';
import { invoke } from '../../../dev/lambda';

describe('the Lambda deadline', () => {
  it('answers 504 TIMEOUT a second before Lambda would kill the function, and aborts the handler signal', async () => {
    let aborted = false;
    const slow = httpHandler({ route: 'GET /test/slow', auth: false }, async ({ signal }) => {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      aborted = signal.aborted;
      return ok({ late: true });
    });
    const started = Date.now();
    const res = await invoke(slow, { path: '/test/slow' }, 1_300); // 1.3 s left, answer at ~0.3 s
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(res.statusCode).toBe(504);
    expect(res.json()).toEqual({ error: { code: 'TIMEOUT', message: 'The request took too long and was stopped' } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(aborted).toBe(true);
  });
});
