import { statusSince, type BoardItem, type StatsItem } from '../../domain/appointment';
import { assembleBoard } from '../../domain/board';
import type { Service } from '../../domain/catalog';
import { computeStats, figuresByDay, statsFromFigures } from '../../domain/stats';
import type { Status } from '../../domain/status';

const FROM = '2025-10-01';
const TO = '2025-10-03';
const COLUMNS: Status[] = ['scheduled', 'in_progress', 'ready', 'completed', 'no_show', 'canceled'];

const CATALOG: Service[] = [
  { code: 'OIL001', name: 'Oil change', price_cents: 4999, duration_minutes: 45 },
  { code: 'TIRE001', name: 'Tire rotation', price_cents: 3999, duration_minutes: 30 },
  { code: 'BRAKE001', name: 'Brake pads', price_cents: 18999, duration_minutes: 120 },
];

function aBoardItem(overrides: Partial<BoardItem> = {}): BoardItem {
  return {
    id: 'appt-1',
    status: 'scheduled',
    version: 1,
    appt_start: '2025-10-01T15:00:00.000Z',
    appt_end: '2025-10-01T16:00:00.000Z',
    customer_id: 'cust-1',
    vehicle_id: 'veh-1',
    customer_name: 'Ada Lovelace',
    vehicle_label: '2019 Toyota Camry',
    service_codes: ['OIL001'],
    notes: null,
    ...overrides,
  };
}

function aStatsItem(overrides: Partial<StatsItem> = {}): StatsItem {
  return {
    id: 'appt-1',
    status: 'scheduled',
    appt_start: '2025-10-01T15:00:00.000Z',
    service_codes: ['OIL001'],
    status_entered_at: { scheduled: '2025-09-30T12:00:00.000Z' },
    ...overrides,
  };
}

/** n items in the given column, with distinct ids. */
function many(n: number, status: Status): StatsItem[] {
  return Array.from({ length: n }, (_, i) => aStatsItem({ id: `${status}-${i}`, status }));
}

/** A card that entered in_progress at `start` and ready at `ready` (HH:MM:SS on 1 October). */
function cycled(id: string, start: string, ready: string, status: Status = 'ready'): StatsItem {
  return aStatsItem({
    id,
    status,
    status_entered_at: {
      scheduled: '2025-10-01T08:00:00.000Z',
      in_progress: `2025-10-01T${start}.000Z`,
      ready: `2025-10-01T${ready}.000Z`,
    },
  });
}

describe('assembleBoard', () => {
  it('always has all six columns, empty ones included', () => {
    const board = assembleBoard(FROM, TO, [], 'America/Los_Angeles');

    expect(board).toEqual({
      from: FROM,
      to: TO,
      time_zone: 'America/Los_Angeles',
      columns: Object.fromEntries(COLUMNS.map((s) => [s, { items: [], count: 0 }])),
    });
  });

  it('puts each card in the column of its status and counts them', () => {
    const items = [
      aBoardItem({ id: 'a', status: 'ready' }),
      aBoardItem({ id: 'b', status: 'scheduled' }),
      aBoardItem({ id: 'c', status: 'ready' }),
      aBoardItem({ id: 'd', status: 'canceled' }),
    ];

    const board = assembleBoard(FROM, TO, items, 'UTC');

    const summary = Object.fromEntries(
      COLUMNS.map((s) => [
        s,
        { ids: board.columns[s].items.map((i) => i.id), count: board.columns[s].count },
      ]),
    );
    expect(summary).toEqual({
      scheduled: { ids: ['b'], count: 1 },
      in_progress: { ids: [], count: 0 },
      ready: { ids: ['a', 'c'], count: 2 },
      completed: { ids: [], count: 0 },
      no_show: { ids: [], count: 0 },
      canceled: { ids: ['d'], count: 1 },
    });
  });

  it('orders a column by appt_start, then by id for equal starts', () => {
    const items = [
      aBoardItem({ id: 'm', appt_start: '2025-10-02T09:00:00.000Z' }),
      aBoardItem({ id: 'z', appt_start: '2025-10-01T15:00:00.000Z' }),
      aBoardItem({ id: 'b', appt_start: '2025-10-01T15:00:00.000Z' }),
      aBoardItem({ id: 'q', appt_start: '2025-10-01T08:30:00.000Z' }),
    ];

    const board = assembleBoard(FROM, TO, items, 'UTC');

    expect(board.columns.scheduled.items.map((i) => i.id)).toEqual(['q', 'b', 'z', 'm']);
  });

  it('keeps the cards as given, fields and all', () => {
    const item = aBoardItem({ id: 'x', status: 'in_progress', notes: 'waiting on parts', version: 3 });

    const board = assembleBoard(FROM, TO, [item], 'UTC');

    expect(board.columns.in_progress.items).toEqual([
      { ...item, technician_id: null, technician_name: null, status_since: statusSince(item) },
    ]);
  });

  it('accepts any iterable of cards', () => {
    function* cards() {
      yield aBoardItem({ id: 'g1', status: 'no_show' });
      yield aBoardItem({ id: 'g2', status: 'no_show' });
    }

    const board = assembleBoard(FROM, TO, cards(), 'UTC');

    expect(board.columns.no_show.count).toBe(2);
  });
});

describe('computeStats', () => {
  it('reports zeros and null rates for a range with no appointments', () => {
    const stats = computeStats(FROM, TO, [], CATALOG, 'America/Los_Angeles');

    expect(stats).toEqual({
      from: FROM,
      to: TO,
      time_zone: 'America/Los_Angeles',
      total: 0,
      by_status: { scheduled: 0, in_progress: 0, ready: 0, completed: 0, no_show: 0, canceled: 0 },
      completion_rate: null,
      no_show_rate: null,
      revenue_cents: 0,
      avg_cycle_minutes: null,
      car_count: 0,
      average_repair_order_cents: null,
      show_rate: null,
      by_technician: {},
    });
  });

  it('counts every appointment and each of the six columns', () => {
    const items = [
      ...many(1, 'scheduled'),
      ...many(2, 'in_progress'),
      ...many(3, 'ready'),
      ...many(4, 'completed'),
      ...many(5, 'no_show'),
      ...many(6, 'canceled'),
    ];

    const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

    expect([stats.total, stats.by_status]).toEqual([
      21,
      { scheduled: 1, in_progress: 2, ready: 3, completed: 4, no_show: 5, canceled: 6 },
    ]);
  });

  it('lists all six columns in by_status even when only one has cards', () => {
    const stats = computeStats(FROM, TO, many(2, 'ready'), CATALOG, 'UTC');

    expect(stats.by_status).toEqual({
      scheduled: 0,
      in_progress: 0,
      ready: 2,
      completed: 0,
      no_show: 0,
      canceled: 0,
    });
  });

  it('divides completions and no-shows by the appointments that were not canceled', () => {
    const items = [
      ...many(3, 'completed'),
      ...many(1, 'no_show'),
      ...many(1, 'scheduled'),
      ...many(5, 'canceled'),
    ];

    const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

    expect([stats.completion_rate, stats.no_show_rate]).toEqual([0.6, 0.2]);
  });

  it.each([
    [1, 2, 0, 0.3333, 0.6667],
    [2, 1, 0, 0.6667, 0.3333],
    [1, 6, 0, 0.1429, 0.8571],
    [1, 0, 2, 0.3333, 0],
  ])(
    'rounds the rates to 4 digits (%i completed, %i no-show, %i scheduled)',
    (completed, noShow, scheduled, completionRate, noShowRate) => {
      const items = [
        ...many(completed, 'completed'),
        ...many(noShow, 'no_show'),
        ...many(scheduled, 'scheduled'),
      ];

      const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

      expect([stats.completion_rate, stats.no_show_rate]).toEqual([completionRate, noShowRate]);
    },
  );

  it('reports null rates when every appointment was canceled', () => {
    const stats = computeStats(FROM, TO, many(3, 'canceled'), CATALOG, 'UTC');

    expect([stats.total, stats.completion_rate, stats.no_show_rate]).toEqual([3, null, null]);
  });

  it('sums catalog prices of the services of completed appointments only', () => {
    const items = [
      aStatsItem({ id: 'c1', status: 'completed', service_codes: ['OIL001', 'TIRE001'] }),
      aStatsItem({ id: 'c2', status: 'completed', service_codes: ['BRAKE001'] }),
      aStatsItem({ id: 'r1', status: 'ready', service_codes: ['BRAKE001'] }),
      aStatsItem({ id: 'x1', status: 'canceled', service_codes: ['OIL001'] }),
      aStatsItem({ id: 'n1', status: 'no_show', service_codes: ['TIRE001'] }),
    ];

    const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

    expect(stats.revenue_cents).toBe(4999 + 3999 + 18999);
  });

  it('counts a service no longer in the catalog as zero revenue', () => {
    const items = [aStatsItem({ status: 'completed', service_codes: ['OIL001', 'RETIRED1'] })];

    const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

    expect(stats.revenue_cents).toBe(4999);
  });

  it('averages the minutes from entering in_progress to entering ready', () => {
    const items = [cycled('a', '10:00:00', '10:45:00'), cycled('b', '10:00:00', '11:30:00', 'completed')];

    const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

    expect(stats.avg_cycle_minutes).toBe(67.5);
  });

  it('rounds the average cycle to one decimal', () => {
    const stats = computeStats(FROM, TO, [cycled('a', '10:00:00', '10:20:20')], CATALOG, 'UTC');

    expect(stats.avg_cycle_minutes).toBe(20.3);
  });

  it('leaves out cards that have not reached ready', () => {
    const items = [
      cycled('a', '10:00:00', '10:30:00'),
      aStatsItem({
        id: 'b',
        status: 'in_progress',
        status_entered_at: { in_progress: '2025-10-01T09:00:00.000Z' },
      }),
      aStatsItem({ id: 'c', status: 'scheduled' }),
    ];

    const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

    expect(stats.avg_cycle_minutes).toBe(30);
  });

  it('ignores a ready time earlier than the in_progress time (a card sent back to work)', () => {
    const items = [cycled('a', '10:00:00', '10:30:00'), cycled('b', '11:00:00', '10:40:00', 'in_progress')];

    const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

    expect(stats.avg_cycle_minutes).toBe(30);
  });

  it('reports a null average cycle when no card has both times', () => {
    const items = [cycled('b', '11:00:00', '10:40:00', 'in_progress'), aStatsItem({ status: 'scheduled' })];

    const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

    expect(stats.avg_cycle_minutes).toBeNull();
  });
});

describe('shop owner figures', () => {
  const day2 = (item: StatsItem): StatsItem => ({ ...item, appt_start: '2025-10-02T15:00:00.000Z' });
  const items: StatsItem[] = [
    { ...cycled('a', '09:00:00', '10:00:00', 'completed'), technician_id: 'T1', service_codes: ['OIL001'] },
    day2({
      ...cycled('b', '09:00:00', '09:30:00', 'completed'),
      technician_id: 'T1',
      service_codes: ['BRAKE001'],
    }),
    { ...cycled('c', '11:00:00', '13:00:00', 'completed'), technician_id: 'T2', service_codes: ['TIRE001'] },
    aStatsItem({ id: 'd', status: 'in_progress', technician_id: 'T2' }),
    day2(cycled('e', '09:00:00', '09:20:00', 'ready')),
    aStatsItem({ id: 'f', status: 'no_show' }),
    day2(aStatsItem({ id: 'g', status: 'no_show' })),
    // Started, then moved back to scheduled: an undone start, neither a car worked on nor a no-show.
    aStatsItem({
      id: 'h',
      status: 'scheduled',
      status_entered_at: { in_progress: '2025-10-01T09:00:00.000Z', scheduled: '2025-10-01T09:05:00.000Z' },
    }),
    aStatsItem({ id: 'i', status: 'canceled' }),
  ];

  it('counts cars that reached in_progress, the average repair order and the show rate', () => {
    const stats = computeStats(FROM, TO, items, CATALOG, 'UTC');

    expect(stats.car_count).toBe(5);
    expect(stats.revenue_cents).toBe(4999 + 18999 + 3999);
    expect(stats.average_repair_order_cents).toBe(Math.round((4999 + 18999 + 3999) / 3));
    expect(stats.show_rate).toBe(Math.round((5 / 7) * 10_000) / 10_000);
  });

  it('splits completed, revenue and cycle time by technician, with unassigned cards under unassigned', () => {
    expect(computeStats(FROM, TO, items, CATALOG, 'UTC').by_technician).toEqual({
      T1: { completed: 2, revenue_cents: 4999 + 18999, avg_cycle_minutes: 45 },
      T2: { completed: 1, revenue_cents: 3999, avg_cycle_minutes: 120 },
      unassigned: { completed: 0, revenue_cents: 0, avg_cycle_minutes: 20 },
    });
  });

  it('has null ratios when nothing completed and nobody showed or failed to', () => {
    const stats = computeStats(FROM, TO, [aStatsItem({ status: 'canceled' })], CATALOG, 'UTC');

    expect([stats.car_count, stats.average_repair_order_cents, stats.show_rate]).toEqual([0, null, null]);
  });

  it('adds up over days: the sum of the days figures gives the figures of the whole range', () => {
    const days = ['2025-10-01', '2025-10-02', '2025-10-03'];
    const perDay = figuresByDay(days, items, CATALOG, 'UTC');

    expect(perDay.get('2025-10-02')?.by_technician.T1).toEqual({
      completed: 1,
      revenue_cents: 18999,
      cycle_ms_sum: 30 * 60_000,
      cycle_count: 1,
    });
    expect(statsFromFigures(FROM, TO, perDay.values(), 'UTC')).toEqual(
      computeStats(FROM, TO, items, CATALOG, 'UTC'),
    );
  });
});
