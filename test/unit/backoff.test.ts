import { retryAfterMs, shedDelayMs } from '../../domain/backoff';

describe('shedDelayMs', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');

  it.each([
    [0, 1000],
    [0.5, 1500],
    [0.999, 1999],
  ])('waits at least Retry-After and up to twice it (random %d → %d ms)', (random, ms) => {
    expect(shedDelayMs('1', 0, () => random, now)).toBe(ms);
  });

  it('reads an HTTP date', () => {
    expect(shedDelayMs('Tue, 01 Dec 2026 12:00:02 GMT', 0, () => 0, now)).toBe(2000);
  });

  it('backs off exponentially without a usable header', () => {
    expect([0, 1, 2].map((a) => shedDelayMs(undefined, a, () => 0, now))).toEqual([250, 500, 1000]);
    expect(shedDelayMs('soon', 3, () => 0, now)).toBe(2000);
  });

  it('never waits more than 10 s', () => {
    expect(shedDelayMs('60', 0, () => 0.5, now)).toBe(10_000);
  });
});

describe('retryAfterMs', () => {
  it('is undefined for a date in the past', () => {
    expect(retryAfterMs('Tue, 01 Dec 2026 11:00:00 GMT', Date.parse('2026-12-01T12:00:00Z'))).toBeUndefined();
  });
});
