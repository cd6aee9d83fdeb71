/** Liveness of the service and its two dependencies; 503 names the failing check. */
import type { RouteHandler } from './http-types';
import { healthSchema } from '../../domain/api-schemas';
import { json, ok } from './response';

async function check(probe: () => Promise<void>): Promise<'ok' | string> {
  try {
    await probe();
    return 'ok';
  } catch (err) {
    return `error: ${(err as Error).name || 'unreachable'}`;
  }
}

export const health: RouteHandler = async ({ deps }) => {
  const [dynamodb, queue] = await Promise.all([
    check(() => deps.shop.ping()),
    check(() => deps.queue.ping()),
  ]);
  const checks = { dynamodb, queue };
  const failing = Object.entries(checks).filter(([, v]) => v !== 'ok');
  if (failing.length === 0) return ok(healthSchema, { status: 'ok', checks });
  return json(503, {
    ok: false,
    error: {
      code: 'dependency_unavailable',
      message: `unavailable: ${failing.map(([k]) => k).join(', ')}`,
      details: { checks },
    },
  });
};
