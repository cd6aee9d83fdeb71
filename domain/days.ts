/** Whole UTC days, as `YYYY-MM-DD` strings. Pure. */
import { BadRequestError } from './errors';

const DAY_MS = 86_400_000;

export function dayOf(instant: string): string {
  return new Date(instant).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

/** Checks from ≤ to and the range length; returns the number of days. */
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
