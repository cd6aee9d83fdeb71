import { dayOf } from '../../domain/days';
import { SERVICE_CATALOG } from '../../domain/catalog';
import { STATUSES, canTransition, type Status } from '../../domain/status';
import {
  moveIdFor,
  pathsFromScheduled,
  planUatData,
  remainingMoves,
  statusQuotas,
} from '../../scripts/lib/uat-plan';

const START = '2026-12-01';
const plan = (seed: number, appointments = 10, timeZone = 'UTC') =>
  planUatData({
    seed,
    customers: 5,
    days: 3,
    appointments,
    start: START,
    catalog: SERVICE_CATALOG,
    timeZone,
  });

describe('planUatData', () => {
  it('plans the same data for the same seed and different data for another', () => {
    const catalog = [
      { code: 'OIL001', name: 'Oil change', price_cents: 4999, duration_minutes: 45 },
      { code: 'TIRE001', name: 'Tire rotation', price_cents: 3999, duration_minutes: 30 },
    ];
    const twoServices = (seed: number) =>
      planUatData({ seed, customers: 5, days: 3, appointments: 10, start: START, catalog, timeZone: 'UTC' });

    expect(twoServices(9)).toEqual(twoServices(9));
    expect(twoServices(9)).not.toEqual(twoServices(10));
    expect(twoServices(9).customers.map((c) => c.id)).toEqual([
      'uat-9-c1',
      'uat-9-c2',
      'uat-9-c3',
      'uat-9-c4',
      'uat-9-c5',
    ]);
  });

  it('plans the same data whatever order the catalog comes in', () => {
    const reversed = planUatData({
      seed: 3,
      customers: 5,
      days: 3,
      appointments: 10,
      start: START,
      catalog: [...SERVICE_CATALOG].reverse(),
      timeZone: 'UTC',
    });

    expect(reversed).toEqual(plan(3));
  });

  it.each([1, 2, 42, 1000])('sends cards of seed %i to every column', (seed) => {
    const targets = new Set(plan(seed, 12).appointments.map((a) => a.target));

    expect(targets).toEqual(new Set(STATUSES));
  });

  it.each(['UTC', 'America/Los_Angeles'])(
    'books appointments within the local days asked for, from 08:00 to 21:00 %s time, never two at once per car',
    (zone) => {
      const { appointments } = plan(7, 40, zone);
      const days = new Set(['2026-12-01', '2026-12-02', '2026-12-03']);
      const localTime = (instant: string) =>
        new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(
          Date.parse(instant),
        );

      for (const a of appointments) {
        expect(days.has(dayOf(a.appt_start, zone))).toBe(true);
        expect(localTime(a.appt_start) >= '08:00').toBe(true);
        expect(dayOf(a.appt_end, zone)).toBe(dayOf(a.appt_start, zone));
        expect(localTime(a.appt_end) <= '21:00').toBe(true);
      }
      // Late evenings are booked too: in Los Angeles, cards on a later UTC day than their local one.
      if (zone !== 'UTC') {
        expect(appointments.some((a) => a.appt_start.slice(0, 10) !== dayOf(a.appt_start, zone))).toBe(true);
      }
      const slots = appointments.map((a) => `${a.vehicle_id}|${a.appt_start}`);
      expect(new Set(slots).size).toBe(slots.length);
    },
  );

  it('plans its technicians, gives each of them cards and leaves some cards unassigned', () => {
    const { technicians, appointments } = plan(5, 20);
    const ids = technicians.map((t) => t.id);

    expect(ids).toEqual(['uat-5-t1', 'uat-5-t2', 'uat-5-t3']);
    expect(technicians.every((t) => /^\S+ \S+$/.test(t.name))).toBe(true);
    const given = appointments.map((a) => a.technician_id);
    for (const id of ids) expect(given.filter((g) => g === id).length).toBeGreaterThan(0);
    expect(given.filter((g) => g === undefined).length).toBe(5);
    expect(given.every((g) => g === undefined || ids.includes(g))).toBe(true);
  });

  it('throws when the catalog is empty', () => {
    expect(() =>
      planUatData({
        seed: 1,
        customers: 1,
        days: 1,
        appointments: 1,
        start: START,
        catalog: [],
        timeZone: 'UTC',
      }),
    ).toThrow('the service catalog is empty');
  });
});

describe('pathsFromScheduled', () => {
  const paths = pathsFromScheduled();

  it.each(STATUSES)('reaches %s from scheduled by legal moves only', (status) => {
    const path = paths[status];

    expect(path[0]).toBe('scheduled');
    expect(path.at(-1)).toBe(status);
    for (let i = 1; i < path.length; i++) {
      expect(canTransition(path[i - 1] as Status, path[i] as Status)).toBe(true);
    }
  });

  it('takes the shortest way to each column', () => {
    expect(paths).toEqual({
      scheduled: ['scheduled'],
      in_progress: ['scheduled', 'in_progress'],
      ready: ['scheduled', 'in_progress', 'ready'],
      completed: ['scheduled', 'in_progress', 'ready', 'completed'],
      no_show: ['scheduled', 'no_show'],
      canceled: ['scheduled', 'canceled'],
    });
  });
});

describe('remainingMoves', () => {
  it.each<[Status, Status, Status[] | undefined]>([
    ['scheduled', 'completed', ['in_progress', 'ready', 'completed']],
    ['in_progress', 'completed', ['ready', 'completed']],
    ['completed', 'completed', []],
    ['scheduled', 'scheduled', []],
    ['no_show', 'completed', undefined],
    ['canceled', 'ready', undefined],
  ])('from %s to %s is %j', (current, target, expected) => {
    expect(remainingMoves(current, target)).toEqual(expected);
  });
});

describe('statusQuotas', () => {
  it.each([0, 1, 5, 6, 7, 10, 40, 101])('splits %i cards exactly', (total) => {
    const quotas = statusQuotas(total);

    expect(Object.values(quotas).reduce((a, b) => a + b, 0)).toBe(total);
    if (total >= STATUSES.length) for (const s of STATUSES) expect(quotas[s]).toBeGreaterThanOrEqual(1);
  });
});

describe('moveIdFor', () => {
  it('gives one UUID (version 8) per card, target and version', () => {
    const id = moveIdFor(1, 'a1', 'in_progress', 1);

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(moveIdFor(1, 'a1', 'in_progress', 1)).toBe(id);
    expect(
      new Set([id, moveIdFor(2, 'a1', 'in_progress', 1), moveIdFor(1, 'a1', 'in_progress', 2)]).size,
    ).toBe(3);
  });
});
