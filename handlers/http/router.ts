/** Matches method and path to a route; unknown path 404, known path with another method 405. */
import { MethodNotAllowedError, NotFoundError } from '../../domain/errors';
import type { RouteHandler } from './http-types';

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Literal segments and `{name}` captures, e.g. `/api/admin/moves/{move_id}`. */
  path: string;
  handler: RouteHandler;
}

interface CompiledRoute extends Route {
  segments: string[];
}

export class Router {
  private readonly routes: CompiledRoute[];
  /** Literal routes before captures (/appointments/board before /appointments/{id}), sorted once. */
  private readonly ordered: CompiledRoute[];

  constructor(routes: Route[]) {
    this.routes = routes.map((r) => ({ ...r, segments: r.path.split('/').filter(Boolean) }));
    const captures = (r: CompiledRoute) => r.segments.filter((s) => s.startsWith('{')).length;
    this.ordered = [...this.routes].sort((a, b) => captures(a) - captures(b));
  }

  private static match(segments: string[], parts: string[]): Record<string, string> | undefined {
    if (segments.length !== parts.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as string;
      const part = parts[i] as string;
      if (seg.startsWith('{')) params[seg.slice(1, -1)] = decodeURIComponent(part);
      else if (seg !== part) return undefined;
    }
    return params;
  }

  /** Every route, as declared (the role table is checked against this list). */
  list(): readonly Route[] {
    return this.routes;
  }

  resolve(
    method: string,
    path: string,
  ): { route: Route; handler: RouteHandler; params: Record<string, string> } {
    const parts = path.split('/').filter(Boolean);
    const allowed: string[] = [];
    let pathMatched = false;
    for (const route of this.ordered) {
      const params = Router.match(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { route, handler: route.handler, params };
      if (!pathMatched || !allowed.includes(route.method)) allowed.push(route.method);
      pathMatched = true;
    }
    if (pathMatched) {
      throw new MethodNotAllowedError(`${method} is not allowed on ${path}`, { allowed });
    }
    throw new NotFoundError(`no route for ${method} ${path}`, { path });
  }
}
