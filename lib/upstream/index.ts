export {
  UpstreamError,
  isUpstreamError,
  SERVICE_NAME,
  type UpstreamErrorKind,
  type UpstreamService,
  type UpstreamErrorInfo,
} from './errors';
export {
  UpstreamHttp,
  type UpstreamHttpOptions,
  type UpstreamRequest,
  type UpstreamResponse,
  type QueryValue,
} from './http';
export { orderedPages, offsetPages } from './pages';
export { listingPages, LISTING_CHANGED, type ListingOptions, type ListingPage } from './listing';
export { backoffDelay, parseRetryAfter, sleep } from './retry';
export { num, numOrNull, id, orNull, text, describeIssues } from './schema';
export { connectUpstream, type UpstreamTuning, type UpstreamEndpoint } from './client-options';
