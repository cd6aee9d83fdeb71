import {
  STATUSES,
  allowedTargets,
  canTransition,
  isStatus,
  transitionLabel,
  type Status,
} from '../../domain/status';

/** The board's rules written out by hand, so the table in status.ts is checked, not echoed. */
const LEGAL: Record<Status, Status[]> = {
  scheduled: ['in_progress', 'no_show', 'canceled'],
  in_progress: ['ready', 'scheduled'],
  ready: ['completed', 'in_progress'],
  no_show: ['scheduled'],
  canceled: ['scheduled'],
  completed: [],
};

const ALL: Status[] = ['scheduled', 'in_progress', 'ready', 'completed', 'no_show', 'canceled'];
const PAIRS = ALL.flatMap((from) => ALL.map((to) => [from, to] as const));
const ALLOWED = PAIRS.filter(([from, to]) => LEGAL[from].includes(to));
const FORBIDDEN = PAIRS.filter(([from, to]) => !LEGAL[from].includes(to));

describe('STATUSES', () => {
  it('lists the six board columns in board order', () => {
    expect(STATUSES).toEqual(ALL);
  });
});

describe('canTransition', () => {
  it('splits the 36 from/to pairs into 9 allowed and 27 forbidden', () => {
    expect([ALLOWED.length, FORBIDDEN.length]).toEqual([9, 27]);
  });

  it.each(ALLOWED)('allows %s -> %s', (from, to) => {
    const result = canTransition(from, to);

    expect(result).toBe(true);
  });

  it.each(FORBIDDEN)('forbids %s -> %s', (from, to) => {
    const result = canTransition(from, to);

    expect(result).toBe(false);
  });

  it.each(ALL)('never allows %s to move to itself', (status) => {
    expect(canTransition(status, status)).toBe(false);
  });
});

describe('allowedTargets', () => {
  it.each(ALL.map((s) => [s, LEGAL[s]] as const))('lists the columns %s may move to', (from, targets) => {
    const result = allowedTargets(from);

    expect([...result].sort()).toEqual([...targets].sort());
  });

  it('leaves completed with no way out', () => {
    expect(allowedTargets('completed')).toEqual([]);
  });
});

describe('isStatus', () => {
  it.each(ALL)('accepts the column name %s', (name) => {
    expect(isStatus(name)).toBe(true);
  });

  it.each([
    ['a differently cased name', 'Scheduled'],
    ['a name with spaces', ' ready '],
    ['an empty string', ''],
    ['an unknown name', 'done'],
    ['a hyphenated spelling', 'in-progress'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 1],
    ['an array holding a name', ['scheduled']],
    ['an object', { status: 'ready' }],
  ])('rejects %s', (_label, value) => {
    expect(isStatus(value)).toBe(false);
  });
});

describe('transitionLabel', () => {
  it.each([
    ['scheduled', 'in_progress', 'scheduled->in_progress'],
    ['ready', 'completed', 'ready->completed'],
    ['canceled', 'scheduled', 'canceled->scheduled'],
  ] as const)('labels %s to %s as %s', (from, to, label) => {
    expect(transitionLabel(from, to)).toBe(label);
  });

  it('names an unknown origin "unknown"', () => {
    expect(transitionLabel(undefined, 'ready')).toBe('unknown->ready');
  });
});
