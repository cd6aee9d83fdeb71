/** When the board page polls next (no DOM here: the hook in use-board.ts schedules it). */
/**
 * The wait before the next poll: the poll interval; after a poll the server shed (429, or 503, with
 * Retry-After), the longer of that interval and the Retry-After, plus up to as much again at random,
 * so the screens one overload turned away do not all come back in the same instant.
 */
export function nextPollDelay(
  pollMs: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs === undefined) return pollMs;
  const base = Math.max(pollMs, retryAfterMs);
  return Math.round(base * (1 + random()));
}
