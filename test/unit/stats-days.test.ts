/** Per-day figures and the rules for storing and reusing them (domain/stats.ts, stats-days.ts). */
import type { StatsItem } from '../../domain/appointment';
import type { Service } from '../../domain/catalog';
import {
  catalogFingerprint,
  computeStats,
  emptyFigures,
  figuresByDay,
  statsFromFigures,
  type StatsFigures,
} from '../../domain/stats';
import {
  STATS_DAY_POLICY,
  dayRuns,
  daysToTouch,
  isSettled,
  mayStoreFigures,
  reconcileDay,
  usableFigures,
  type StatsCard,
  type StoredDayStats,
} from '../../domain/stats-days';
import { STATUSES } from '../../domain/status';

const CATALOG: Service[] = [
  { code: 'OIL001', name: 'Oil change', price_cents: 4999, duration_minutes: 45 },
  { code: 'TIRE001', name: 'Tire rotation', price_cents: 3999, duration_minutes: 30 },
];
const FP = catalogFingerprint(CATALOG);
const at = (iso: string) => Date.parse(iso);

/** A spread of appointments over three days in every status, some with cycle times. */
function someItems(): StatsItem[] {
  const items: StatsItem[] = [];
  for (let i = 0; i < 60; i++) {
    const day = `2025-10-0${1 + (i % 3)}`;
    const status = STATUSES[i % STATUSES.length] as StatsItem['status'];
    items.push({
      id: `a${i}`,
      status,
      appt_start: `${day}T${String(8 + (i % 10)).padStart(2, '0')}:00:00.000Z`,
      service_codes: i % 2 ? ['OIL001'] : ['OIL001', 'TIRE001'],
      status_entered_at:
        i % 4 === 0
          ? {
              in_progress: `${day}T09:00:00.000Z`,
              ready: `${day}T09:${String(10 + i).padStart(2, '0')}:07.000Z`,
            }
          : { scheduled: `${day}T07:00:00.000Z` },
    });
  }
  return items;
}

describe('per-day figures', () => {
  it('add up to exactly the stats computed over all the items at once', () => {
    const items = someItems();
    const days = ['2025-10-01', '2025-10-02', '2025-10-03'];
    const byDay = figuresByDay(days, items, CATALOG, 'UTC');

    expect(statsFromFigures(days[0]!, days[2]!, byDay.values(), 'UTC')).toEqual(
      computeStats(days[0]!, days[2]!, items, CATALOG, 'UTC'),
    );
    expect([...byDay.values()].reduce((n, f) => n + f.total, 0)).toBe(60);
  });

  it('gives an empty day zero figures, and ignores items of days not asked for', () => {
    const byDay = figuresByDay(['2025-10-02', '2025-10-09'], someItems(), CATALOG, 'UTC');

    expect(byDay.get('2025-10-09')).toEqual(emptyFigures());
    expect(byDay.get('2025-10-02')?.total).toBe(20);
    expect(byDay.has('2025-10-01')).toBe(false);
  });
});

describe('catalogFingerprint', () => {
  it('ignores order and names but changes with any price', () => {
    const reordered = [...CATALOG].reverse().map((s) => ({ ...s, name: 'renamed' }));
    expect(catalogFingerprint(reordered)).toBe(FP);
    expect(catalogFingerprint([{ ...CATALOG[0]!, price_cents: 5099 }, CATALOG[1]!])).not.toBe(FP);
    expect(catalogFingerprint(CATALOG.slice(1))).not.toBe(FP);
  });
});

describe('settled days', () => {
  it('settle once they ended more than the grace ago', () => {
    const grace = STATS_DAY_POLICY.settleGraceMs;
    const end = at('2025-10-02T00:00:00Z');
    expect(isSettled('2025-10-01', end + grace, 'UTC')).toBe(true);
    expect(isSettled('2025-10-01', end + grace - 1, 'UTC')).toBe(false);
    expect(isSettled('2025-10-02', end + grace, 'UTC')).toBe(false);
  });

  it('are bumped by writes from the grace before their end on, so no reader can store around a write', () => {
    const grace = STATS_DAY_POLICY.settleGraceMs;
    const end = at('2025-10-02T00:00:00Z');
    expect(daysToTouch(['2025-10-01'], end - grace - 1, 'UTC')).toEqual([]);
    expect(daysToTouch(['2025-10-01'], end - grace, 'UTC')).toEqual(['2025-10-01']);
    expect(daysToTouch(['2025-10-03', '2025-09-01', '2025-09-01'], end, 'UTC')).toEqual(['2025-09-01']);
    // Any day a reader may store at time t, a write at t - 2 × grace (clock skew) still bumps.
    expect(daysToTouch(['2025-10-01'], end + grace - 2 * grace, 'UTC')).toEqual(['2025-10-01']);
  });
});

describe('usableFigures', () => {
  const NOW = at('2025-10-05T12:00:00Z');
  const figures: StatsFigures = { ...emptyFigures(), total: 3 };
  const stored = (over: Partial<StoredDayStats> = {}): StoredDayStats => ({
    day: '2025-10-01',
    rev: 2,
    figures,
    figures_rev: 2,
    computed_at: '2025-10-05T11:00:00.000Z',
    catalog: FP,
    ...over,
  });

  it('returns figures stored at the current rev with the current prices', () => {
    expect(usableFigures(stored(), NOW, FP, 'UTC')).toBe(figures);
  });

  it.each([
    ['no entry', undefined],
    ['no figures (only bumped)', stored({ figures: undefined, figures_rev: undefined })],
    ['a write since (rev moved)', stored({ rev: 3 })],
    ['other prices', stored({ catalog: 'ffffffff' })],
    ['figures older than the maximum age', stored({ computed_at: '2025-10-04T11:59:59.000Z' })],
    ['a day not settled', stored({ day: '2025-10-05' })],
  ])('returns nothing for %s', (_why, entry) => {
    expect(usableFigures(entry, NOW, FP, 'UTC')).toBeUndefined();
  });
});

describe('reconcileDay', () => {
  const DAY = '2025-10-01';
  const row = (id: string, over: Partial<StatsItem> = {}): StatsItem => ({
    id,
    status: 'scheduled',
    appt_start: `${DAY}T09:00:00.000Z`,
    service_codes: ['OIL001'],
    status_entered_at: { scheduled: `${DAY}T07:00:00.000Z` },
    ...over,
  });
  const card = (id: string, version: number, over: Partial<StatsItem> = {}): StatsCard => ({
    ...row(id, over),
    version,
  });
  const table = (...cards: StatsCard[]) => new Map(cards.map((c) => [c.id, c]));
  const ids = (items: readonly StatsItem[]) => items.map((i) => i.id).sort();

  it('takes the index rows of the day as they are when no card of it was recorded', () => {
    const rows = [row('a'), row('b'), row('other-day', { appt_start: '2025-10-02T09:00:00.000Z' })];

    const result = reconcileDay(DAY, rows, undefined, table(), 'UTC');

    expect(result.complete).toBe(true);
    expect(ids(result.items)).toEqual(['a', 'b']);
    expect(reconcileDay(DAY, rows, new Map(), undefined, 'UTC')).toEqual(result);
  });

  it('takes a recorded card from the table, not from an index row that has not caught up', () => {
    const lagging = row('a', { status: 'scheduled' });
    const now = card('a', 3, { status: 'completed' });

    const result = reconcileDay(DAY, [lagging, row('b')], new Map([['a', 3]]), table(now), 'UTC');

    expect(result.complete).toBe(true);
    expect(result.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'a', status: 'completed' })]),
    );
    expect(ids(result.items)).toEqual(['a', 'b']);
    expect(result.items.find((i) => i.id === 'a')).not.toHaveProperty('version');
  });

  it('is complete when the table has a recorded card past its recorded version', () => {
    const result = reconcileDay(DAY, [row('a')], new Map([['a', 3]]), table(card('a', 5)), 'UTC');

    expect(result.complete).toBe(true);
  });

  it('is not complete while a recorded card is behind its recorded version (a write in flight or failed)', () => {
    const result = reconcileDay(
      DAY,
      [row('a')],
      new Map([['a', 4]]),
      table(card('a', 3, { status: 'ready' })),
      'UTC',
    );

    expect(result.complete).toBe(false);
    // The answer still shows the table's state: the live figures are right, they are only not stored.
    expect(result.items).toEqual([expect.objectContaining({ id: 'a', status: 'ready' })]);
  });

  it('is not complete while a recorded card is not in the table yet (a create in flight)', () => {
    const result = reconcileDay(DAY, [row('b')], new Map([['a', 1]]), table(), 'UTC');

    expect(result.complete).toBe(false);
    expect(ids(result.items)).toEqual(['b']);
  });

  it('drops a recorded card the table has on another day, even while the index still shows it here', () => {
    const moved = card('a', 2, { appt_start: '2025-10-03T09:00:00.000Z' });

    const result = reconcileDay(DAY, [row('a'), row('b')], new Map([['a', 2]]), table(moved), 'UTC');

    expect(result.complete).toBe(true);
    expect(ids(result.items)).toEqual(['b']);
  });

  it('adds a recorded card the table has on this day before the index shows it here', () => {
    const arrived = card('a', 2, { appt_start: `${DAY}T15:00:00.000Z` });

    const result = reconcileDay(DAY, [row('b')], new Map([['a', 2]]), table(arrived), 'UTC');

    expect(result.complete).toBe(true);
    expect(ids(result.items)).toEqual(['a', 'b']);
  });

  it('is not complete when the recorded cards could not be read, and keeps the index rows', () => {
    const result = reconcileDay(DAY, [row('a'), row('b')], new Map([['a', 2]]), undefined, 'UTC');

    expect(result).toEqual({ items: [row('a'), row('b')], complete: false });
  });
});

describe('mayStoreFigures', () => {
  const NOW = at('2025-10-05T12:00:00Z');

  it('stores a settled day whose recorded cards were all read at their versions', () => {
    expect(mayStoreFigures('2025-10-01', { items: [], complete: true }, NOW, 'UTC')).toBe(true);
  });

  it('stores neither an incomplete day nor a day not settled', () => {
    expect(mayStoreFigures('2025-10-01', { items: [], complete: false }, NOW, 'UTC')).toBe(false);
    expect(mayStoreFigures('2025-10-05', { items: [], complete: true }, NOW, 'UTC')).toBe(false);
  });
});

describe('dayRuns', () => {
  it('groups consecutive days, across months, in order', () => {
    expect(dayRuns(['2025-10-03', '2025-09-30', '2025-10-01', '2025-10-05', '2025-10-02'])).toEqual([
      { from: '2025-09-30', to: '2025-10-03' },
      { from: '2025-10-05', to: '2025-10-05' },
    ]);
    expect(dayRuns([])).toEqual([]);
  });
});
