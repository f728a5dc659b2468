/**
 * The first request on a library nobody built yet: how long until it is
 * answered (200, or 202 while the build goes on), and how long until the
 * library answers 200. In-process, as a long-lived process (npm start,
 * a container) serves it.
 */
import { installBenchService, sleep } from './service';

export interface FirstRequestInput {
  sectionId: string;
}

export interface FirstRequestResult {
  firstStatus: number;
  firstMs: number;
  retryAfter: string | null;
  answerableMs: number;
  polls: number;
}

export const firstRequest = async (input: FirstRequestInput): Promise<FirstRequestResult> => {
  const { handler } = await import('../../functions/unused');
  const { invoke } = await import('../../dev/lambda');
  const { createUserAndLogin } = await import('../../dev/users');
  const { closeDb } = await import('../../lib/db/client');
  installBenchService();
  const { token } = await createUserAndLogin();
  const call = () =>
    invoke(handler, {
      path: `/api/library/${input.sectionId}/unused`,
      routeKey: 'GET /api/library/{id}/unused',
      pathParameters: { id: input.sectionId },
      query: { limit: '3' },
      token,
    });
  const t0 = performance.now();
  const first = await call();
  const firstMs = performance.now() - t0;
  let status = first.statusCode;
  let polls = 0;
  let retry = first.headers['retry-after'];
  while (status === 202 && polls < 600) {
    // Honour Retry-After, but look a little more often so the measurement is not coarser than the build.
    await sleep(Math.min(250, Number(retry ?? 1) * 1000));
    const r = await call();
    status = r.statusCode;
    retry = r.headers['retry-after'];
    polls++;
  }
  if (status !== 200) throw new Error(`library answered ${status}`);
  const answerableMs = performance.now() - t0;
  await closeDb();
  return {
    firstStatus: first.statusCode,
    firstMs,
    retryAfter: first.headers['retry-after'] ?? null,
    answerableMs,
    polls,
  };
};
