/** Times in the shop's zone: wall clock to instant and back, across both DST changes. */
import { formatDuration, timeRange, todayIn, zonedToUtc } from '../../web/src/format';

const LA = 'America/Los_Angeles';

describe("the shop's zone", () => {
  it.each([
    ['2026-03-02', '09:00', '2026-03-02T17:00:00.000Z'],
    ['2026-07-01', '09:00', '2026-07-01T16:00:00.000Z'],
    // The day DST starts (23 hours): before and after 02:00.
    ['2026-03-08', '01:30', '2026-03-08T09:30:00.000Z'],
    ['2026-03-08', '03:30', '2026-03-08T10:30:00.000Z'],
    // The day DST ends (25 hours).
    ['2026-11-01', '00:30', '2026-11-01T07:30:00.000Z'],
    ['2026-11-01', '23:30', '2026-11-02T07:30:00.000Z'],
  ])('puts %s %s in Los Angeles at %s', (day, time, instant) => {
    expect(zonedToUtc(day, time, LA)).toBe(instant);
    expect(timeRange(instant, instant, LA)).toBe(`${time}–${time}`);
  });

  it('is the identity in UTC', () => {
    expect(zonedToUtc('2026-03-02', '13:00', 'UTC')).toBe('2026-03-02T13:00:00.000Z');
  });

  it("names today by the shop's clock, not UTC's", () => {
    const lateEvening = new Date('2026-12-02T06:30:00Z');

    expect(todayIn(LA, lateEvening)).toBe('2026-12-01');
    expect(todayIn('UTC', lateEvening)).toBe('2026-12-02');
  });

  it('refuses what is not a day and a time', () => {
    expect(() => zonedToUtc('2026-13-01', '09:00', LA)).toThrow(RangeError);
    expect(() => zonedToUtc('2026-03-02', '9am', LA)).toThrow(RangeError);
  });

  it.each([
    [0, '0 m'],
    [59 * 60_000, '59 m'],
    [80 * 60_000, '1 h 20 m'],
    [26 * 3_600_000, '1 d 2 h'],
  ])('writes %p ms in a column as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
