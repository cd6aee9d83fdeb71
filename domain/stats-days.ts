/**
 * Stored figures of settled days, and when they may be trusted. Pure.
 *
 * Dashboard stats over a month or a year used to read every appointment of the range from the
 * by_month index (6,200 items for 31 days at 200 a day). Most of a range is past days whose cards
 * rarely change, so each such day's figures are stored once, as one small item, and reused:
 *
 * - A day is *settled* once it ended more than `settleGraceMs` ago. Only settled days' figures are
 *   stored or reused; today, future days and the day that just ended are always read live.
 * - Every write that changes a card of a day that is settled or about to be (a move applied, an
 *   appointment created or edited) bumps the day's `rev` (and `changed_at`). Stored figures are
 *   used only while their `figures_rev` equals the day's `rev`, so a changed day is read live again.
 * - The bump comes after the card write (and, for the API's writes, before it as well): a reader
 *   that computed figures before the card write stored them under the old `rev`, which the bump
 *   then retires. Figures are not stored while the day's last change is younger than `indexLagMs`,
 *   since the index the reader computed them from may not show that change yet.
 * - Figures carry the catalog prices' fingerprint (revenue depends on them) and expire after
 *   `maxAgeMs`, which bounds the damage of a writer that died between its card write and its bump.
 *
 * The grace on both sides keeps this right under clock skew between writers and readers: a write
 * that does not bump happened at least 2 × `settleGraceMs` before any reader may store that day.
 */
import { addDays } from './days';
import type { StatsFigures } from './stats';

export interface StoredDayStats {
  day: string;
  /** Bumped by every write that changes a card of this day once it is (nearly) settled. */
  rev: number;
  /** When `rev` was last bumped. */
  changed_at?: string;
  figures?: StatsFigures;
  /** The `rev` the figures were computed at. */
  figures_rev?: number;
  computed_at?: string;
  /** catalogFingerprint() of the prices the figures were computed with. */
  catalog?: string;
}

export const STATS_DAY_POLICY = {
  settleGraceMs: 10 * 60_000,
  indexLagMs: 5_000,
  maxAgeMs: 24 * 3_600_000,
} as const;

const dayEndMs = (day: string) => Date.parse(`${addDays(day, 1)}T00:00:00Z`);

/** Whether a day's figures may be stored and reused at `nowMs`. */
export function isSettled(day: string, nowMs: number): boolean {
  return dayEndMs(day) + STATS_DAY_POLICY.settleGraceMs <= nowMs;
}

/** The days (deduplicated) whose `rev` a write at `nowMs` changing cards of `days` must bump. */
export function daysToTouch(days: Iterable<string>, nowMs: number): string[] {
  const out = new Set<string>();
  for (const day of days) {
    if (dayEndMs(day) - STATS_DAY_POLICY.settleGraceMs <= nowMs) out.add(day);
  }
  return [...out].sort();
}

/** The stored figures of a day, when they can stand in for reading its appointments. */
export function usableFigures(
  stored: StoredDayStats | undefined,
  nowMs: number,
  catalog: string,
): StatsFigures | undefined {
  if (!stored?.figures || !stored.computed_at) return undefined;
  if (!isSettled(stored.day, nowMs)) return undefined;
  if (stored.figures_rev !== stored.rev || stored.catalog !== catalog) return undefined;
  if (nowMs - Date.parse(stored.computed_at) > STATS_DAY_POLICY.maxAgeMs) return undefined;
  return stored.figures;
}

/** Whether figures just computed for `day` from the index may be stored for reuse. */
export function mayStoreFigures(day: string, stored: StoredDayStats | undefined, nowMs: number): boolean {
  if (!isSettled(day, nowMs)) return false;
  const changedAt = stored?.changed_at ? Date.parse(stored.changed_at) : undefined;
  return changedAt === undefined || nowMs - changedAt >= STATS_DAY_POLICY.indexLagMs;
}

/** Consecutive runs of days, each `{from, to}`: one index read per run instead of one per day. */
export function dayRuns(days: readonly string[]): Array<{ from: string; to: string }> {
  const runs: Array<{ from: string; to: string }> = [];
  for (const day of [...days].sort()) {
    const last = runs.at(-1);
    if (last && addDays(last.to, 1) === day) last.to = day;
    else runs.push({ from: day, to: day });
  }
  return runs;
}
