/**
 * Days of the shop's calendar, as `YYYY-MM-DD` strings, in the shop's time zone (an IANA name).
 * Pure: `Intl.DateTimeFormat` is plain JavaScript, and the zone is always passed in (from
 * SHOP_TIMEZONE through the container), never read here.
 *
 * A local day is not always 24 hours long: a DST change makes it 23 or 25 (America/Los_Angeles:
 * 2026-03-08 and 2026-11-01). So a day is bounded by the instants its local midnight and the next
 * one fall on (`dayStart`, `dayEnd`), never by adding 24 hours to an instant. Calendar arithmetic
 * on day strings (`addDays`, `daysBetween`, `checkDayRange`) needs no zone.
 */
import { BadRequestError } from './errors';

const DAY_MS = 86_400_000;

export const DEFAULT_TIME_ZONE = 'UTC';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: year, month, day, hour, minute, second of an instant there. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's canonical IANA name (`america/los_angeles` → `America/Los_Angeles`), or undefined when it is none. */
export function canonicalTimeZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * Recent answers of wallClockMs by zone and instant: formatToParts is the costly part of a move's
 * own CPU in the bench's profile (docs/PERFORMANCE.md, issue #15), and one move asks the day of its
 * card's appt_start several times. Exact (no rounding of the instant), bounded by clearing.
 */
const WALL_CLOCK_CACHE_SIZE = 2048;
const wallClocks = new Map<string, number>();

/** The wall clock of `ms` in `timeZone`, as the UTC milliseconds of the same fields. */
function wallClockMs(ms: number, timeZone: string): number {
  const id = `${timeZone} ${ms}`;
  const cached = wallClocks.get(id);
  if (cached !== undefined) return cached;
  const wall = formatWallClockMs(ms, timeZone);
  if (wallClocks.size >= WALL_CLOCK_CACHE_SIZE) wallClocks.clear();
  wallClocks.set(id, wall);
  return wall;
}

function formatWallClockMs(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year, month, day, hour, minute, second } = parts as Record<string, number>;
  return Date.UTC(year as number, (month as number) - 1, day, hour, minute, second);
}

const dayKey = (wallMs: number) => new Date(wallMs).toISOString().slice(0, 10);

/** The local day of an instant in `timeZone`: the day key of an appointment (by its appt_start). */
export function dayOf(instant: string | number, timeZone: string): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  return dayKey(wallClockMs(ms, timeZone));
}

/** The UTC milliseconds at which local day `day` begins in `timeZone` (its first instant). */
export function dayStartMs(day: string, timeZone: string): number {
  const midnight = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset at the guess, then at the corrected guess: two steps settle any DST change.
  let guess = midnight - (wallClockMs(midnight, timeZone) - midnight);
  guess = midnight - (wallClockMs(guess, timeZone) - guess);
  if (dayOf(guess, timeZone) === day && dayOf(guess - 1, timeZone) < day) return guess;
  // Midnight itself skipped by a DST change (some zones switch at 00:00): the first instant that
  // is on the day, by bisection over the 48 hours around the guess.
  let lo = midnight - 2 * DAY_MS;
  let hi = midnight + 2 * DAY_MS;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayOf(mid, timeZone) >= day) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The instant (ISO-8601 UTC) at which the clocks of `timeZone` show `minuteOfDay` minutes past
 * midnight of `day` (08:30 is 510). A wall time a DST change skips lands as far past the change.
 */
export function localInstant(day: string, minuteOfDay: number, timeZone: string): string {
  const wall = Date.parse(`${day}T00:00:00Z`) + minuteOfDay * 60_000;
  let guess = wall - (wallClockMs(wall, timeZone) - wall);
  guess = wall - (wallClockMs(guess, timeZone) - guess);
  return new Date(guess).toISOString();
}

/** The instant (ISO-8601 UTC) at which local day `day` begins in `timeZone`. */
export function dayStart(day: string, timeZone: string): string {
  return new Date(dayStartMs(day, timeZone)).toISOString();
}

/** The UTC milliseconds at which local day `day` ends (exclusive): the next day's start. */
export function dayEndMs(day: string, timeZone: string): number {
  return dayStartMs(addDays(day, 1), timeZone);
}

/** The instant (ISO-8601 UTC, exclusive) at which local day `day` ends: the next day's start. */
export function dayEnd(day: string, timeZone: string): string {
  return new Date(dayEndMs(day, timeZone)).toISOString();
}

/** The instants [start, end) the local days `from`..`to` (both included) cover in `timeZone`. */
export function dayRangeInstants(
  range: { from: string; to: string },
  timeZone: string,
): { start: string; end: string } {
  return { start: dayStart(range.from, timeZone), end: dayEnd(range.to, timeZone) };
}

/** Hours in local day `day` of `timeZone`: 24, or 23 / 25 on a DST change. */
export function dayLengthHours(day: string, timeZone: string): number {
  return (dayEndMs(day, timeZone) - dayStartMs(day, timeZone)) / 3_600_000;
}

/** The calendar day `n` days after `day` (no zone: calendar arithmetic). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

/** Checks from ≤ to and the range length in calendar days (DST days count one each); returns it. */
export function checkDayRange(range: { from: string; to: string }, maxDays: number): number {
  if (range.from > range.to) {
    throw new BadRequestError('invalid_range', 'from must not be after to', {
      from: range.from,
      to: range.to,
    });
  }
  const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS) + 1;
  if (days > maxDays) {
    throw new BadRequestError(
      'range_too_long',
      `the range spans ${days} days; at most ${maxDays} are allowed`,
      {
        from: range.from,
        to: range.to,
        max_days: maxDays,
      },
    );
  }
  return days;
}

/** `YYYY-MM` months touched by the range, in order. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number) as [number, number];
  const last = to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    months.push(month);
    if (month >= last) return months;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
}
