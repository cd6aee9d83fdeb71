/**
 * The HTTP API: one Lambda behind a function URL (AWS_IAM). Routes requests to thin route
 * handlers; middy parses the JSON body and maps every error to the one envelope.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { defaultContainer, type Container } from '../infra/container';
import { board, stats } from './http/board-routes';
import { health } from './http/health-route';
import type { ApiResult } from './http/http-types';
import { PARSED_BODY, errorEnvelope, jsonBody, type ParsedEvent } from './http/middleware';
import { poll, submit } from './http/move-routes';
import { openapi } from './http/openapi-route';
import { Router } from './http/router';
import {
  createAppointment,
  createCustomer,
  createVehicle,
  listServices,
  readAppointment,
  updateAppointment,
} from './http/shop-routes';

export const router = new Router([
  { method: 'GET', path: '/healthz', handler: health },
  { method: 'GET', path: '/api/openapi.json', handler: openapi },
  { method: 'POST', path: '/api/admin/customers', handler: createCustomer },
  { method: 'POST', path: '/api/admin/vehicles', handler: createVehicle },
  { method: 'GET', path: '/api/admin/services', handler: listServices },
  { method: 'POST', path: '/api/admin/appointments', handler: createAppointment },
  { method: 'GET', path: '/api/admin/appointments/board', handler: board },
  { method: 'GET', path: '/api/admin/appointments/{id}', handler: readAppointment },
  { method: 'PATCH', path: '/api/admin/appointments/{id}', handler: updateAppointment },
  { method: 'POST', path: '/api/admin/appointments/{id}/move', handler: submit },
  { method: 'GET', path: '/api/admin/moves/{move_id}', handler: poll },
  { method: 'GET', path: '/api/admin/dashboard/stats', handler: stats },
]);

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
