import { createServer, type Server } from 'node:net';
import { handler as health } from '../../../functions/health';
import { handler as login } from '../../../functions/login';
import { resetConfig } from '../../../lib/config';
import { closeDb } from '../../../lib/db/client';
import { invoke } from '../../../dev/lambda';

/** MongoDB unreachable: a clear 503, never a hang or a 500. */
let blackhole: Server;
const savedUri = process.env.MONGODB_URI;

beforeAll(async () => {
  // A port that accepts nothing MongoDB could answer: connections are closed at once.
  blackhole = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  await closeDb();
  process.env.MONGODB_URI = `mongodb://127.0.0.1:${(blackhole.address() as { port: number }).port}/?directConnection=true`;
  resetConfig();
});

afterAll(async () => {
  await closeDb();
  process.env.MONGODB_URI = savedUri;
  resetConfig();
  await new Promise<void>((resolve) => blackhole.close(() => resolve()));
});

it('health answers 503 degraded within its own time limit', async () => {
  const started = Date.now();
  const res = await invoke(health, { path: '/api/health' });
  expect(Date.now() - started).toBeLessThan(4_000);
  expect(res.statusCode).toBe(503);
  expect(res.json()).toMatchObject({ status: 'degraded', mongodb: { ok: false } });
});

it('an endpoint that needs the database answers 503 DATABASE_UNAVAILABLE with Retry-After', async () => {
  const res = await invoke(login, { method: 'POST', path: '/api/login', body: { username: 'x', password: 'y' } });
  expect(res.statusCode).toBe(503);
  expect(res.json()).toEqual({
    error: { code: 'DATABASE_UNAVAILABLE', message: 'The database is unavailable; try again shortly' },
  });
  expect(res.headers['retry-after']).toBe('5');
});
