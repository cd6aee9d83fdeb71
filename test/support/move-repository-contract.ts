/**
 * The MoveRepository port's documented semantics (domain/ports.ts), as one suite that any
 * implementation must pass: the in-memory fake in the unit tests and the DynamoDB adapter in the
 * integration tests. Where they disagree, the port's doc decides.
 *
 * Records are built with the domain's own functions (newMoveRecord, settleMove, failMove), as the
 * use cases build them, so the suite asks of a repository only what the use cases rely on.
 */
import type { Appointment } from '../../domain/appointment';
import {
  applyMoveToCard,
  decideMove,
  newMoveRecord,
  settleMove,
  type MoveRecord,
  type MoveRequest,
} from '../../domain/move';
import { movedEntry } from '../../domain/history';
import type { MoveRepository } from '../../domain/ports';
import { anAppointment } from './factories';

/** A repository to test, and how to put a card where it reads cards (the port writes none itself). */
export interface MoveRepositorySubject {
  repository: MoveRepository;
  putCard(card: Appointment): Promise<void>;
}

const SUBMITTED = '2025-10-01T12:00:00.000Z';
const DECIDED = '2025-10-01T12:00:01.000Z';
const TIMINGS = { sweepAfterSeconds: 60, giveUpSeconds: 900 };
/** The fields a listed move carries at least: what the sweeper re-sends and judges its age by. */
const SWEEP_FIELDS = [
  'move_id',
  'appointment_id',
  'status',
  'from_status',
  'to_status',
  'expected_version',
  'submitted_at',
  'sweep_due_at',
] as const;

const at = (iso: string, plusSeconds: number) => new Date(Date.parse(iso) + plusSeconds * 1000).toISOString();

function aCard(overrides: Partial<Appointment> = {}): Appointment {
  return anAppointment({ id: 'card-1', status: 'scheduled', version: 3, ...overrides });
}

function aPendingMove(overrides: Partial<MoveRequest> = {}, submittedAt = SUBMITTED): MoveRecord {
  return newMoveRecord(
    {
      move_id: 'move-1',
      appointment_id: 'card-1',
      to_status: 'in_progress',
      expected_version: 3,
      from_status: 'scheduled',
      ...overrides,
    },
    submittedAt,
    TIMINGS,
  );
}

/** The card and the settled move a worker writes when it applies `move` to `card`. */
function applied(card: Appointment, move: MoveRecord) {
  const { from_status: from, ...request } = move;
  const decision = decideMove(card, { ...request, ...(from ? { from_status: from } : {}) });
  if (decision.kind !== 'apply') throw new Error(`expected ${move.move_id} to apply, got ${decision.kind}`);
  const moved = applyMoveToCard(card, decision, move.move_id, DECIDED);
  const settled = settleMove(move, decision, DECIDED);
  return { card: moved, settled, readVersion: decision.readVersion, entry: movedEntry(card, moved, settled) };
}

const conflictOf = (move: MoveRecord) =>
  settleMove(move, { kind: 'conflict', current: { status: 'ready', version: 9 } }, DECIDED);

const pick = (record: MoveRecord) =>
  Object.fromEntries(SWEEP_FIELDS.map((field) => [field, record[field]])) as Partial<MoveRecord>;

export function moveRepositoryContract(
  implementation: string,
  makeSubject: () => Promise<MoveRepositorySubject>,
): void {
  describe(`MoveRepository contract: ${implementation}`, () => {
    let repo: MoveRepository;
    let putCard: (card: Appointment) => Promise<void>;

    beforeEach(async () => {
      const subject = await makeSubject();
      repo = subject.repository;
      putCard = subject.putCard;
    });

    /** Puts the card and records `move` on it, checking that it was created. */
    async function recorded(move: MoveRecord, card: Appointment = aCard()): Promise<MoveRecord> {
      await putCard(card);
      expect(await repo.recordPendingMove(move)).toEqual({ kind: 'created' });
      return move;
    }

    describe('recordPendingMove', () => {
      it('creates a pending move on an existing card, which getMove then returns', async () => {
        await putCard(aCard());

        const result = await repo.recordPendingMove(aPendingMove());

        expect(result).toEqual({ kind: 'created' });
        expect(await repo.getMove('move-1', true)).toEqual(aPendingMove());
      });

      it('reports an existing move_id with the stored record and keeps the first one', async () => {
        const first = await recorded(aPendingMove());
        const second = aPendingMove({ to_status: 'canceled' }, at(SUBMITTED, 30));

        const result = await repo.recordPendingMove(second);

        expect(result).toEqual({ kind: 'exists', record: first });
        expect(await repo.getMove('move-1', true)).toEqual(first);
      });

      it('reports a settled move as existing, as it was settled', async () => {
        const move = await recorded(aPendingMove());
        await repo.settleMove(conflictOf(move));

        const result = await repo.recordPendingMove(move);

        expect(result).toEqual({ kind: 'exists', record: conflictOf(move) });
      });

      it('reports appointment_not_found for a card that does not exist, and records nothing', async () => {
        const result = await repo.recordPendingMove(aPendingMove({ appointment_id: 'no-such-card' }));

        expect(result).toEqual({ kind: 'appointment_not_found' });
        expect(await repo.getMove('move-1', true)).toBeUndefined();
        expect(await repo.listDueMoves(at(SUBMITTED, 3600), 10)).toEqual([]);
      });
    });

    describe('getMove', () => {
      it('returns undefined for an unknown move_id', async () => {
        expect(await repo.getMove('no-such-move', true)).toBeUndefined();
      });

      it('returns the move as recorded, with its sweep due time while pending', async () => {
        const move = await recorded(aPendingMove());

        const read = await repo.getMove(move.move_id, true);

        expect(read).toEqual(move);
        expect(read?.sweep_due_at).toBe(at(SUBMITTED, 60));
      });
    });

    describe('getMoveAndCard', () => {
      it('returns the move and its card together', async () => {
        const move = await recorded(aPendingMove());

        const read = await repo.getMoveAndCard(move.move_id, 'card-1');

        expect(read).toEqual({ move, card: aCard() });
      });

      it('leaves out what does not exist', async () => {
        const move = await recorded(aPendingMove());

        const noCard = await repo.getMoveAndCard(move.move_id, 'no-such-card');
        const noMove = await repo.getMoveAndCard('no-such-move', 'card-1');
        const neither = await repo.getMoveAndCard('no-such-move', 'no-such-card');

        expect([noCard.move, noCard.card]).toEqual([move, undefined]);
        expect([noMove.move, noMove.card]).toEqual([undefined, aCard()]);
        expect([neither.move, neither.card]).toEqual([undefined, undefined]);
      });
    });

    describe('commitAppliedMove', () => {
      it('writes the moved card and the settled move together', async () => {
        const move = await recorded(aPendingMove());
        const { card, settled, readVersion, entry } = applied(aCard(), move);

        const result = await repo.commitAppliedMove(card, readVersion, settled, entry);

        expect(result).toEqual({ kind: 'committed' });
        expect(await repo.getMoveAndCard(move.move_id, 'card-1')).toEqual({ move: settled, card });
        expect(card).toMatchObject({ status: 'in_progress', version: 4 });
      });

      it('reports card_changed with the card as it is now, and writes neither', async () => {
        const move = await recorded(aPendingMove());
        const { card, settled, entry } = applied(aCard(), move);
        const edited = aCard({ version: 4, notes: 'edited meanwhile' });
        await putCard(edited);

        const result = await repo.commitAppliedMove(card, 3, settled, entry);

        expect(result).toEqual({ kind: 'card_changed', card: edited });
        expect(await repo.getMoveAndCard(move.move_id, 'card-1')).toEqual({ move, card: edited });
      });

      it('reports card_changed without a card when the card does not exist, and writes neither', async () => {
        const move = await recorded(aPendingMove());
        const { card, settled, readVersion, entry } = applied(aCard({ id: 'gone' }), move);

        const result = await repo.commitAppliedMove(card, readVersion, settled, entry);

        expect(result).toMatchObject({ kind: 'card_changed' });
        expect(result).not.toHaveProperty('card', expect.anything());
        expect(await repo.getMoveAndCard(move.move_id, 'gone')).toEqual({ move });
      });

      it('reports already_settled for a move that is no longer pending, and leaves the card alone', async () => {
        const move = await recorded(aPendingMove());
        await repo.settleMove(conflictOf(move));
        const { card, settled, readVersion, entry } = applied(aCard(), move);

        const result = await repo.commitAppliedMove(card, readVersion, settled, entry);

        expect(result).toEqual({ kind: 'already_settled' });
        expect(await repo.getMoveAndCard(move.move_id, 'card-1')).toEqual({
          move: conflictOf(move),
          card: aCard(),
        });
      });

      it('is idempotent per move_id: a second commit of the same move reports already_settled', async () => {
        const move = await recorded(aPendingMove());
        const { card, settled, readVersion, entry } = applied(aCard(), move);
        await repo.commitAppliedMove(card, readVersion, settled, entry);

        const again = await repo.commitAppliedMove(card, readVersion, settled, entry);

        expect(again).toEqual({ kind: 'already_settled' });
        expect(await repo.getMoveAndCard(move.move_id, 'card-1')).toEqual({ move: settled, card });
      });
    });

    describe('settleMove', () => {
      it('settles a pending move as given', async () => {
        const move = await recorded(aPendingMove());

        const result = await repo.settleMove(conflictOf(move));

        expect(result).toBe('settled');
        expect(await repo.getMove(move.move_id, true)).toEqual(conflictOf(move));
      });

      it('reports already_settled for a decided move and keeps its outcome', async () => {
        const move = await recorded(aPendingMove());
        await repo.settleMove(conflictOf(move));
        const rejected = settleMove(move, { kind: 'rejected', reason: 'not_found' }, at(DECIDED, 5));

        const result = await repo.settleMove(rejected);

        expect(result).toBe('already_settled');
        expect(await repo.getMove(move.move_id, true)).toEqual(conflictOf(move));
      });

      it('reports already_settled for a move that was never recorded, and creates none', async () => {
        const result = await repo.settleMove(conflictOf(aPendingMove({ move_id: 'never-recorded' })));

        expect(result).toBe('already_settled');
        expect(await repo.getMove('never-recorded', true)).toBeUndefined();
      });
    });

    describe('failPendingMove', () => {
      it('settles a pending move failed with the reason and time, keeping the rest of its record', async () => {
        const move = await recorded(aPendingMove());

        const result = await repo.failPendingMove(move.move_id, 'undeliverable', DECIDED);

        expect(result).toBe('settled');
        const { sweep_due_at: _due, ...rest } = move;
        expect(await repo.getMove(move.move_id, true)).toEqual({
          ...rest,
          status: 'failed',
          reason: 'undeliverable',
          decided_at: DECIDED,
        });
      });

      it('reports already_settled for a decided move and keeps its outcome', async () => {
        const move = await recorded(aPendingMove());
        await repo.settleMove(conflictOf(move));

        const result = await repo.failPendingMove(move.move_id, 'dead_lettered', at(DECIDED, 5));

        expect(result).toBe('already_settled');
        expect(await repo.getMove(move.move_id, true)).toEqual(conflictOf(move));
      });

      it('reports already_settled for an unknown move_id, and creates none', async () => {
        const result = await repo.failPendingMove('never-recorded', 'processing_failed', DECIDED);

        expect(result).toBe('already_settled');
        expect(await repo.getMove('never-recorded', true)).toBeUndefined();
      });
    });

    describe('markResent', () => {
      it('counts the re-send and moves the sweep due time of a pending move', async () => {
        const move = await recorded(aPendingMove());
        const nextDue = at(SUBMITTED, 180);

        await repo.markResent(move.move_id, at(SUBMITTED, 60), nextDue);
        await repo.markResent(move.move_id, at(SUBMITTED, 61), nextDue);

        expect(await repo.getMove(move.move_id, true)).toMatchObject({
          ...move,
          sweep_due_at: nextDue,
          resends: 2,
        });
        expect(await repo.listDueMoves(at(SUBMITTED, 120), 10)).toEqual([]);
        expect((await repo.listDueMoves(at(nextDue, 1), 10)).map((m) => m.move_id)).toEqual([move.move_id]);
      });

      it('changes nothing once the move is settled', async () => {
        const move = await recorded(aPendingMove());
        await repo.settleMove(conflictOf(move));

        await repo.markResent(move.move_id, at(SUBMITTED, 60), at(SUBMITTED, 180));

        expect(await repo.getMove(move.move_id, true)).toEqual(conflictOf(move));
        expect(await repo.listDueMoves(at(SUBMITTED, 3600), 10)).toEqual([]);
      });

      it('creates nothing for an unknown move_id', async () => {
        await repo.markResent('never-recorded', at(SUBMITTED, 60), at(SUBMITTED, 180));

        expect(await repo.getMove('never-recorded', true)).toBeUndefined();
      });
    });

    describe('listDueMoves', () => {
      /** Records pending moves on one card, each due `dueInSeconds` after SUBMITTED. */
      async function pendingDueIn(...dueInSeconds: number[]): Promise<MoveRecord[]> {
        await putCard(aCard());
        const moves = dueInSeconds.map((due, i) => ({
          ...aPendingMove({ move_id: `due-${String(i).padStart(2, '0')}` }),
          sweep_due_at: at(SUBMITTED, due),
        }));
        for (const move of moves) expect(await repo.recordPendingMove(move)).toEqual({ kind: 'created' });
        return moves;
      }

      it('lists the pending moves due before now, oldest due first', async () => {
        // Enough moves to fall on several of the adapter's index shards.
        const moves = await pendingDueIn(50, 10, 40, 20, 30, 90, 15, 35, 25, 45, 5, 100);

        const due = await repo.listDueMoves(at(SUBMITTED, 60), 100);

        const expected = [...moves]
          .filter((m) => (m.sweep_due_at ?? '') < at(SUBMITTED, 60))
          .sort((a, b) => ((a.sweep_due_at ?? '') < (b.sweep_due_at ?? '') ? -1 : 1));
        expect(due.map((m) => m.move_id)).toEqual(expected.map((m) => m.move_id));
        expect(due).toEqual(expected.map((m) => expect.objectContaining(pick(m))));
      });

      it('lists at most `limit` moves, the oldest due', async () => {
        await pendingDueIn(50, 10, 40, 20, 30, 15, 35, 25, 45, 5);

        const due = await repo.listDueMoves(at(SUBMITTED, 60), 4);

        expect(due.map((m) => m.sweep_due_at)).toEqual([5, 10, 15, 20].map((s) => at(SUBMITTED, s)));
      });

      it('leaves out a move due exactly at now', async () => {
        await pendingDueIn(60);

        expect(await repo.listDueMoves(at(SUBMITTED, 60), 10)).toEqual([]);
        expect(await repo.listDueMoves(at(SUBMITTED, 60.001), 10)).toHaveLength(1);
      });

      it('treats a move recorded without a due time as due from its submission', async () => {
        await putCard(aCard());
        const { sweep_due_at: _none, ...undated } = aPendingMove({ move_id: 'undated' }, at(SUBMITTED, 30));
        await repo.recordPendingMove(undated);
        await pendingDueIn(10, 50);

        const due = await repo.listDueMoves(at(SUBMITTED, 60), 10);

        expect(due.map((m) => m.move_id)).toEqual(['due-00', 'undated', 'due-01']);
      });

      it('lists only pending moves: none that were applied, settled or failed', async () => {
        const [toApply, toSettle, toFail, stillPending] = await pendingDueIn(10, 20, 30, 40);
        const { card, settled, readVersion, entry } = applied(aCard(), toApply as MoveRecord);
        await repo.commitAppliedMove(card, readVersion, settled, entry);
        await repo.settleMove(conflictOf(toSettle as MoveRecord));
        await repo.failPendingMove((toFail as MoveRecord).move_id, 'undeliverable', DECIDED);

        const due = await repo.listDueMoves(at(SUBMITTED, 3600), 10);

        expect(due.map((m) => m.move_id)).toEqual([stillPending?.move_id]);
      });
    });
  });
}
