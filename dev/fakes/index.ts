export * from './dataset';
export { generateLibrary, seededRandom, type GenerateOptions } from './library-generator';
export { LibraryView } from './library-view';
export {
  startFakePlex,
  PLEX_UNAUTHORIZED_BODY,
  type FakePlex,
  type FakePlexOptions,
  type FakePlexQuirks,
} from './fake-plex';
export { startFakeTautulli, type FakeTautulli, type FakeTautulliOptions } from './fake-tautulli';
export type { Fault, FaultKind, FakeServer, RecordedRequest } from './fake-server';
