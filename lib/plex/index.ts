export { PlexClient, type PlexClientOptions, type PlexIterateOptions } from './client';
export * from './types';
