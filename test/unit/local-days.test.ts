import {
  canonicalTimeZone,
  dayEnd,
  dayLengthHours,
  dayOf,
  dayRangeInstants,
  dayStart,
  daysBetween,
} from '../../domain/days';
import { figuresByDay } from '../../domain/stats';
import { daysToTouch, isSettled, STATS_DAY_POLICY } from '../../domain/stats-days';
import { ConfigError, loadServiceConfig } from '../../infra/config';
import { statsSliceQuery } from '../../infra/dynamodb/dynamodb-shop-repository';
import { appointmentDayKeys } from '../../infra/dynamodb/items';
import type { StatsItem } from '../../domain/appointment';

const LA = 'America/Los_Angeles';
const at = (iso: string) => Date.parse(iso);

describe('local days of a time zone', () => {
  describe('dayOf', () => {
    it.each([
      ['2026-12-02T06:30:00Z', LA, '2026-12-01'],
      ['2026-12-02T07:59:59.999Z', LA, '2026-12-01'],
      ['2026-12-02T08:00:00Z', LA, '2026-12-02'],
      // 23:30 local on the DST days: PDT (UTC-7) after the spring change, PST (UTC-8) after the fall one.
      ['2026-03-09T06:30:00Z', LA, '2026-03-08'],
      ['2026-11-02T07:30:00Z', LA, '2026-11-01'],
      ['2026-12-02T06:30:00Z', 'UTC', '2026-12-02'],
      ['2026-12-01T23:30:00Z', 'Asia/Tokyo', '2026-12-02'],
    ])('puts %s on the %s day %s', (instant, zone, day) => {
      expect(dayOf(instant, zone)).toBe(day);
    });

    it('puts a card at 23:30 local on its own day in every season', () => {
      for (const day of [
        '2026-01-15',
        '2026-03-07',
        '2026-03-08',
        '2026-07-04',
        '2026-11-01',
        '2026-11-02',
      ]) {
        const lateEvening = dayStartMs(day) + 23.5 * 3_600_000 + dstShift(day);
        expect(dayOf(lateEvening, LA)).toBe(day);
      }
    });
  });

  describe('dayStart and dayEnd', () => {
    it.each([
      ['2026-03-07', '2026-03-07T08:00:00.000Z', '2026-03-08T08:00:00.000Z', 24],
      // Spring forward at 02:00 PST: 23 hours, the day ends at PDT midnight.
      ['2026-03-08', '2026-03-08T08:00:00.000Z', '2026-03-09T07:00:00.000Z', 23],
      ['2026-07-04', '2026-07-04T07:00:00.000Z', '2026-07-05T07:00:00.000Z', 24],
      // Fall back at 02:00 PDT: 25 hours.
      ['2026-11-01', '2026-11-01T07:00:00.000Z', '2026-11-02T08:00:00.000Z', 25],
      ['2026-12-01', '2026-12-01T08:00:00.000Z', '2026-12-02T08:00:00.000Z', 24],
    ])('bounds %s in Los Angeles by %s and %s (%d hours)', (day, start, end, hours) => {
      expect(dayStart(day, LA)).toBe(start);
      expect(dayEnd(day, LA)).toBe(end);
      expect(dayLengthHours(day, LA)).toBe(hours);
    });

    it('is the plain UTC midnight in UTC', () => {
      expect(dayStart('2026-03-08', 'UTC')).toBe('2026-03-08T00:00:00.000Z');
      expect(dayEnd('2026-03-08', 'UTC')).toBe('2026-03-09T00:00:00.000Z');
    });

    it('starts a day whose midnight a DST change skips at its first instant (Santiago, 00:00 → 01:00)', () => {
      expect(dayStart('2026-09-06', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
      expect(dayOf('2026-09-06T03:59:59.999Z', 'America/Santiago')).toBe('2026-09-05');
      expect(dayLengthHours('2026-09-06', 'America/Santiago')).toBe(23);
    });

    it('gives every instant of a day that day, and the instant before its start the day before', () => {
      for (const day of ['2026-03-08', '2026-11-01']) {
        const start = Date.parse(dayStart(day, LA));
        const end = Date.parse(dayEnd(day, LA));
        expect(dayOf(start - 1, LA)).not.toBe(day);
        for (let t = start; t < end; t += 15 * 60_000) expect(dayOf(t, LA)).toBe(day);
        expect(dayOf(end, LA)).not.toBe(day);
      }
    });
  });

  describe('ranges of local days', () => {
    it('cover a DST change with no gap and no overlap (23 + 24 + 25 hours around the fall change)', () => {
      const days = daysBetween('2026-10-31', '2026-11-02');
      for (let i = 1; i < days.length; i++) {
        expect(dayStart(days[i]!, LA)).toBe(dayEnd(days[i - 1]!, LA));
      }
      const { start, end } = dayRangeInstants({ from: '2026-10-31', to: '2026-11-02' }, LA);
      expect((Date.parse(end) - Date.parse(start)) / 3_600_000).toBe(24 + 25 + 24);
      const spring = dayRangeInstants({ from: '2026-03-07', to: '2026-03-09' }, LA);
      expect((Date.parse(spring.end) - Date.parse(spring.start)) / 3_600_000).toBe(24 + 23 + 24);
    });

    it('slices the stats index by the instants of the local days', () => {
      const q = statsSliceQuery({ from: '2026-11-01', to: '2026-11-07' }, LA);
      expect(q.ExpressionAttributeValues).toEqual({
        ':pk': 'MONTH#2026-11',
        ':lo': '2026-11-01T07:00:00.000Z',
        ':hi': '2026-11-08T08:00:00.000Z',
      });
    });

    it('puts each appointment of a range across a DST change in exactly one local day', () => {
      const items: StatsItem[] = [];
      for (let t = at('2026-03-07T08:00:00Z'); t < at('2026-03-10T07:00:00Z'); t += 30 * 60_000) {
        items.push({
          id: `a${t}`,
          status: 'scheduled',
          appt_start: new Date(t).toISOString(),
          service_codes: [],
          status_entered_at: {},
        });
      }
      const byDay = figuresByDay(daysBetween('2026-03-07', '2026-03-09'), items, [], LA);
      expect([...byDay.values()].map((f) => f.total)).toEqual([48, 46, 48]);
    });
  });

  describe('index keys', () => {
    it('key a late-evening card by its local day and month', () => {
      expect(appointmentDayKeys({ id: 'a1', appt_start: '2026-12-01T06:30:00.000Z' }, LA)).toEqual({
        GSI1PK: 'DAY#2026-11-30',
        GSI1SK: '2026-12-01T06:30:00.000Z#a1',
        GSI2PK: 'MONTH#2026-11',
        GSI2SK: '2026-12-01T06:30:00.000Z#a1',
      });
    });
  });

  describe('settled days', () => {
    it('settle the grace after their local end, a 25-hour day an hour later than UTC would say', () => {
      const grace = STATS_DAY_POLICY.settleGraceMs;
      const end = at('2026-11-02T08:00:00Z');
      expect(isSettled('2026-11-01', end + grace, LA)).toBe(true);
      expect(isSettled('2026-11-01', end + grace - 1, LA)).toBe(false);
      expect(daysToTouch(['2026-11-01'], end - grace - 1, LA)).toEqual([]);
      expect(daysToTouch(['2026-11-01'], end - grace, LA)).toEqual(['2026-11-01']);
    });
  });

  describe('SHOP_TIMEZONE', () => {
    const base = { MOVE_QUEUE_URL: 'http://127.0.0.1:9/000000000000/moves.fifo' };

    it('defaults to UTC and canonicalizes a zone name', () => {
      expect(loadServiceConfig(base).SHOP_TIMEZONE).toBe('UTC');
      expect(loadServiceConfig({ ...base, SHOP_TIMEZONE: 'america/los_angeles' }).SHOP_TIMEZONE).toBe(LA);
      expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    });

    it('refuses an unknown zone, naming the variable', () => {
      expect(() => loadServiceConfig({ ...base, SHOP_TIMEZONE: 'Mars/Olympus_Mons' })).toThrow(ConfigError);
      expect(() => loadServiceConfig({ ...base, SHOP_TIMEZONE: 'Mars/Olympus_Mons' })).toThrow(
        /SHOP_TIMEZONE must be an IANA time zone such as America\/Los_Angeles \(got Mars\/Olympus_Mons\)/,
      );
    });
  });
});

/** Local midnight of `day` in Los Angeles as UTC ms, computed independently of days.ts (PST = UTC-8). */
function dayStartMs(day: string): number {
  return Date.parse(`${day}T08:00:00Z`) - (isPdt(day) ? 3_600_000 : 0);
}
/** Hours the clock moved between local midnight and 23:30 (the DST change days). */
function dstShift(day: string): number {
  if (day === '2026-03-08') return -3_600_000;
  if (day === '2026-11-01') return 3_600_000;
  return 0;
}
function isPdt(day: string): boolean {
  return day > '2026-03-08' && day <= '2026-11-01';
}
