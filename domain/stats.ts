/** The dashboard's figures for a range of days. Pure. */
import type { StatsItem } from './appointment';
import type { Service } from './catalog';
import { STATUSES, type Status } from './status';

export interface DashboardStats {
  from: string;
  to: string;
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

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function computeStats(
  from: string,
  to: string,
  items: Iterable<StatsItem>,
  catalog: readonly Service[],
): DashboardStats {
  const price = new Map(catalog.map((s) => [s.code, s.price_cents]));
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  let total = 0;
  let revenue = 0;
  let cycleSum = 0;
  let cycleCount = 0;
  for (const item of items) {
    total += 1;
    byStatus[item.status] += 1;
    if (item.status === 'completed') {
      for (const code of item.service_codes) revenue += price.get(code) ?? 0;
    }
    const started = item.status_entered_at?.in_progress;
    const readyAt = item.status_entered_at?.ready;
    if (started && readyAt && readyAt >= started) {
      cycleSum += (Date.parse(readyAt) - Date.parse(started)) / 60_000;
      cycleCount += 1;
    }
  }
  const active = total - byStatus.canceled;
  return {
    from,
    to,
    total,
    by_status: byStatus,
    completion_rate: active > 0 ? round(byStatus.completed / active, 4) : null,
    no_show_rate: active > 0 ? round(byStatus.no_show / active, 4) : null,
    revenue_cents: revenue,
    avg_cycle_minutes: cycleCount > 0 ? round(cycleSum / cycleCount, 1) : null,
  };
}
