/**
 * The day's figures above the columns (GET /api/admin/dashboard/stats, refreshed with the board):
 * car count, completed, revenue, average repair order, show rate, average cycle time.
 */
import type { Stats } from '../api';
import { formatCents, formatRate } from '../format';

export interface Figure {
  label: string;
  value: string;
}

export function dayFigures(stats: Stats): Figure[] {
  return [
    { label: 'Car count', value: String(stats.car_count) },
    { label: 'Completed', value: String(stats.by_status.completed) },
    { label: 'Revenue', value: formatCents(stats.revenue_cents) },
    { label: 'Average repair order', value: formatCents(stats.average_repair_order_cents) },
    { label: 'Show rate', value: formatRate(stats.show_rate) },
    {
      label: 'Average cycle time',
      value: stats.avg_cycle_minutes === null ? '—' : `${Math.round(stats.avg_cycle_minutes)} min`,
    },
  ];
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
          : [
              'Car count',
              'Completed',
              'Revenue',
              'Average repair order',
              'Show rate',
              'Average cycle time',
            ].map((label) => (
              <div key={label} className="figure">
                <dt>{label}</dt>
                <dd className="bone" aria-hidden="true" />
              </div>
            ))}
      </dl>
    </section>
  );
}
