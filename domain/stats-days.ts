/**
 * Stored figures of settled days, and when they may be trusted. Pure.
 *
 * Dashboard stats over a month or a year used to read every appointment of the range from the
 * by_month index (6,200 items for 31 days at 200 a day). Most of a range is past days whose cards
 * rarely change, so each such day's figures are stored once, as one small item, and reused:
 *
 * - Days are the shop's local days (SHOP_TIMEZONE, passed in as `timeZone`): a day ends at its next
 *   local midnight, 23, 24 or 25 hours after it began (days.ts).
 * - A day is *settled* once it ended more than `settleGraceMs` ago. Only settled days' figures are
 *   stored or reused; today, future days and the day that just ended are always read live.
 * - Every write that changes a card of a day that is settled or about to be (`daysToTouch`: a move
 *   applied, an appointment created or edited, both days of an edit that moves it) bumps the day's
 *   `rev` and records, in the same update, the card's id and the version the write produces
 *   (`cards`: the highest version recorded per card). Writers bump before their card write and
 *   again after it. Stored figures are used only while their `figures_rev` equals `rev`.
 * - The by_month index is eventually consistent with no bound on its lag, so a reader never trusts
 *   it for a recorded card: it reads those cards from the table (strongly consistent) and uses
 *   them in place of their index rows (`reconcileDay`). It may store the day only if every
 *   recorded card is at least at its recorded version there: a card behind it is a write still in
 *   flight, or one that failed after its first bump, and either way the figures are not stored.
 *   A writer that dies between its card write and its last bump therefore leaves nothing stale:
 *   its first bump recorded the version, and its card write is what the reader then reads.
 * - The first bump retires figures stored before it (rev moves); the recorded version stops any
 *   reader from storing figures that miss the write. So no rule compares a writer's clock with a
 *   reader's, and no index lag is guessed.
 * - The only clock left is the settle grace: writes more than `settleGraceMs` before a day's end
 *   (writer's clock) are not recorded, and a reader stores the day only `settleGraceMs` after its
 *   end (reader's clock). Such a write is trusted to be in the index by then: that margin of
 *   2 × `settleGraceMs` (20 min) absorbs clock skew between writers and readers plus the index's
 *   ordinary lag (well under a second).
 * - Figures carry the catalog prices' fingerprint (revenue depends on them) and expire after
 *   `maxAgeMs`: only a guard against writes that bypass the service (a script writing the table),
 *   which neither bump nor record.
 */
import type { Appointment, StatsItem } from './appointment';
import { addDays, dayEndMs, dayOf } from './days';
import type { StatsFigures } from './stats';

export interface StoredDayStats {
  day: string;
  /** Bumped by every write that changes a card of this day once it is (nearly) settled. */
  rev: number;
  /** When `rev` was last bumped (writer's clock): for operators, no rule reads it. */
  changed_at?: string;
  /** Cards such writes changed: id → the highest card version a write recorded. */
  cards?: ReadonlyMap<string, number>;
  figures?: StatsFigures;
  /** The `rev` the figures were computed at. */
  figures_rev?: number;
  computed_at?: string;
  /** catalogFingerprint() of the prices the figures were computed with. */
  catalog?: string;
}

/** A card as the table holds it now: what the stats read, and its version. */
export type StatsCard = StatsItem & Pick<Appointment, 'version'>;

export const STATS_DAY_POLICY = {
  settleGraceMs: 10 * 60_000,
  maxAgeMs: 24 * 3_600_000,
} as const;

/** Whether a local day's figures may be stored and reused at `nowMs`. */
export function isSettled(day: string, nowMs: number, timeZone: string): boolean {
  return dayEndMs(day, timeZone) + STATS_DAY_POLICY.settleGraceMs <= nowMs;
}

/** The days (deduplicated) whose `rev` a write at `nowMs` changing cards of `days` must bump. */
export function daysToTouch(days: Iterable<string>, nowMs: number, timeZone: string): string[] {
  const out = new Set<string>();
  for (const day of days) {
    if (dayEndMs(day, timeZone) - STATS_DAY_POLICY.settleGraceMs <= nowMs) out.add(day);
  }
  return [...out].sort();
}

/** The stored figures of a day, when they can stand in for reading its appointments. */
export function usableFigures(
  stored: StoredDayStats | undefined,
  nowMs: number,
  catalog: string,
  timeZone: string,
): StatsFigures | undefined {
  if (!stored?.figures || !stored.computed_at) return undefined;
  // Stored before the per-technician figures existed: recompute once rather than answer without them.
  if (!stored.figures.by_technician) return undefined;
  if (!isSettled(stored.day, nowMs, timeZone)) return undefined;
  if (stored.figures_rev !== stored.rev || stored.catalog !== catalog) return undefined;
  if (nowMs - Date.parse(stored.computed_at) > STATS_DAY_POLICY.maxAgeMs) return undefined;
  return stored.figures;
}

/** A day's rows with its recorded cards taken from the table, and whether they may be stored. */
export interface ReconciledDay {
  items: StatsItem[];
  /** Every recorded card was read at its recorded version or later. */
  complete: boolean;
}

/**
 * The items a settled day's figures are computed from: the index `rows` of `day`, except that each
 * card the day's rev item recorded is taken from `current` (the table, read after the rev item),
 * on this day or not according to its `appt_start` there. `current` undefined: the cards could
 * not be read, so the rows stand as they are and the day is not complete.
 */
export function reconcileDay(
  day: string,
  rows: readonly StatsItem[],
  recorded: ReadonlyMap<string, number> | undefined,
  current: ReadonlyMap<string, StatsCard> | undefined,
  timeZone: string,
): ReconciledDay {
  const onDay = rows.filter((row) => dayOf(row.appt_start, timeZone) === day);
  if (!recorded || recorded.size === 0) return { items: onDay, complete: true };
  if (!current) return { items: onDay, complete: false };
  const items: StatsItem[] = onDay.filter((row) => !recorded.has(row.id));
  let complete = true;
  for (const [id, version] of recorded) {
    const card = current.get(id);
    // Behind (or absent: a create in flight): a write whose after-state the day must not miss.
    if (!card || card.version < version) complete = false;
    if (card && dayOf(card.appt_start, timeZone) === day) {
      items.push({
        id: card.id,
        status: card.status,
        appt_start: card.appt_start,
        service_codes: card.service_codes,
        status_entered_at: card.status_entered_at,
        technician_id: card.technician_id ?? null,
      });
    }
  }
  return { items, complete };
}

/** Whether figures just computed for `day` may be stored for reuse (see reconcileDay). */
export function mayStoreFigures(
  day: string,
  reconciled: ReconciledDay,
  nowMs: number,
  timeZone: string,
): boolean {
  return isSettled(day, nowMs, timeZone) && reconciled.complete;
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
