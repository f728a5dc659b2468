export { TautulliClient, type TautulliClientOptions } from './client';
export * from './types';
