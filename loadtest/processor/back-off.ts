/**
 * The `backOffOn429` hook, the first afterResponse hook of every request: a 429 too_many_requests
 * (the API's concurrency was full) holds the virtual user for Retry-After with jitter
 * (domain/backoff.ts) before its flow goes on, as the page and the scripts' client do, and is
 * counted as `http.shed`. The hooks after it treat the 429 as "not done" (a poll polls again).
 */
import { setTimeout } from 'node:timers';
import { shedDelayMs } from '../../domain/backoff';
import type { ArtilleryContext, ArtilleryEvents, ArtilleryResponse, Next, RequestParams } from './artillery';

export function backOffOn429(
  _req: RequestParams,
  res: ArtilleryResponse,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
) {
  if (res.statusCode !== 429) {
    context.vars.shedInARow = 0;
    return next();
  }
  const attempt = Number(context.vars.shedInARow ?? 0);
  context.vars.shedInARow = attempt + 1;
  events.emit('counter', 'http.shed', 1);
  setTimeout(next, shedDelayMs(res.headers['retry-after'], attempt, Math.random, Date.now()));
}
