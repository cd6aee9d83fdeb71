/**
 * The Lambda-like context the local runtime hands each invocation (gateway, poller, sweeper
 * timer), so handlers log the same context fields as in Lambda: request id, function name, and a
 * remaining time that counts down to the function timeout.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The functions' names, as serverless.yml names them (service-stage-function) for a stage "local". */
export const LOCAL_FUNCTION_NAMES = {
  api: 'edgar-auto-shop-local-api',
  worker: 'edgar-auto-shop-local-worker',
  sweeper: 'edgar-auto-shop-local-sweeper',
} as const;

export function localLambdaContext(opts: {
  functionName: string;
  region: string;
  timeoutMs: number;
  /** The invocation's id (the gateway uses the event's requestContext.requestId, as function URLs do). */
  requestId?: string;
  startedAt?: number;
}): Context {
  const deadline = (opts.startedAt ?? Date.now()) + opts.timeoutMs;
  const requestId = opts.requestId ?? randomUUID();
  const unsupported = () => {
    throw new Error('callback-style completion is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: opts.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${opts.region}:000000000000:function:${opts.functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${opts.functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
