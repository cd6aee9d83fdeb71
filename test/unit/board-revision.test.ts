import { canonicalQuery, revisionKey, type DayRevision } from '../../domain/board-revision';

const day = (d: string, shards: Array<[number, number, number]>): DayRevision => ({
  day: d,
  shards: shards.map(([shard, rev, changedAtMs]) => ({ shard, rev, changedAtMs })),
});

describe('revisionKey', () => {
  const now = 1_000_000;

  it('is the same whatever order the days and shards were read in', () => {
    const a = revisionKey(
      's',
      [
        day('2026-01-02', [
          [1, 3, 0],
          [0, 2, 0],
        ]),
        day('2026-01-01', []),
      ],
      now,
      100,
    );
    const b = revisionKey(
      's',
      [
        day('2026-01-01', []),
        day('2026-01-02', [
          [0, 2, 0],
          [1, 3, 0],
        ]),
      ],
      now,
      100,
    );
    expect(a).toBeDefined();
    expect(a).toBe(b);
  });

  it.each([
    ['a bump on a shard', [day('2026-01-01', [[0, 3, 0]])]],
    [
      'a new shard',
      [
        day('2026-01-01', [
          [0, 2, 0],
          [5, 1, 0],
        ]),
      ],
    ],
  ])('changes with %s', (_what, days) => {
    expect(revisionKey('s', days, now, 100)).not.toBe(
      revisionKey('s', [day('2026-01-01', [[0, 2, 0]])], now, 100),
    );
  });

  it('changes with the scope (route, query, prices)', () => {
    const days = [day('2026-01-01', [[0, 2, 0]])];
    expect(revisionKey('board?date=x', days, now, 100)).not.toBe(revisionKey('stats?date=x', days, now, 100));
  });

  it('gives no key while a shard changed within the index lag, and one once it is older', () => {
    const days = [day('2026-01-01', [[0, 2, now - 99]])];
    expect(revisionKey('s', days, now, 100)).toBeUndefined();
    expect(revisionKey('s', days, now + 1, 100)).toBeDefined();
  });
});

describe('canonicalQuery', () => {
  it('orders the keys and escapes the values', () => {
    expect(canonicalQuery({ to: 'b', from: 'a&c' })).toBe('from=a%26c&to=b');
  });
});
