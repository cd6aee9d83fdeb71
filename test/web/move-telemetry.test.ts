/** The session's move figures: moves, conflict rate, p95 and p99 move time. */
import { MoveTelemetry, percentile } from '../../web/src/move-telemetry';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it.each([
    [[], 95, undefined],
    [[42], 95, 42],
    [[10, 20], 95, 20],
    [hundred, 95, 95],
    [hundred, 99, 99],
    [hundred, 50, 50],
  ])('of %j at p%i is %p', (samples, p, expected) => {
    expect(percentile(samples, p)).toBe(expected);
  });
});

describe('MoveTelemetry', () => {
  it('starts empty', () => {
    expect(new MoveTelemetry().summary()).toEqual({
      moves: 0,
      conflicts: 0,
      conflictRate: 0,
      p95Ms: undefined,
      p99Ms: undefined,
    });
  });

  it('counts conflicts against all moves and keeps the tail of the move times', () => {
    const telemetry = new MoveTelemetry();
    for (let i = 1; i <= 19; i++) telemetry.record({ kind: 'applied', ms: i * 10 });
    telemetry.record({ kind: 'conflict', ms: 1000 });

    expect(telemetry.summary()).toEqual({
      moves: 20,
      conflicts: 1,
      conflictRate: 0.05,
      p95Ms: 190,
      p99Ms: 1000,
    });
  });

  it('counts decided moves only, not requests the server refused', () => {
    const telemetry = new MoveTelemetry();
    telemetry.record({ kind: 'applied', ms: 100 });
    telemetry.record({ kind: 'failed', ms: 900_000 });
    telemetry.record({ kind: 'error', ms: 5 });

    expect(telemetry.summary()).toMatchObject({ moves: 2, conflicts: 0, p95Ms: 900_000 });
  });
});
