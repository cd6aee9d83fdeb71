/**
 * The HTTP API: one Lambda behind a function URL (AWS_IAM). Routes requests to thin route
 * handlers; middy parses the JSON body and maps every error to the one envelope.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { defaultContainer, type Container } from '../infra/container';
import type { ApiResult } from './http/http-types';
import { PARSED_BODY, errorEnvelope, jsonBody, type ParsedEvent } from './http/middleware';
import { router } from './http/routes';

// The router is the API's route table; tests and tools import it from here too.
export { router };

/** Builds the API handler over a container; Lambda uses the default one, tests and the local stack their own. */
export function createApiHandler(getDeps: () => Container = defaultContainer) {
  const base = async (event: ParsedEvent, _context: Context): Promise<ApiResult> => {
    const deps = getDeps();
    const method = event.requestContext.http.method.toUpperCase();
    const { handler, params } = router.resolve(method, event.rawPath);
    const result = await handler({
      event,
      params,
      query: (event.queryStringParameters ?? {}) as Record<string, string>,
      body: event[PARSED_BODY],
      deps,
    });
    if (method !== 'GET' && result.statusCode < 400) {
      const iam = event.requestContext.authorizer?.iam;
      deps.log.info('write', {
        method,
        path: event.rawPath,
        status: result.statusCode,
        caller: iam?.userArn ?? iam?.accessKey ?? 'anonymous',
      });
    }
    return result;
  };
  return middy<ParsedEvent, ApiResult>(base)
    .use(errorEnvelope(() => getDeps().log))
    .use(jsonBody());
}

export const handler = createApiHandler();
