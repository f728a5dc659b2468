export { PlexClient, type PlexClientOptions, type PlexIterateOptions } from './client';
export { LISTING_CHANGED } from '../upstream/listing';
export * from './types';
