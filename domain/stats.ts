/**
 * The dashboard's figures for a range of days. Pure.
 *
 * Figures are additive (counts, sums), so a range's stats are the sum of its days' figures: that
 * is what lets settled days be stored once and read back as one small item each (stats-days.ts).
 */
import type { StatsItem } from './appointment';
import type { Service } from './catalog';
import { dayOf } from './days';
import { STATUSES, type Status } from './status';

export interface DashboardStats {
  /** Local days of `time_zone`. */
  from: string;
  to: string;
  /** The shop's time zone (SHOP_TIMEZONE), whose local days from..to are. */
  time_zone: string;
  total: number;
  by_status: Record<Status, number>;
  /** completed / appointments not canceled; null when there are none. */
  completion_rate: number | null;
  /** no_show / appointments not canceled; null when there are none. */
  no_show_rate: number | null;
  /** Sum of catalog prices of the services of completed appointments. */
  revenue_cents: number;
  /** Mean minutes from entering in_progress to entering ready; null when no card has both. */
  avg_cycle_minutes: number | null;
}

/** The additive part of the stats of some appointments: what a day's stored figures hold. */
export interface StatsFigures {
  total: number;
  by_status: Record<Status, number>;
  revenue_cents: number;
  /** Sum of whole milliseconds from entering in_progress to entering ready (exact when added). */
  cycle_ms_sum: number;
  cycle_count: number;
}

export function emptyFigures(): StatsFigures {
  return {
    total: 0,
    by_status: Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>,
    revenue_cents: 0,
    cycle_ms_sum: 0,
    cycle_count: 0,
  };
}

/** Adds one appointment into `into` (mutated) with the catalog's prices. */
function addItem(into: StatsFigures, item: StatsItem, price: ReadonlyMap<string, number>): void {
  into.total += 1;
  into.by_status[item.status] += 1;
  if (item.status === 'completed') {
    for (const code of item.service_codes) into.revenue_cents += price.get(code) ?? 0;
  }
  const started = item.status_entered_at?.in_progress;
  const readyAt = item.status_entered_at?.ready;
  if (started && readyAt && readyAt >= started) {
    into.cycle_ms_sum += Date.parse(readyAt) - Date.parse(started);
    into.cycle_count += 1;
  }
}

const priceMap = (catalog: readonly Service[]) => new Map(catalog.map((s) => [s.code, s.price_cents]));

/** The figures of each of `days` (local days of `timeZone`), from the appointments that start on them (others are ignored). */
export function figuresByDay(
  days: readonly string[],
  items: Iterable<StatsItem>,
  catalog: readonly Service[],
  timeZone: string,
): Map<string, StatsFigures> {
  const price = priceMap(catalog);
  const out = new Map(days.map((d) => [d, emptyFigures()]));
  for (const item of items) {
    const figures = out.get(dayOf(item.appt_start, timeZone));
    if (figures) addItem(figures, item, price);
  }
  return out;
}

export function sumFigures(parts: Iterable<StatsFigures>): StatsFigures {
  const sum = emptyFigures();
  for (const p of parts) {
    sum.total += p.total;
    for (const s of STATUSES) sum.by_status[s] += p.by_status[s];
    sum.revenue_cents += p.revenue_cents;
    sum.cycle_ms_sum += p.cycle_ms_sum;
    sum.cycle_count += p.cycle_count;
  }
  return sum;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The dashboard's stats from the figures of the range's days. */
export function statsFromFigures(
  from: string,
  to: string,
  parts: Iterable<StatsFigures>,
  timeZone: string,
): DashboardStats {
  const f = sumFigures(parts);
  const active = f.total - f.by_status.canceled;
  return {
    from,
    to,
    time_zone: timeZone,
    total: f.total,
    by_status: f.by_status,
    completion_rate: active > 0 ? round(f.by_status.completed / active, 4) : null,
    no_show_rate: active > 0 ? round(f.by_status.no_show / active, 4) : null,
    revenue_cents: f.revenue_cents,
    avg_cycle_minutes: f.cycle_count > 0 ? round(f.cycle_ms_sum / f.cycle_count / 60_000, 1) : null,
  };
}

export function computeStats(
  from: string,
  to: string,
  items: Iterable<StatsItem>,
  catalog: readonly Service[],
  timeZone: string,
): DashboardStats {
  const all = emptyFigures();
  const price = priceMap(catalog);
  for (const item of items) addItem(all, item, price);
  return statsFromFigures(from, to, [all], timeZone);
}

/**
 * A short fingerprint of the prices revenue is computed with: stored figures carry it, so a price
 * change makes them stale at once. FNV-1a over the sorted `code=price` pairs.
 */
export function catalogFingerprint(catalog: readonly Service[]): string {
  const text = catalog
    .map((s) => `${s.code}=${s.price_cents}`)
    .sort()
    .join(';');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
