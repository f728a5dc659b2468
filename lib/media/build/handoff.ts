/**
 * How a request hands a long build on (build-on-request.ts): in AWS to the
 * build function (warmCache) through the Lambda API, signed with the
 * function's own role; under `npm start` to the same function through
 * serverless-offline's Lambda endpoint. Anywhere else there is no handoff: a
 * long-lived process builds in the background itself.
 */
import { invokeAsync, type InvokeTarget } from '../../aws/lambda-invoke';
import type { Config } from '../../config';
import type { BuildRequest } from '../build-on-request';

/** The event the build function receives (functions/warm-cache.ts). */
export interface BuildEvent {
  build: BuildRequest;
}

export const isBuildEvent = (event: unknown): event is BuildEvent => {
  const build = typeof event === 'object' && event !== null ? (event as { build?: unknown }).build : undefined;
  if (typeof build !== 'object' || build === null) return false;
  const b = build as Partial<BuildRequest>;
  return (
    typeof b.userId === 'string' &&
    typeof b.sectionId === 'string' &&
    typeof b.lease?.key === 'string' &&
    typeof b.lease.holder === 'string'
  );
};

const targetOf = (c: Config): Omit<InvokeTarget, 'functionName'> | undefined => {
  if (c.runtime === 'serverless-offline')
    return { endpoint: `http://127.0.0.1:${c.PLM_LAMBDA_PORT ?? 3002}`, region: 'us-east-1', credentials: null };
  if (c.runtime !== 'aws-lambda' || !c.AWS_REGION || !c.AWS_ACCESS_KEY_ID || !c.AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    endpoint: `https://lambda.${c.AWS_REGION}.amazonaws.com`,
    region: c.AWS_REGION,
    credentials: {
      accessKeyId: c.AWS_ACCESS_KEY_ID,
      secretAccessKey: c.AWS_SECRET_ACCESS_KEY,
      ...(c.AWS_SESSION_TOKEN ? { sessionToken: c.AWS_SESSION_TOKEN } : {}),
    },
  };
};

/** The handoff of this runtime, if it has one. */
export const buildHandoff = (c: Config): ((req: BuildRequest) => Promise<void>) | undefined => {
  const functionName = c.PLM_BUILD_FUNCTION;
  const target = targetOf(c);
  if (!functionName || !target) return undefined;
  return (build) => invokeAsync({ ...target, functionName }, { build } satisfies BuildEvent);
};
