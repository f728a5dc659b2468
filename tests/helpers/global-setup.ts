import { spawnEmbeddedMongo } from '../../dev/embedded-mongo/spawn';

/**
 * The suite runs against MONGODB_URI when it is set (any real MongoDB), and
 * otherwise against the embedded store, started once for the whole run.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) return;
  const { uri, child } = await spawnEmbeddedMongo();
  process.env.MONGODB_URI = uri;
  process.env.PLM_TEST_EMBEDDED_PID = String(child.pid);
  (globalThis as { __plmEmbedded?: typeof child }).__plmEmbedded = child;
}
