/**
 * The HTTP API: one Lambda behind a function URL (AWS_IAM). Routes requests to thin route
 * handlers; middy parses the JSON body and maps every error to the one envelope.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ForbiddenError, WritesDisabledError } from '../domain/errors';
import { ROUTE_PERMISSIONS, authorize, resolveCaller, type Actor, type RouteKey } from '../domain/roles';
import { defaultContainer, type Container } from '../infra/container';
import { withInvocationContext, type LogFields } from '../infra/observability';
import { withZoneGuard } from '../infra/zone-guard';
import type { ApiResult } from './http/http-types';
import { PARSED_BODY, errorEnvelope, jsonBody, type ParsedEvent } from './http/middleware';
import { router } from './http/routes';

// The router is the API's route table; tests and tools import it from here too.
export { router };

/**
 * What every log line of a request says about it: method, path and the route it matched (none on
 * a 404/405). The base handler resolves the route again; a dozen routes make that negligible.
 */
function requestFields(event: ParsedEvent): LogFields {
  const method = event.requestContext.http.method.toUpperCase();
  let route: string | undefined;
  try {
    route = router.resolve(method, event.rawPath).route.path;
  } catch {
    route = undefined;
  }
  return { method, route, path: event.rawPath };
}

/** Who the caller is; one without a role is refused everywhere (403 naming the principal). */
function identify(event: ParsedEvent, deps: Container): Actor {
  const identity = resolveCaller(
    event.requestContext.authorizer?.iam,
    deps.config.AUTH_PRINCIPALS,
    deps.config.AUTH_UNSIGNED_ROLE,
  );
  if (!identity.ok) {
    throw new ForbiddenError(identity.message, identity.principal ? { principal: identity.principal } : {});
  }
  return identity.actor;
}

/** Whether the caller may make this request: the stage's write policy, then the route's role. */
function authorizeRoute(caller: Actor, event: ParsedEvent, deps: Container, routeKey: RouteKey): void {
  // A route the table does not list is closed: deciding who may call it is part of adding it.
  const permission = Object.hasOwn(ROUTE_PERMISSIONS, routeKey) ? ROUTE_PERMISSIONS[routeKey] : undefined;
  if (!permission) throw new ForbiddenError(`no role may ${routeKey}`, { role: caller.role });
  const decision = authorize(caller, routeKey, permission, event[PARSED_BODY], deps.config.WRITE_POLICY);
  if (decision.ok) return;
  if (decision.code === 'writes_disabled') throw new WritesDisabledError(decision.message, decision.details);
  throw new ForbiddenError(decision.message, decision.details);
}

/** Builds the API handler over a container; Lambda uses the default one, tests and the local stack their own. */
export function createApiHandler(getDeps: () => Container = defaultContainer) {
  const base = async (event: ParsedEvent, _context: Context): Promise<ApiResult> => {
    const deps = getDeps();
    const method = event.requestContext.http.method.toUpperCase();
    // The caller first: a principal with no role learns nothing, not even which routes exist.
    const caller = identify(event, deps);
    const { route, handler, params } = router.resolve(method, event.rawPath);
    authorizeRoute(caller, event, deps, `${route.method} ${route.path}`);
    const result = await handler({
      event,
      params,
      query: (event.queryStringParameters ?? {}) as Record<string, string>,
      body: event[PARSED_BODY],
      deps,
      caller,
    });
    if (method !== 'GET' && result.statusCode < 400) {
      deps.log.info('write', {
        method,
        path: event.rawPath,
        status: result.statusCode,
        caller: caller.principal,
        role: caller.role,
      });
    }
    return result;
  };
  // The zone guard outside the error envelope: a table of another zone fails the invocation itself
  // (as a failed init would), with the guard's message in the log, rather than answering a 500.
  return withInvocationContext(
    withZoneGuard(
      getDeps,
      middy<ParsedEvent, ApiResult>(base)
        .use(errorEnvelope(() => getDeps().log))
        .use(jsonBody()),
    ),
    requestFields,
  );
}

export const handler = createApiHandler();
