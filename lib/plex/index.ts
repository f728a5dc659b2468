export { PlexClient, LISTING_CHANGED, type PlexClientOptions, type PlexIterateOptions } from './client';
export * from './types';
