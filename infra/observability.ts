/**
 * The one module that creates the logger and the metrics (STYLE.md 8), from the validated config:
 * the container and the local runtime take theirs from here. It also gives each Lambda invocation
 * its context on every log line: request id, cold start, function name (and what a handler adds,
 * such as the API's method and route), in the field names Powertools' Logger uses, so Logs
 * Insights queries written for it work here.
 *
 * Why not Powertools' Logger with injectLambdaContext: it keeps the invocation's context on the
 * logger instance (per invocation only with Lambda's own InvokeStore under
 * AWS_LAMBDA_MAX_CONCURRENCY), and the local runtime runs many invocations of one handler at once
 * through one logger, so their request ids would mix; it writes warnings and errors to stderr and
 * takes no output of ours (tests read the lines); it reads variables of its own beside config.ts
 * (POWERTOOLS_*, LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL, ENVIRONMENT); and keeping this service's line
 * shape (`msg`, `time`, lower-case levels) would need a formatter of ours. What would be left of
 * it is a level filter.
 */
import type { Context } from 'aws-lambda';
import type { ServiceConfig } from './config';
import { createLogger, runWithLogFields, type LogFields, type Logger } from './logger';
import { MoveMetrics, metricsLoggerFactory } from './metrics';

export type { LogFields, Logger } from './logger';
export type { MoveMetrics } from './metrics';

export const SERVICE_NAME = 'edgar-auto-shop';

export interface Observability {
  log: Logger;
  metrics: MoveMetrics;
}

/** The process's logger: JSON lines on stdout at LOG_LEVEL (or through `write`, for tests). */
export function createLog(config: Pick<ServiceConfig, 'LOG_LEVEL'>, write?: (line: string) => void): Logger {
  return createLogger({ service: SERVICE_NAME }, config.LOG_LEVEL, write);
}

/** The logger and the move metrics of one process (a Lambda container or the local stack). */
export function createObservability(config: ServiceConfig, log: Logger = createLog(config)): Observability {
  const factory = metricsLoggerFactory(
    {
      sink: config.METRICS_SINK,
      file: config.METRICS_FILE,
      inLambda: config.AWS_LAMBDA_FUNCTION_NAME !== undefined,
    },
    log,
  );
  return { log, metrics: new MoveMetrics(factory, log) };
}

/** The Lambda context's fields on a log line (Powertools' names). */
export function lambdaContextFields(context: Context | undefined, coldStart: boolean): LogFields {
  return {
    cold_start: coldStart,
    ...(context ? { function_name: context.functionName, function_request_id: context.awsRequestId } : {}),
  };
}

/**
 * Wraps a handler so every line logged while one of its invocations runs carries the invocation's
 * Lambda context, plus `describe(event)` (the API's method and route). Cold start is true on the
 * first invocation of the wrapped handler, which in Lambda is the first of its container. A
 * wrapper, not a middy middleware: a middleware's `before` cannot run the rest of the invocation
 * inside a scope, and the error envelope's own lines must be inside it too.
 */
export function withInvocationContext<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  describe: (event: E) => LogFields = () => ({}),
): (event: E, context?: Context) => Promise<R> {
  let coldStart = true;
  return async (event, context) => {
    const fields = { ...lambdaContextFields(context, coldStart), ...describe(event) };
    coldStart = false;
    // Tests drive the worker and the sweeper without a context; Lambda always passes one.
    return runWithLogFields(fields, () => handler(event, context as Context));
  };
}
