import { randomBytes } from 'node:crypto';

// Every test file gets its own database, so files never see each other's data.
process.env.NODE_ENV = 'test';
process.env.MONGODB_DB = `plm_test_${randomBytes(4).toString('hex')}`;
process.env.JWT_SECRET ??= 'test-secret-0123456789abcdef0123456789abcdef';
process.env.BCRYPT_COST ??= '4';
process.env.SETTINGS_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
// Log everything, so logs.ts can capture each file's logs and check that
// no secret ever appears in them.
process.env.LOG_LEVEL ??= 'DEBUG';
// Upstream env defaults must never leak in from the developer's shell.
for (const name of ['PLEX_URL', 'PLEX_TOKEN', 'TAUTULLI_URL', 'TAUTULLI_API_KEY']) delete process.env[name];
