/**
 * Days and times as the page shows them: in the shop's time zone (the board's `time_zone`; UTC
 * until the API names one). The API's instants are UTC; its days are the shop's local days. Pure.
 */
import { DEFAULT_TIME_ZONE, dayOf } from '../../domain/days';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^\d{2}:\d{2}$/;

export const DEFAULT_ZONE = DEFAULT_TIME_ZONE;

export function isDay(value: string | null | undefined): value is string {
  return typeof value === 'string' && DAY_RE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Intl formatters are costly to build; one per zone and style. */
function formatter(zone: string, style: 'parts' | 'time' | 'when'): Intl.DateTimeFormat {
  const key = `${zone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      style === 'parts'
        ? {
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
            hourCycle: 'h23',
          }
        : style === 'time'
          ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
          : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    f = new Intl.DateTimeFormat(style === 'when' ? 'en-US' : 'en-GB', { ...options, timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

/** The wall clock of `zone` at an instant: `{day: 'YYYY-MM-DD', time: 'HH:MM', offsetMs}`. */
export function wallClock(instant: Date, zone: string): { day: string; time: string; offsetMs: number } {
  const parts = Object.fromEntries(
    formatter(zone, 'parts')
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  const time = `${parts.hour}:${parts.minute}`;
  const asUtc = Date.parse(`${day}T${time}:${parts.second}Z`);
  return { day, time, offsetMs: asUtc - Math.floor(instant.getTime() / 1000) * 1000 };
}

/** Today in the shop's zone. */
export function todayIn(zone: string, now: Date = new Date()): string {
  return dayOf(now.getTime(), zone);
}

/**
 * The instant (ISO UTC) of a wall-clock time on a local day of `zone`. On the hour a DST change
 * skips, the later offset wins; on the hour it repeats, the first.
 */
export function zonedToUtc(day: string, time: string, zone: string): string {
  if (!isDay(day) || !TIME_RE.test(time)) throw new RangeError(`not a day and time: ${day} ${time}`);
  const naive = Date.parse(`${day}T${time}:00Z`);
  // The zone's offset near that instant, then again at the corrected instant (DST boundaries).
  let guess = naive - wallClock(new Date(naive), zone).offsetMs;
  guess = naive - wallClock(new Date(guess), zone).offsetMs;
  return new Date(guess).toISOString();
}

/** `13:00` in the shop's zone. */
export function localTime(instant: string, zone: string): string {
  return formatter(zone, 'time').format(new Date(instant));
}

/** `13:00–14:00` in the shop's zone. */
export function timeRange(start: string, end: string, zone: string = DEFAULT_ZONE): string {
  return `${localTime(start, zone)}–${localTime(end, zone)}`;
}

/** `Dec 1, 14:05` in the shop's zone: when a history entry happened. */
export function formatWhen(instant: string, zone: string): string {
  return formatter(zone, 'when').format(new Date(instant));
}

const longDay = new Intl.DateTimeFormat('en-US', {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

/** `Tuesday, March 3, 2026` (a local day: its name does not depend on any zone). */
export function formatDay(day: string): string {
  return longDay.format(new Date(`${day}T00:00:00Z`));
}

/** `420 ms`, `1.3 s`, or an em dash before there is anything to show. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A time in a column: `0 m`, `45 m`, `1 h 20 m`, `2 d 3 h`. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} m`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** `$1,234.50` from cents. */
export function formatCents(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
  return (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });
}

/** `87%` from a ratio, or an em dash when there is none. */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`;
}
