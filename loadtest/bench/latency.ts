/** Latency samples and their percentiles (nearest-rank on the sorted samples). Pure. */

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function summarize(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/**
 * Times `fn` `n` times in a row after `warmup` untimed runs; milliseconds. `before`, when given,
 * runs untimed ahead of each timed call (to reset state).
 */
export async function timeSequential(
  n: number,
  warmup: number,
  fn: (i: number) => Promise<unknown>,
  before?: () => Promise<unknown>,
) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    if (before) await before();
    const t0 = performance.now();
    await fn(warmup + i);
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

export const fmt = (x: number | undefined, digits = 1) =>
  x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits);
