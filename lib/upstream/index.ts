export { UpstreamError, isUpstreamError, SERVICE_NAME, type UpstreamErrorKind, type UpstreamService, type UpstreamErrorInfo } from './errors';
export { UpstreamHttp, type UpstreamHttpOptions, type UpstreamRequest, type UpstreamResponse, type QueryValue } from './http';
export { orderedPages, offsetPages } from './pages';
export { backoffDelay, parseRetryAfter, sleep } from './retry';
export { num, numOrNull, id, idOrNull, orNull, text, describeIssues } from './schema';
export { connectUpstream, type UpstreamTuning, type UpstreamIdentity } from './client-options';
