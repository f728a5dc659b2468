import { randomUUID } from 'node:crypto';
import type middy from '@middy/core';
import { usableConfig } from '../../config';
import { logger } from '../../logger';
import { recordRequest } from '../../metrics';
import type { ApiEvent, ApiResult, PlmContext } from '../types';

/**
 * Gives each request an id and state, and writes ONE log line when it ends:
 * method, route, status, duration, user id, memory; never bodies or tokens.
 * It also warns when the container uses more than MEMORY_WARN_RATIO of the
 * function's memory, before Lambda kills it.
 */
export const requestContext = (route: string): middy.MiddlewareObj<ApiEvent, ApiResult, Error, PlmContext> => {
  const before = async (request: middy.Request<ApiEvent, ApiResult, Error, PlmContext>): Promise<void> => {
    const { event } = request;
    // serverless-offline sends a constant placeholder id; use the invocation id then.
    const gatewayId = event.requestContext?.requestId;
    const requestId =
      gatewayId && !gatewayId.startsWith('offlineContext') ? gatewayId : request.context.awsRequestId || randomUUID();
    request.context.plm = {
      requestId,
      route,
      startedAt: performance.now(),
      client: {
        ip: event.requestContext?.http?.sourceIp,
        userAgent: event.requestContext?.http?.userAgent?.slice(0, 256),
      },
    };
    logger.appendKeys({ requestId, route });
  };

  const finish = async (request: middy.Request<ApiEvent, ApiResult, Error, PlmContext>): Promise<void> => {
    const state = request.context.plm;
    if (!state) return;
    const status = request.response?.statusCode ?? 500;
    const memory = process.memoryUsage();
    const config = usableConfig();
    const fields = {
      method: request.event.requestContext?.http?.method,
      status,
      durationMs: Math.round((performance.now() - state.startedAt) * 10) / 10,
      userId: state.user?.id,
      rssMB: Math.round(memory.rss / 1048576),
      heapUsedMB: Math.round(memory.heapUsed / 1048576),
    };
    if (request.response) request.response.headers = { ...request.response.headers, 'X-Request-Id': state.requestId };
    if (status >= 500) logger.error('request failed', fields);
    else logger.info('request', fields);
    recordRequest(state.route, status, fields.durationMs, request.response?.headers['X-Cache']?.toString());
    // Only a real Lambda container has the function's memory to itself; locally the process holds more.
    const limitMB = config?.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? Number.POSITIVE_INFINITY;
    if (config?.runtime === 'aws-lambda' && memory.rss > limitMB * 1048576 * config.MEMORY_WARN_RATIO) {
      logger.warn('memory use is close to the function limit', { rssMB: fields.rssMB, limitMB });
    }
    logger.removeKeys(['requestId', 'route']);
  };

  return { before, after: finish, onError: finish };
};
