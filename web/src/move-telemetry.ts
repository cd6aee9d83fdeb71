/** The session's move figures for the header strip: how many moves, how many conflicted, how long they took. */

export interface TelemetrySummary {
  moves: number;
  conflicts: number;
  /** conflicts / moves, 0 when there were no moves. */
  conflictRate: number;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
}

export const EMPTY_SUMMARY: TelemetrySummary = {
  moves: 0,
  conflicts: 0,
  conflictRate: 0,
  p95Ms: undefined,
  p99Ms: undefined,
};

/** Nearest-rank percentile: the smallest sample with at least p% of the samples at or below it. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export class MoveTelemetry {
  private readonly durations: number[] = [];
  private conflicts = 0;

  /**
   * A move counts once the server has decided it (applied, conflict, rejected, failed); `ms` is
   * drop to decision, retries included. A request the server refused (kind `error`) was never a
   * move, so it is left out of the figures.
   */
  record(outcome: { kind: string; ms: number }): void {
    if (outcome.kind === 'error') return;
    const at = this.durations.findIndex((d) => d > outcome.ms);
    this.durations.splice(at < 0 ? this.durations.length : at, 0, outcome.ms);
    if (outcome.kind === 'conflict') this.conflicts += 1;
  }

  summary(): TelemetrySummary {
    const moves = this.durations.length;
    return {
      moves,
      conflicts: this.conflicts,
      conflictRate: moves === 0 ? 0 : this.conflicts / moves,
      p95Ms: percentile(this.durations, 95),
      p99Ms: percentile(this.durations, 99),
    };
  }
}
