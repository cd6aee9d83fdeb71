/** Scheduled: re-sends moves left pending by a crash between recording and queueing them. */
import middy from '@middy/core';
import { sweepPendingMoves } from '../domain/use-cases/moves';
import { defaultContainer, type Container } from '../infra/container';

export function createSweeper(getDeps: () => Container = defaultContainer) {
  return async (): Promise<{ resent: number; failed: number }> => {
    const deps = getDeps();
    const result = await sweepPendingMoves({ ...deps, log: deps.log }, deps.config.SWEEP_AFTER_SECONDS);
    if (result.resent > 0 || result.failed > 0) deps.log.info('sweeper re-sent pending moves', result);
    return result;
  };
}

export const handler = middy(createSweeper());
