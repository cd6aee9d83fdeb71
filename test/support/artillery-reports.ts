/** Fabricated artillery JSON reports for the verdict's tests. */
import type { ArtilleryReport, Summary } from '../../loadtest/verdict';

/** A latency summary whose p95 is `p95`, the other percentiles around it. */
export const summary = (p95: number): Summary => ({
  min: 1,
  max: p95 * 2,
  count: 100,
  mean: p95 / 2,
  p50: p95 / 2,
  median: p95 / 2,
  p75: p95 * 0.8,
  p90: p95 * 0.9,
  p95,
  p99: p95 * 1.5,
});

export function report(
  counters: Record<string, number>,
  summaries: Record<string, Summary> = {},
): ArtilleryReport {
  return { aggregate: { counters, summaries } };
}
