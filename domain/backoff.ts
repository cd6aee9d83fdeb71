/**
 * How every client of ours waits after a 429 too_many_requests (the API's reserved concurrency
 * was full): at least the Retry-After the answer named, plus up to as much again at random, so
 * clients shed together do not all come back in the same instant; and, with no usable header, an
 * exponential base from 250 ms. Pure: the caller passes the random source.
 */

/** How many 429s in a row a client waits out before it reports the 429 to its caller. */
export const MAX_SHED_RETRIES = 4;
const FALLBACK_BASE_MS = 250;
const MAX_DELAY_MS = 10_000;

/** Retry-After as ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if unusable. */
export function retryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - nowMs;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** The wait before re-sending after the `attempt`-th 429 in a row (0, 1, …). */
export function shedDelayMs(
  retryAfter: string | null | undefined,
  attempt: number,
  random: () => number,
  nowMs: number,
): number {
  const floor = retryAfterMs(retryAfter, nowMs) ?? FALLBACK_BASE_MS * 2 ** attempt;
  return Math.min(MAX_DELAY_MS, Math.max(floor, Math.round(floor * (1 + random()))));
}
