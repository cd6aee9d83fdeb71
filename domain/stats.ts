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
  /** Appointments that reached in_progress (WORKED_STATUSES): the cars the shop worked on. */
  car_count: number;
  /** revenue_cents / completed, rounded to a cent; null when none completed. */
  average_repair_order_cents: number | null;
  /** shows / (shows + no-shows), a show being a car worked on; null when both are 0. */
  show_rate: number | null;
  /** Per technician id, and `unassigned` for cards without one. */
  by_technician: Record<string, TechnicianStats>;
}

export interface TechnicianStats {
  completed: number;
  revenue_cents: number;
  avg_cycle_minutes: number | null;
}

/** Key of by_technician for the cards no technician has. */
export const UNASSIGNED = 'unassigned';

/**
 * The columns of a card that reached in_progress: only in_progress leads to ready and completed, and
 * a card moved back to scheduled (an undone start) counts again only when it is started again.
 * no_show and canceled are reached only from scheduled, so a card is never both a show and a no-show.
 */
export const WORKED_STATUSES: readonly Status[] = ['in_progress', 'ready', 'completed'];

/** A technician's additive figures (sums, never ratios, so days add up). */
export interface TechnicianFigures {
  completed: number;
  revenue_cents: number;
  cycle_ms_sum: number;
  cycle_count: number;
}

/** The additive part of the stats of some appointments: what a day's stored figures hold. */
export interface StatsFigures {
  total: number;
  by_status: Record<Status, number>;
  revenue_cents: number;
  /** Sum of whole milliseconds from entering in_progress to entering ready (exact when added). */
  cycle_ms_sum: number;
  cycle_count: number;
  /** Per technician id (UNASSIGNED for none); absent on figures stored before technicians. */
  by_technician: Record<string, TechnicianFigures>;
}

export function emptyFigures(): StatsFigures {
  return {
    total: 0,
    by_status: Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>,
    revenue_cents: 0,
    cycle_ms_sum: 0,
    cycle_count: 0,
    by_technician: {},
  };
}

const emptyTechnician = (): TechnicianFigures => ({
  completed: 0,
  revenue_cents: 0,
  cycle_ms_sum: 0,
  cycle_count: 0,
});

function addTechnician(into: Record<string, TechnicianFigures>, key: string, part: TechnicianFigures): void {
  const t = (into[key] ??= emptyTechnician());
  t.completed += part.completed;
  t.revenue_cents += part.revenue_cents;
  t.cycle_ms_sum += part.cycle_ms_sum;
  t.cycle_count += part.cycle_count;
}

/** Adds one appointment into `into` (mutated) with the catalog's prices. */
function addItem(into: StatsFigures, item: StatsItem, price: ReadonlyMap<string, number>): void {
  const own = emptyTechnician();
  into.total += 1;
  into.by_status[item.status] += 1;
  if (item.status === 'completed') {
    own.completed = 1;
    for (const code of item.service_codes) own.revenue_cents += price.get(code) ?? 0;
  }
  const started = item.status_entered_at?.in_progress;
  const readyAt = item.status_entered_at?.ready;
  if (started && readyAt && readyAt >= started) {
    own.cycle_ms_sum = Date.parse(readyAt) - Date.parse(started);
    own.cycle_count = 1;
  }
  into.revenue_cents += own.revenue_cents;
  into.cycle_ms_sum += own.cycle_ms_sum;
  into.cycle_count += own.cycle_count;
  addTechnician(into.by_technician, item.technician_id ?? UNASSIGNED, own);
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
    for (const [key, t] of Object.entries(p.by_technician ?? {})) addTechnician(sum.by_technician, key, t);
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
    avg_cycle_minutes: cycleMinutes(f),
    ...kpis(f),
  };
}

const cycleMinutes = (f: Pick<TechnicianFigures, 'cycle_ms_sum' | 'cycle_count'>) =>
  f.cycle_count > 0 ? round(f.cycle_ms_sum / f.cycle_count / 60_000, 1) : null;

/** The shop owners' figures, from summed counts (see DashboardStats and WORKED_STATUSES). */
function kpis(
  f: StatsFigures,
): Pick<DashboardStats, 'car_count' | 'average_repair_order_cents' | 'show_rate' | 'by_technician'> {
  const cars = WORKED_STATUSES.reduce((n, s) => n + f.by_status[s], 0);
  const completed = f.by_status.completed;
  const seen = cars + f.by_status.no_show;
  const byTechnician = Object.fromEntries(
    Object.keys(f.by_technician)
      .sort()
      .map((key) => {
        const t = f.by_technician[key] as TechnicianFigures;
        return [
          key,
          { completed: t.completed, revenue_cents: t.revenue_cents, avg_cycle_minutes: cycleMinutes(t) },
        ];
      }),
  );
  return {
    car_count: cars,
    average_repair_order_cents: completed > 0 ? Math.round(f.revenue_cents / completed) : null,
    show_rate: seen > 0 ? round(cars / seen, 4) : null,
    by_technician: byTechnician,
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
