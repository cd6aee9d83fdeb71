/** The day's figures strip: a region named "Day figures" with the stats the API gives. */
import type { Stats } from '../../../web/src/api';
import { DayFigures, dayFigures } from '../../../web/src/components/day-figures';
import { render, textOf } from './render';

const stats: Stats = {
  from: '2026-03-02',
  to: '2026-03-02',
  time_zone: 'America/Los_Angeles',
  total: 6,
  by_status: { scheduled: 2, in_progress: 1, ready: 1, completed: 2, no_show: 0, canceled: 0 },
  completion_rate: 0.33,
  no_show_rate: 0,
  revenue_cents: 123450,
  avg_cycle_minutes: 52.4,
  car_count: 4,
  average_repair_order_cents: 61725,
  show_rate: 1,
  by_technician: {},
};

describe('DayFigures', () => {
  it('shows car count, completed, revenue, average repair order, show rate and cycle time', () => {
    expect(dayFigures(stats)).toEqual([
      { label: 'Car count', value: '4' },
      { label: 'Completed', value: '2' },
      { label: 'Revenue', value: '$1,234.50' },
      { label: 'Average repair order', value: '$617.25' },
      { label: 'Show rate', value: '100%' },
      { label: 'Average cycle time', value: '52 min' },
    ]);
  });

  it('shows an em dash where a figure has no value (no completed card, no show or no-show, no cycle)', () => {
    const none = dayFigures({
      ...stats,
      avg_cycle_minutes: null,
      average_repair_order_cents: null,
      show_rate: null,
    });

    expect(none.filter((f) => f.value === '—').map((f) => f.label)).toEqual([
      'Average repair order',
      'Show rate',
      'Average cycle time',
    ]);
  });

  it('is a region named "Day figures", busy until the stats load', () => {
    const loading = render(DayFigures, { stats: undefined });
    const loaded = render(DayFigures, { stats });

    expect(loading).toMatch(/^<section class="figures" aria-label="Day figures" aria-busy="true">/);
    expect(loaded).toContain('aria-busy="false"');
    expect(textOf(loaded)).toContain('Revenue $1,234.50');
  });
});
