import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string | number | boolean> };

export interface AuthUser {
  /** hex ObjectId of the user */
  id: string;
  username: string;
  /** the session (refresh-token family) the access token belongs to */
  sessionId: string;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

/** What the spine's middlewares learn about a request, kept on the Lambda context. */
export interface RequestState {
  requestId: string;
  route: string;
  startedAt: number;
  client: ClientInfo;
  user?: AuthUser;
  body?: unknown;
  query?: unknown;
  path?: unknown;
}

export interface PlmContext extends Context {
  plm: RequestState;
}
