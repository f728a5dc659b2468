import type { EmbeddedMongo } from '../../dev/embedded-mongo/spawn';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __plmEmbedded?: EmbeddedMongo }).__plmEmbedded?.stop();
}
