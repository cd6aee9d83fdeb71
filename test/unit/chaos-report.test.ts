/** How `npm run chaos` judges what its clients saw: the version chain of a card and the figures. */
import type { Status } from '../../domain/status';
import type { MoveView } from '../../client/api-client';
import {
  chaosTable,
  checkChain,
  promiseHeld,
  summarize,
  type CardState,
  type TrackedMove,
} from '../../scripts/lib/chaos-report';

const CARD = 'card-1';

function aMove(overrides: Partial<MoveView> = {}): MoveView {
  return {
    move_id: `m-${Math.random().toString(36).slice(2)}`,
    appointment_id: CARD,
    status: 'applied',
    from_status: 'scheduled',
    to_status: 'in_progress',
    expected_version: 1,
    version: 2,
    noop: false,
    submitted_at: '2026-12-01T10:00:00.000Z',
    decided_at: '2026-12-01T10:00:00.050Z',
    ...overrides,
  };
}

/** Applied moves walking a card through `columns` from scheduled, versions 2, 3, … */
function walk(...columns: Status[]): MoveView[] {
  let from: Status = 'scheduled';
  return columns.map((to, i) => {
    const move = aMove({ from_status: from, to_status: to, expected_version: i + 1, version: i + 2 });
    from = to;
    return move;
  });
}

const card = (status: Status, version: number): CardState => ({ id: CARD, status, version });

function tracked(view: MoveView | undefined, overrides: Partial<TrackedMove> = {}): TrackedMove {
  return {
    move_id: view?.move_id ?? 'm-unknown',
    appointment_id: CARD,
    accepted: true,
    view,
    inFlightAtKill: false,
    ...overrides,
  };
}

describe('checkChain', () => {
  it('accepts applied versions 2..version that follow each other column by column', () => {
    const moves = walk('in_progress', 'ready', 'in_progress', 'scheduled');

    expect(checkChain(card('scheduled', 5), moves)).toBeUndefined();
  });

  it('accepts an untouched card with no applied move', () => {
    expect(
      checkChain(card('scheduled', 1), [aMove({ status: 'conflict', version: undefined })]),
    ).toBeUndefined();
  });

  it('ignores noop moves, conflicts and the moves of other cards', () => {
    const moves = [
      ...walk('in_progress'),
      aMove({ noop: true, version: 2, to_status: 'in_progress' }),
      aMove({ status: 'conflict', version: undefined }),
      aMove({ appointment_id: 'card-2', version: 3 }),
    ];

    expect(checkChain(card('in_progress', 2), moves)).toBeUndefined();
  });

  it('reports a gap in the versions', () => {
    const [first, , third] = walk('in_progress', 'ready', 'in_progress');

    expect(checkChain(card('in_progress', 4), [first as MoveView, third as MoveView])?.reason).toBe(
      'applied versions [2, 4], expected [2, 3, 4]',
    );
  });

  it('reports a version applied twice', () => {
    const moves = walk('in_progress', 'ready');
    const again = aMove({ from_status: 'in_progress', to_status: 'ready', version: 3 });

    expect(checkChain(card('ready', 3), [...moves, again])?.reason).toBe(
      'applied versions [2, 3, 3], expected [2, 3]',
    );
  });

  it('reports a move that left a column the card was not in', () => {
    const moves = [
      aMove({ version: 2 }),
      aMove({ from_status: 'scheduled', to_status: 'no_show', version: 3 }),
    ];

    expect(checkChain(card('no_show', 3), moves)?.reason).toMatch(
      /left scheduled, but the card was in in_progress/,
    );
  });

  it('reports a card whose column is not the one its last move put it in', () => {
    expect(checkChain(card('canceled', 2), walk('in_progress'))?.reason).toBe(
      'card is in canceled at version 2, its last applied move put it in in_progress',
    );
  });
});

describe('summarize', () => {
  it('counts accepted, decided and pending moves and each outcome with its reason', () => {
    const [applied] = walk('in_progress');
    const moves = [
      tracked(applied),
      tracked(
        aMove({ status: 'conflict', version: undefined, current: { status: 'in_progress', version: 2 } }),
      ),
      tracked(aMove({ status: 'failed', reason: 'undeliverable', version: undefined })),
      tracked(aMove({ status: 'pending', version: undefined }), { inFlightAtKill: true }),
      tracked(undefined, { accepted: false, refused: 'the API never answered' }),
    ];

    const figures = summarize(moves, [card('in_progress', 2)]);

    expect(figures).toMatchObject({
      submitted: 5,
      accepted: 4,
      decided: 3,
      pending: 1,
      notAccepted: 1,
      inFlightAtKill: 1,
      chainBreaks: [],
      cards: 1,
    });
    expect(figures.outcomes).toEqual({
      applied: 1,
      'applied (noop)': 0,
      conflict: 1,
      rejected: 0,
      failed: 1,
      'failed: undeliverable': 1,
    });
    expect(promiseHeld(figures)).toBe(false);
  });

  it('counts the applied moves of unaccepted moves in the chain', () => {
    const [first, second] = walk('in_progress', 'ready');
    const moves = [tracked(first), tracked(second, { accepted: false, refused: 'the API never answered' })];

    const figures = summarize(moves, [card('ready', 3)]);

    expect(figures.chainBreaks).toEqual([]);
    expect(figures.notAccepted).toBe(1);
  });

  it('holds the promise only when every accepted move is decided and no chain broke', () => {
    const moves = walk('in_progress', 'ready').map((m) => tracked(m));

    expect(promiseHeld(summarize(moves, [card('ready', 3)]))).toBe(true);
    expect(promiseHeld(summarize(moves, [card('in_progress', 3)]))).toBe(false);
    expect(promiseHeld(summarize([], []))).toBe(false);
  });
});

describe('chaosTable', () => {
  it('lists each outcome after its kind, reasons in name order', () => {
    const moves = [
      tracked(aMove({ status: 'failed', reason: 'undeliverable', version: undefined })),
      tracked(aMove({ status: 'rejected', reason: 'not_found', version: undefined })),
      tracked(aMove({ status: 'failed', reason: 'dead_lettered', version: undefined })),
    ];

    const table = chaosTable(summarize(moves, []), {
      retries: 3,
      downMs: 4200,
      restartToAllDecidedMs: 1500,
      restartToInFlightDecidedMs: 700,
    });

    const labels = table
      .split('\n')
      .slice(2)
      .map((line) => line.split(' | ')[0]?.replace('| ', ''));
    expect(labels.slice(labels.indexOf('applied'), labels.indexOf('in flight at the kill'))).toEqual([
      'applied',
      'applied (noop)',
      'conflict',
      'rejected',
      'rejected: not_found',
      'failed',
      'failed: dead_lettered',
      'failed: undeliverable',
    ]);
    expect(table).toContain('| stack down (kill to healthy) | 4.2 s |');
    expect(table).toContain('| restart to all decided | 1.5 s |');
    expect(table).toContain('| restart to the in-flight ones decided | 0.7 s |');
  });

  it('says when not every accepted move was decided instead of a time', () => {
    const table = chaosTable(summarize([tracked(aMove({ status: 'pending', version: undefined }))], []), {
      retries: 0,
      restartToAllDecidedMs: 900,
    });

    expect(table).toContain('| restart to all decided | not all decided |');
  });
});
