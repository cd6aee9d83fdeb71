import { nextPollDelay } from '../../web/src/poll-delay';

describe('nextPollDelay (the board poll after a 429 or 503)', () => {
  it('waits the poll interval after an answered poll or a failure without Retry-After', () => {
    expect(nextPollDelay(3000)).toBe(3000);
    expect(nextPollDelay(3000, undefined, () => 0.99)).toBe(3000);
  });

  it('waits at least the Retry-After, plus up to as much again at random', () => {
    expect(nextPollDelay(3000, 10_000, () => 0)).toBe(10_000);
    expect(nextPollDelay(3000, 10_000, () => 0.5)).toBe(15_000);
    expect(nextPollDelay(3000, 10_000, () => 0.999)).toBeLessThan(20_000);
  });

  it('spreads the screens a shed poll turned away even when Retry-After is shorter than the interval', () => {
    const delays = [0, 0.25, 0.5, 0.75].map((r) => nextPollDelay(3000, 1000, () => r));

    expect(delays).toEqual([3000, 3750, 4500, 5250]);
  });
});
