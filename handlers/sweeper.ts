/**
 * Scheduled: re-sends moves nothing has decided yet (a lost or refused send, a crash between
 * recording and queueing, a dead-lettered message), with backoff, and settles those still pending at
 * the give-up time as failed (`undeliverable`).
 */
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { sweepPendingMoves } from '../domain/use-cases/moves';
import { defaultContainer, type Container } from '../infra/container';
import { withInvocationContext } from '../infra/observability';
import { withZoneGuard } from '../infra/zone-guard';

export function createSweeper(getDeps: () => Container = defaultContainer) {
  // The schedule's event says nothing the sweeper needs; the local timer and tests send none.
  type Result = { resent: number; failed: number; gaveUp: number };
  return withInvocationContext<ScheduledEvent | void, Result>(
    withZoneGuard(getDeps, async () => {
      const deps = getDeps();
      const result = await sweepPendingMoves(deps);
      if (result.resent > 0 || result.failed > 0 || result.gaveUp > 0) deps.log.info('sweeper pass', result);
      if (result.gaveUp > 0) await deps.metrics.recordFailures('undeliverable', result.gaveUp);
      return result;
    }),
  );
}

export const handler = middy(createSweeper());
