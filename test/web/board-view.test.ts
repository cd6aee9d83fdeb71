/** What the board page shows: the server's board with the page's own moves laid over it, and the words it uses. */
import type { Board, BoardItem } from '../../web/src/api';
import { boardView } from '../../web/src/board-view';
import type { InFlightMove, MoveResult } from '../../web/src/move-machine';
import { CONFLICT_MESSAGE, movingText, outcomeToast, refusalToast } from '../../web/src/move-messages';
import { aCard } from './support/fake-api';

const DAY = '2026-03-02';

function boardOf(...items: BoardItem[]): Board {
  const columns = {
    scheduled: { items: [] as BoardItem[], count: 0 },
    in_progress: { items: [] as BoardItem[], count: 0 },
    ready: { items: [] as BoardItem[], count: 0 },
    completed: { items: [] as BoardItem[], count: 0 },
    no_show: { items: [] as BoardItem[], count: 0 },
    canceled: { items: [] as BoardItem[], count: 0 },
  };
  for (const item of items) {
    columns[item.status].items.push(item);
    columns[item.status].count += 1;
  }
  return { from: DAY, to: DAY, time_zone: 'UTC', columns };
}

const inFlight = (card: BoardItem, to: BoardItem['status']): [string, InFlightMove] => [
  card.id,
  { card, to, phase: { phase: 'pending' }, startedAt: 0, stillWorking: false },
];

const ids = (items: BoardItem[]) => items.map((i) => i.id);

describe('boardView', () => {
  it('shows a card with a move in flight in its target column, whatever a poll says', () => {
    const card = aCard({ id: 'a1' });
    const polled = boardOf({ ...card, status: 'canceled', version: 2 }, aCard({ id: 'a2' }));

    const view = boardView(polled, { inFlight: new Map([inFlight(card, 'in_progress')]), known: new Map() });

    expect(ids(view.columns.in_progress)).toEqual(['a1']);
    expect(ids(view.columns.canceled)).toEqual([]);
    expect(ids(view.columns.scheduled)).toEqual(['a2']);
    expect(view.total).toBe(2);
  });

  it('shows what a move outcome said until the board catches up with it', () => {
    const known = new Map([['a1', aCard({ status: 'in_progress', version: 2 })]]);

    const behind = boardView(boardOf(aCard({ version: 1 })), { inFlight: new Map(), known });
    const caughtUp = boardView(boardOf(aCard({ status: 'ready', version: 3, notes: 'new' })), {
      inFlight: new Map(),
      known,
    });

    expect(behind.columns.in_progress[0]).toMatchObject({ id: 'a1', version: 2 });
    expect(caughtUp.columns.ready[0]).toMatchObject({ id: 'a1', version: 3, notes: 'new' });
  });

  it("leaves out a move in flight from another day's board", () => {
    const card = aCard({ id: 'other', appt_start: '2026-03-05T10:00:00.000Z' });

    const view = boardView(boardOf(), {
      inFlight: new Map([inFlight(card, 'in_progress')]),
      known: new Map(),
    });

    expect(view.total).toBe(0);
  });

  it('sorts each column by start time', () => {
    const late = aCard({ id: 'late', appt_start: `${DAY}T15:00:00.000Z` });
    const early = aCard({ id: 'early', appt_start: `${DAY}T08:00:00.000Z` });

    expect(
      ids(boardView(boardOf(late, early), { inFlight: new Map(), known: new Map() }).columns.scheduled),
    ).toEqual(['early', 'late']);
  });
});

describe('move messages', () => {
  const result = (over: Partial<MoveResult>): MoveResult =>
    ({ moveId: 'm', card: aCard(), to: 'in_progress', attempts: 1, ms: 10, ...over }) as MoveResult;

  it('says "Updated, please try again" on a conflict', () => {
    expect(outcomeToast(result({ kind: 'conflict' }))).toEqual({ tone: 'info', text: CONFLICT_MESSAGE });
    expect(CONFLICT_MESSAGE).toBe('Updated, please try again');
  });

  it('names the allowed columns when a transition is rejected', () => {
    const toast = outcomeToast(
      result({
        kind: 'rejected',
        reason: 'invalid_transition',
        allowed: ['in_progress', 'no_show', 'canceled'],
      }),
    );

    expect(toast?.text).toBe('Scheduled cannot go to In progress. Allowed: In progress, No-show, Canceled.');
  });

  it('says nothing when a move applies', () => {
    expect(outcomeToast(result({ kind: 'applied', version: 2, noop: false }))).toBeUndefined();
  });

  it.each([
    ['processing_failed', 'the server could not process this move'],
    ['undeliverable', 'the move could not be delivered in time'],
    ['dead_lettered', 'the move was set aside after repeated server failures'],
    ['something_new', 'the server gave up on this move (something_new)'],
  ])('names the card and says in words why the server settled the move failed (%s)', (reason, words) => {
    expect(outcomeToast(result({ kind: 'failed', reason }))).toEqual({
      tone: 'error',
      text: `Could not move Grace Hopper's card to In progress: ${words}. You can move it again.`,
    });
  });

  it('names the card and the cause when the server refuses the request', () => {
    expect(
      outcomeToast(
        result({ kind: 'error', message: 'move m was already submitted with a different request' }),
      ),
    ).toEqual({
      tone: 'error',
      text: "Could not move Grace Hopper's card: move m was already submitted with a different request. Please try again.",
    });
  });

  it.each([
    [{ phase: 'pending' }, false, 'Moving to In progress…'],
    [{ phase: 'pending' }, true, 'Still moving to In progress…'],
    [
      { phase: 'retrying', delayMs: 400, reason: 'the server could not be reached' },
      false,
      'Moving to In progress, retrying…',
    ],
    [
      { phase: 'retrying', delayMs: 400, reason: 'the server could not be reached' },
      true,
      'Still moving to In progress, retrying…',
    ],
  ] as const)('shows a moving card in phase %j (still working: %p) as "%s"', (phase, stillWorking, text) => {
    expect(movingText({ to: 'in_progress', phase, stillWorking })).toBe(text);
  });

  it('explains a refused move from a final column', () => {
    expect(
      refusalToast({ started: false, reason: 'not_allowed', allowed: [] }, 'completed', 'ready')?.text,
    ).toBe('Completed is final: this card cannot move.');
  });
});
