/**
 * The day's figures above the columns (GET /api/admin/dashboard/stats, refreshed with the board).
 * Figures the API does not give yet (car count, average repair order, show rate: issue 13) are
 * left out rather than shown as zero.
 */
import type { Stats } from '../api';
import { formatCents, formatRate } from '../format';

/** The stats with the figures of issue 13, each absent from an API that does not have it yet. */
type Figures = Stats & {
  car_count?: number;
  average_repair_order_cents?: number | null;
  show_rate?: number | null;
};

export interface Figure {
  label: string;
  value: string;
}

export function dayFigures(stats: Figures): Figure[] {
  const figures: Array<Figure | undefined> = [
    stats.car_count === undefined ? undefined : { label: 'Car count', value: String(stats.car_count) },
    { label: 'Completed', value: String(stats.by_status.completed) },
    { label: 'Revenue', value: formatCents(stats.revenue_cents) },
    stats.average_repair_order_cents === undefined
      ? undefined
      : { label: 'Average repair order', value: formatCents(stats.average_repair_order_cents) },
    stats.show_rate === undefined ? undefined : { label: 'Show rate', value: formatRate(stats.show_rate) },
    {
      label: 'Average cycle time',
      value: stats.avg_cycle_minutes === null ? '—' : `${Math.round(stats.avg_cycle_minutes)} min`,
    },
  ];
  return figures.filter((f): f is Figure => f !== undefined);
}

export function DayFigures({ stats }: { stats: Stats | undefined }) {
  return (
    <section className="figures" aria-label="Day figures" aria-busy={!stats}>
      <dl>
        {stats
          ? dayFigures(stats).map((f) => (
              <div key={f.label} className="figure" data-figure={f.label}>
                <dt>{f.label}</dt>
                <dd>{f.value}</dd>
              </div>
            ))
          : ['Completed', 'Revenue', 'Average cycle time'].map((label) => (
              <div key={label} className="figure">
                <dt>{label}</dt>
                <dd className="bone" aria-hidden="true" />
              </div>
            ))}
      </dl>
    </section>
  );
}
