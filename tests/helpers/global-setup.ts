import { spawnEmbeddedMongo, type EmbeddedMongo } from '../../dev/embedded-mongo/spawn';

/**
 * The suite runs against MONGODB_URI when it is set (any real MongoDB), and
 * otherwise against the embedded store, started once for the whole run.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) return;
  const store = await spawnEmbeddedMongo();
  process.env.MONGODB_URI = store.uri;
  process.env.PLM_TEST_EMBEDDED_PID = String(store.child.pid);
  (globalThis as { __plmEmbedded?: EmbeddedMongo }).__plmEmbedded = store;
}
