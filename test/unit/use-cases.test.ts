/**
 * The move use cases against small in-memory fakes of our own ports (MoveRepository, MoveQueue),
 * not of AWS (test/support/; the repository fake passes the same contract suite as the DynamoDB
 * adapter). The SQS adapter is covered by the integration tests.
 */
import type { Appointment } from '../../domain/appointment';
import {
  IdempotencyMismatchError,
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
} from '../../domain/errors';
import {
  failMove,
  newMoveRecord,
  type MoveRecord,
  type MoveRequest,
  type MoveTimings,
} from '../../domain/move';
import type { SubmitMoveInput } from '../../domain/schemas';
import {
  FIRST_POLL_DELAY_MS,
  pollDelay,
  submitMove,
  sweepPendingMoves,
  waitForMove,
  type MoveDeps,
} from '../../domain/use-cases/moves';
import {
  CardKeepsChangingError,
  processMove,
  touchStatsDay,
  type ProcessDeps,
} from '../../domain/use-cases/process-move';
import type { Actor } from '../../domain/roles';
import { anAppointment } from '../support/factories';
import { InMemoryMoveQueue } from '../support/in-memory-move-queue';
import { InMemoryMoveRepository } from '../support/in-memory-move-repository';

const STAFF: Actor = { role: 'staff', principal: 'LOCALSTAFF' };

const T0 = '2025-10-01T12:00:00.000Z';
const T1 = '2025-10-01T12:05:00.000Z';
const MOVE_ID = '01JABCDEFGHJKMNPQRSTVWXYZ0';
const GENERATED_ID = '3f1c2b9e-8a4d-4c1e-9f7a-2b6d5e8c1a03';

const clone = <T>(value: T): T => structuredClone(value);
const TIMINGS: MoveTimings = { sweepAfterSeconds: 60, giveUpSeconds: 900 };

function aCard(overrides: Partial<Appointment> = {}): Appointment {
  return anAppointment(overrides);
}

function anInput(overrides: Partial<SubmitMoveInput> = {}): SubmitMoveInput {
  return {
    to_status: 'in_progress',
    expected_version: 3,
    from_status: 'scheduled',
    move_id: MOVE_ID,
    ...overrides,
  };
}

function aPendingMove(overrides: Partial<MoveRequest> = {}, submittedAt = T0): MoveRecord {
  return newMoveRecord(
    {
      move_id: MOVE_ID,
      appointment_id: 'appt-1',
      to_status: 'in_progress',
      expected_version: 3,
      from_status: 'scheduled',
      ...overrides,
    },
    submittedAt,
    TIMINGS,
    STAFF,
  );
}

function setUp(cards: Appointment[] = [aCard()]) {
  const moves = new InMemoryMoveRepository();
  for (const card of cards) moves.cards.set(card.id, clone(card));
  const queue = new InMemoryMoveQueue();
  const clock = { now: T0 };
  const warn = jest.fn();
  const deps: MoveDeps = {
    moves,
    queue,
    moveTimings: TIMINGS,
    newMoveId: () => GENERATED_ID,
    now: () => clock.now,
    sleep: async () => {},
    log: { warn },
  };
  return { deps, moves, queue, clock, warn };
}

describe('submitMove (in-memory ports)', () => {
  it('records the move as pending, queues it and reports it created', async () => {
    const { deps, moves, queue } = setUp();

    const result = await submitMove(deps, 'appt-1', anInput(), STAFF);

    const expected = aPendingMove();
    expect(result).toEqual({ record: expected, created: true });
    expect(moves.moves.get(MOVE_ID)).toEqual(expected);
    expect(queue.sent).toEqual([expected]);
  });

  it('gives the move a fresh id when the client sends none', async () => {
    const { deps, queue } = setUp();
    const { move_id: _none, ...input } = anInput();

    const result = await submitMove(deps, 'appt-1', input, STAFF);

    expect([result.record.move_id, queue.sent[0]?.move_id]).toEqual([GENERATED_ID, GENERATED_ID]);
  });

  it('records a move without from_status with a null origin', async () => {
    const { deps } = setUp();
    const { from_status: _none, ...input } = anInput();

    const result = await submitMove(deps, 'appt-1', input, STAFF);

    expect(result.record).toMatchObject({ from_status: null, request_key: 'appt-1|in_progress|3|' });
  });

  describe('refuses an unknown status name with a 422', () => {
    it.each([
      ['to_status', { to_status: 'done' }, ['to_status']],
      ['from_status', { from_status: 'parked' }, ['from_status']],
      ['both', { to_status: 'done', from_status: 'parked' }, ['from_status', 'to_status']],
    ])('naming %s', async (_label, overrides, fields) => {
      const { deps } = setUp();

      const submitting = submitMove(deps, 'appt-1', anInput(overrides), STAFF);

      await expect(submitting).rejects.toBeInstanceOf(UnprocessableError);
      await expect(submitting).rejects.toMatchObject({ httpStatus: 422 });
      const details = await submitting.catch((err: UnprocessableError) => err.details ?? {});
      expect(Object.keys(details).sort()).toEqual(fields);
      expect(Object.values(details)).toEqual(
        fields.map(() => expect.stringMatching(/^unknown status; one of /)),
      );
    });

    it('before recording or queueing anything', async () => {
      const { deps, moves, queue } = setUp();

      await expect(submitMove(deps, 'appt-1', anInput({ to_status: 'done' }), STAFF)).rejects.toThrow(
        UnprocessableError,
      );

      expect([moves.moves.size, queue.sent.length]).toEqual([0, 0]);
    });
  });

  it('throws NotFoundError (404) when the appointment does not exist, queueing nothing', async () => {
    const { deps, queue } = setUp([]);

    const submitting = submitMove(deps, 'appt-404', anInput(), STAFF);

    await expect(submitting).rejects.toBeInstanceOf(NotFoundError);
    await expect(submitting).rejects.toMatchObject({
      httpStatus: 404,
      details: { appointment_id: 'appt-404' },
    });
    expect(queue.sent).toEqual([]);
  });

  describe('on a re-POST of a known move_id', () => {
    it('returns the stored, settled move with created=false and does not queue it again', async () => {
      const { deps, moves, queue, clock } = setUp();
      await submitMove(deps, 'appt-1', anInput(), STAFF);
      const applied: MoveRecord = { ...aPendingMove(), status: 'applied', version: 4, decided_at: T0 };
      moves.moves.set(MOVE_ID, applied);
      clock.now = T1;

      const result = await submitMove(deps, 'appt-1', anInput(), STAFF);

      expect(result).toEqual({ record: applied, created: false });
      expect(queue.sent).toHaveLength(1);
    });

    it('sends a move that is still pending again, as a re-send, and returns it as it stands', async () => {
      const { deps, moves, queue, clock } = setUp();
      await submitMove(deps, 'appt-1', anInput(), STAFF);
      clock.now = T1;

      const result = await submitMove(deps, 'appt-1', anInput(), STAFF);

      expect(result).toEqual({ record: aPendingMove(), created: false });
      expect(queue.sent.map((m) => m.move_id)).toEqual([MOVE_ID, MOVE_ID]);
      expect(queue.resends).toEqual([false, true]);
      // The sweeper then waits as long as after any re-send (the move is 5 min old: 5 min more).
      expect(moves.moves.get(MOVE_ID)).toMatchObject({
        status: 'pending',
        resends: 1,
        sweep_due_at: '2025-10-01T12:10:00.000Z',
      });
    });

    it.each([
      ['to_status', { to_status: 'canceled' }],
      ['expected_version', { expected_version: 4 }],
      ['from_status', { from_status: 'in_progress' }],
      ['from_status left out', { from_status: undefined }],
    ])('throws IdempotencyMismatchError (409) when %s differs', async (_label, overrides) => {
      const { deps, queue } = setUp();
      await submitMove(deps, 'appt-1', anInput(), STAFF);

      const submitting = submitMove(deps, 'appt-1', anInput(overrides), STAFF);

      await expect(submitting).rejects.toBeInstanceOf(IdempotencyMismatchError);
      await expect(submitting).rejects.toMatchObject({ httpStatus: 409, details: { move_id: MOVE_ID } });
      expect(queue.sent).toHaveLength(1);
    });

    it('throws IdempotencyMismatchError when the move_id is reused for another appointment', async () => {
      const { deps } = setUp([aCard(), aCard({ id: 'appt-2' })]);
      await submitMove(deps, 'appt-1', anInput(), STAFF);

      await expect(submitMove(deps, 'appt-2', anInput(), STAFF)).rejects.toBeInstanceOf(
        IdempotencyMismatchError,
      );
    });

    it.each(['processing_failed', 'undeliverable', 'dead_lettered'] as const)(
      'returns a move that failed (%s) as it stands: failed is final',
      async (reason) => {
        const { deps, moves, queue } = setUp();
        const failed = failMove(aPendingMove(), reason, T0);
        moves.moves.set(MOVE_ID, failed);

        const result = await submitMove(deps, 'appt-1', anInput(), STAFF);

        expect(result).toEqual({ record: failed, created: false });
        expect(queue.sent).toEqual([]);
      },
    );
  });

  describe('when the queue does not confirm the send', () => {
    it('leaves the move pending and throws ServiceUnavailableError (503) saying so', async () => {
      const { deps, moves, queue, warn } = setUp();
      queue.down = true;

      const submitting = submitMove(deps, 'appt-1', anInput(), STAFF);

      await expect(submitting).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(submitting).rejects.toMatchObject({
        httpStatus: 503,
        details: { move_id: MOVE_ID, status: 'pending' },
      });
      expect(moves.moves.get(MOVE_ID)).toEqual(aPendingMove());
      expect(warn).toHaveBeenCalledWith(
        'move could not be queued; it stays pending for a re-POST or the sweeper',
        expect.objectContaining({ move_id: MOVE_ID }),
      );
    });

    it('sends the move again on a re-POST once the queue is back, keeping its submission time', async () => {
      const { deps, moves, queue, clock } = setUp();
      queue.down = true;
      await expect(submitMove(deps, 'appt-1', anInput(), STAFF)).rejects.toThrow(ServiceUnavailableError);
      queue.down = false;
      clock.now = T1;

      const result = await submitMove(deps, 'appt-1', anInput(), STAFF);

      expect(queue.sent.map((m) => [m.move_id, m.status, m.submitted_at])).toEqual([
        [MOVE_ID, 'pending', T0],
      ]);
      expect(queue.resends).toEqual([true]);
      expect(result).toEqual({ record: aPendingMove(), created: false });
      expect(moves.moves.get(MOVE_ID)?.submitted_at).toBe(T0);
    });

    it('answers 503 again on a re-POST while the queue is still down, and the move stays pending', async () => {
      const { deps, moves, queue, clock } = setUp();
      queue.down = true;
      await expect(submitMove(deps, 'appt-1', anInput(), STAFF)).rejects.toThrow(ServiceUnavailableError);
      clock.now = T1;

      await expect(submitMove(deps, 'appt-1', anInput(), STAFF)).rejects.toBeInstanceOf(
        ServiceUnavailableError,
      );

      expect(moves.moves.get(MOVE_ID)).toMatchObject({ status: 'pending', submitted_at: T0 });
    });

    it('returns the decided move on a re-POST when the first send had reached the queue after all', async () => {
      const { deps, moves, queue } = setUp();
      queue.down = true;
      await expect(submitMove(deps, 'appt-1', anInput(), STAFF)).rejects.toThrow(ServiceUnavailableError);
      const applied: MoveRecord = { ...aPendingMove(), status: 'applied', version: 4, decided_at: T1 };
      moves.moves.set(MOVE_ID, applied);
      queue.down = false;

      const result = await submitMove(deps, 'appt-1', anInput(), STAFF);

      expect(result).toEqual({ record: applied, created: false });
      expect(queue.sent).toEqual([]);
    });
  });
});

describe('pollDelay', () => {
  it.each([
    [0, 15],
    [1, 23],
    [2, 34],
    [3, 51],
    [6, 171],
    [7, 250],
    [40, 250],
  ])('waits before poll %i for %i ms', (attempt, delay) => {
    expect(pollDelay(attempt)).toBe(delay);
  });
});

describe('waitForMove (in-memory ports, fake clock)', () => {
  // waitForMove measures elapsed time with deps.now(), so the fake sleep moves that clock.
  let clockMs: number;
  let slept: number[];
  /** Called after each fake sleep with the total time slept so far. */
  let onSleep: (total: number) => void;

  function setUpWaiting(move: MoveRecord | undefined) {
    const env = setUp();
    if (move) env.moves.moves.set(move.move_id, clone(move));
    env.deps.now = () => new Date(clockMs).toISOString();
    env.deps.sleep = async (ms: number) => {
      slept.push(ms);
      clockMs += ms;
      onSleep(slept.reduce((a, b) => a + b, 0));
    };
    return env;
  }

  beforeEach(() => {
    clockMs = Date.parse(T0);
    slept = [];
    onSleep = () => {};
  });

  it('reads a settled move once, after the first-poll delay', async () => {
    const settled: MoveRecord = { ...aPendingMove(), status: 'applied', version: 4, decided_at: T0 };
    const { deps, moves } = setUpWaiting(settled);
    const reads = jest.spyOn(moves, 'getMove');

    const record = await waitForMove(deps, MOVE_ID, 5000);

    expect(record).toEqual(settled);
    expect(slept).toEqual([FIRST_POLL_DELAY_MS]);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('returns a pending move at once when no wait is asked for', async () => {
    const { deps } = setUpWaiting(aPendingMove());

    const record = await waitForMove(deps, MOVE_ID);

    expect(record.status).toBe('pending');
    expect(slept).toEqual([]);
  });

  it('polls until the move settles and returns the settled move', async () => {
    const { deps, moves } = setUpWaiting(aPendingMove());
    onSleep = (total) => {
      if (total >= FIRST_POLL_DELAY_MS + 10)
        moves.moves.set(MOVE_ID, { ...aPendingMove(), status: 'conflict', decided_at: T1 });
    };

    const record = await waitForMove(deps, MOVE_ID, 5000);

    expect(record).toMatchObject({ status: 'conflict', decided_at: T1 });
    expect(slept).toEqual([FIRST_POLL_DELAY_MS, 15]);
  });

  it('returns the move still pending once wait_ms has passed', async () => {
    const { deps } = setUpWaiting(aPendingMove());

    const record = await waitForMove(deps, MOVE_ID, 150);

    expect(record.status).toBe('pending');
    // The backoff's waits after the first read, then what is left of the 150 ms.
    expect(slept).toEqual([FIRST_POLL_DELAY_MS, 15, 23, 34, 51, 150 - FIRST_POLL_DELAY_MS - 123]);
  });

  it('never sleeps past wait_ms', async () => {
    const { deps } = setUpWaiting(aPendingMove());

    await waitForMove(deps, MOVE_ID, 105);

    expect(slept.at(-1)).toBe(105 - FIRST_POLL_DELAY_MS - (15 + 23 + 34));
    expect(slept.reduce((a, b) => a + b, 0)).toBe(105);
  });

  it('throws NotFoundError (404) naming the move when it does not exist', async () => {
    const { deps } = setUpWaiting(undefined);

    const waiting = waitForMove(deps, 'no-such-move', 1000);

    await expect(waiting).rejects.toBeInstanceOf(NotFoundError);
    await expect(waiting).rejects.toMatchObject({ httpStatus: 404, details: { move_id: 'no-such-move' } });
    expect(slept).toEqual([FIRST_POLL_DELAY_MS]);
  });
});

describe('sweepPendingMoves (in-memory ports)', () => {
  const NOW = '2025-10-01T12:00:00.000Z';

  function setUpSweep() {
    const env = setUp();
    env.clock.now = NOW;
    const moves: MoveRecord[] = [
      aPendingMove({ move_id: 'old-2' }, '2025-10-01T11:58:59.999Z'),
      aPendingMove({ move_id: 'old-1' }, '2025-10-01T11:50:00.000Z'),
      aPendingMove({ move_id: 'at-cutoff' }, '2025-10-01T11:59:00.000Z'),
      aPendingMove({ move_id: 'fresh' }, '2025-10-01T11:59:30.000Z'),
      { ...aPendingMove({ move_id: 'settled' }, '2025-10-01T11:00:00.000Z'), status: 'applied', version: 4 },
    ];
    for (const m of moves) env.moves.moves.set(m.move_id, m);
    return env;
  }

  it('re-sends the pending moves whose sweep is due, oldest due first, as re-sends', async () => {
    const { deps, moves, queue } = setUpSweep();

    const result = await sweepPendingMoves(deps);

    expect(result).toEqual({ resent: 2, failed: 0, gaveUp: 0 });
    expect(queue.sent.map((m) => m.move_id)).toEqual(['old-1', 'old-2']);
    expect(queue.resends).toEqual([true, true]);
    expect(Object.fromEntries(moves.resent)).toEqual({ 'old-1': NOW, 'old-2': NOW });
  });

  it('asks for the moves due before now, up to the limit', async () => {
    const { deps, moves } = setUpSweep();
    const list = jest.spyOn(moves, 'listDueMoves');

    await sweepPendingMoves(deps);
    await sweepPendingMoves(deps, 5);

    expect(list.mock.calls).toEqual([
      [NOW, 100],
      [NOW, 5],
    ]);
  });

  it('keeps re-sending a move that stays pending, waiting as long again as it has waited each time', async () => {
    const { deps, moves, queue, clock } = setUp();
    moves.moves.set('m', aPendingMove({ move_id: 'm' }, T0));
    const sendsAt: string[] = [];
    // Sweep every minute for 14 minutes, as the scheduled sweeper does.
    for (let minute = 1; minute <= 14; minute++) {
      clock.now = new Date(Date.parse(T0) + minute * 60_000 + 1).toISOString();
      const before = queue.sent.length;
      await sweepPendingMoves(deps);
      if (queue.sent.length > before) sendsAt.push(clock.now.slice(11, 16));
    }

    expect(sendsAt).toEqual(['12:01', '12:03', '12:07', '12:13']);
    expect(moves.moves.get('m')).toMatchObject({ status: 'pending', resends: 4 });
  });

  it('settles a move still pending at the give-up time as failed (undeliverable) and sends it no more', async () => {
    const { deps, moves, queue, clock, warn } = setUp();
    moves.moves.set('m', aPendingMove({ move_id: 'm' }, T0));
    clock.now = new Date(Date.parse(T0) + 900_000).toISOString();

    const result = await sweepPendingMoves(deps);

    expect(result).toEqual({ resent: 0, failed: 0, gaveUp: 1 });
    expect(queue.sent).toEqual([]);
    expect(moves.moves.get('m')).toMatchObject({
      status: 'failed',
      reason: 'undeliverable',
      decided_at: clock.now,
    });
    expect(moves.moves.get('m')).not.toHaveProperty('sweep_due_at');
    expect(warn).toHaveBeenCalledWith(
      'move undeliverable: still pending at the give-up time; settled failed',
      expect.objectContaining({ move_id: 'm' }),
    );
    expect(await sweepPendingMoves(deps)).toEqual({ resent: 0, failed: 0, gaveUp: 0 });
  });

  it('does not count a give-up when the move was decided meanwhile', async () => {
    const { deps, moves, clock } = setUp();
    moves.moves.set('m', aPendingMove({ move_id: 'm' }, T0));
    clock.now = new Date(Date.parse(T0) + 900_000).toISOString();
    jest.spyOn(moves, 'failPendingMove').mockResolvedValue('already_settled');

    expect(await sweepPendingMoves(deps)).toEqual({ resent: 0, failed: 0, gaveUp: 0 });
  });

  it('counts a move the queue refuses as failed and leaves it due for the next sweep', async () => {
    const { deps, moves, queue, warn } = setUpSweep();
    queue.failFor.add('old-1');

    const result = await sweepPendingMoves(deps);

    expect(result).toEqual({ resent: 1, failed: 1, gaveUp: 0 });
    expect([...moves.resent.keys()]).toEqual(['old-2']);
    expect((await moves.listDueMoves(NOW, 10)).map((m) => m.move_id)).toEqual(['old-1']);
    expect(warn).toHaveBeenCalledWith(
      'sweeper could not re-send a pending move',
      expect.objectContaining({ move_id: 'old-1' }),
    );
  });
});

describe('processMove (in-memory ports)', () => {
  function setUpWorker(card: Appointment | undefined, move: MoveRecord | undefined) {
    const moves = new InMemoryMoveRepository();
    if (card) moves.cards.set(card.id, clone(card));
    if (move) moves.moves.set(move.move_id, clone(move));
    const touched: string[][] = [];
    const deps: ProcessDeps = {
      moves,
      statsDays: { touchDays: async (days) => void touched.push([...days]) },
      timeZone: 'UTC',
      now: () => T1,
    };
    return { deps, moves, touched };
  }

  it('applies a legal move: writes the card and settles the move together', async () => {
    const { deps, moves } = setUpWorker(aCard(), aPendingMove());

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    const { sweep_due_at: _due, ...pending } = aPendingMove();
    const settled = {
      ...pending,
      status: 'applied',
      version: 4,
      noop: false,
      rebased: false,
      decided_at: T1,
    };
    expect(outcome).toEqual({
      kind: 'settled',
      record: settled,
      transition: 'scheduled->in_progress',
      statsDay: '2025-10-01',
    });
    expect(moves.moves.get(MOVE_ID)).toEqual(settled);
    expect(moves.cards.get('appt-1')).toMatchObject({
      status: 'in_progress',
      version: 4,
      status_version: 4,
      last_move_id: MOVE_ID,
      updated_at: T1,
      status_entered_at: { in_progress: T1 },
    });
  });

  it('reports a duplicate and changes nothing when the move is already settled', async () => {
    const applied: MoveRecord = { ...aPendingMove(), status: 'applied', version: 4, decided_at: T0 };
    const { deps, moves } = setUpWorker(aCard(), applied);
    const commit = jest.spyOn(moves, 'commitAppliedMove');

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    expect(outcome).toEqual({ kind: 'duplicate', record: applied, statsDay: '2025-10-01' });
    expect(commit).not.toHaveBeenCalled();
    expect(moves.cards.get('appt-1')).toEqual(aCard());
  });

  it('reports an orphan when there is no move record', async () => {
    const { deps, moves } = setUpWorker(aCard(), undefined);

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    expect(outcome).toEqual({ kind: 'orphan' });
    expect(moves.cards.get('appt-1')).toEqual(aCard());
  });

  it('settles a stale move as a conflict without touching the card', async () => {
    const card = aCard({ status: 'ready', version: 7 });
    const { deps, moves } = setUpWorker(card, aPendingMove({ to_status: 'in_progress' }));

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    expect(outcome).toMatchObject({
      kind: 'settled',
      record: { status: 'conflict', current: { status: 'ready', version: 7 } },
      transition: 'ready->in_progress',
    });
    expect(moves.moves.get(MOVE_ID)?.status).toBe('conflict');
    expect(moves.cards.get('appt-1')).toEqual(card);
  });

  it.each([
    ['the column the client saw', { from_status: 'scheduled' as const }, 'scheduled->in_progress'],
    ['"unknown" without from_status', { from_status: undefined }, 'unknown->in_progress'],
  ])('rejects a move for a missing card as not_found, labelled from %s', async (_label, overrides, label) => {
    const { deps, moves } = setUpWorker(undefined, aPendingMove(overrides));

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    expect(outcome).toMatchObject({ kind: 'settled', record: { status: 'rejected', reason: 'not_found' } });
    expect(outcome).toHaveProperty('transition', label);
    expect(moves.moves.get(MOVE_ID)).toMatchObject({
      status: 'rejected',
      reason: 'not_found',
      decided_at: T1,
    });
  });

  it('settles a move to the column the card is already in as an applied noop', async () => {
    const card = aCard({ status: 'in_progress', version: 5 });
    const { deps, moves } = setUpWorker(card, aPendingMove());

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    expect(outcome).toMatchObject({ kind: 'settled', record: { status: 'applied', noop: true, version: 5 } });
    expect(moves.cards.get('appt-1')).toEqual(card);
  });

  it('decides again on the fresh card when the card changed between read and write', async () => {
    const { deps, moves } = setUpWorker(aCard({ version: 3 }), aPendingMove({ expected_version: 3 }));
    const commit = jest.spyOn(moves, 'commitAppliedMove');
    let edits = 0;
    moves.beforeCommit = () => {
      if (edits++ > 0) return;
      // A notes edit lands just before the worker's first write.
      moves.cards.set('appt-1', aCard({ version: 4, notes: 'edited meanwhile' }));
    };

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    expect(commit).toHaveBeenCalledTimes(2);
    expect(commit.mock.calls.map(([, readVersion]) => readVersion)).toEqual([3, 4]);
    expect(outcome).toMatchObject({
      kind: 'settled',
      record: { status: 'applied', version: 5, rebased: true },
    });
    expect(moves.cards.get('appt-1')).toMatchObject({
      status: 'in_progress',
      version: 5,
      notes: 'edited meanwhile',
    });
  });

  it('settles a conflict when the retry finds the card moved to another column', async () => {
    const { deps, moves } = setUpWorker(aCard({ version: 3 }), aPendingMove());
    let moved = false;
    moves.beforeCommit = () => {
      if (moved) return;
      moved = true;
      moves.cards.set('appt-1', aCard({ status: 'canceled', version: 4 }));
    };

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    expect(outcome).toMatchObject({
      kind: 'settled',
      record: { status: 'conflict', current: { status: 'canceled', version: 4 } },
      transition: 'canceled->in_progress',
    });
    expect(moves.cards.get('appt-1')).toMatchObject({ status: 'canceled', version: 4 });
  });

  it('throws CardKeepsChangingError after 3 attempts and leaves the move pending', async () => {
    const { deps, moves } = setUpWorker(aCard({ version: 3 }), aPendingMove());
    const commit = jest.spyOn(moves, 'commitAppliedMove');
    moves.beforeCommit = () => {
      const card = moves.cards.get('appt-1') as Appointment;
      moves.cards.set('appt-1', { ...card, version: card.version + 1 });
    };

    const processing = processMove(deps, MOVE_ID, 'appt-1');

    await expect(processing).rejects.toBeInstanceOf(CardKeepsChangingError);
    await expect(processing).rejects.toThrow(`move ${MOVE_ID}: the card changed under every attempt`);
    expect(commit).toHaveBeenCalledTimes(3);
    expect(moves.moves.get(MOVE_ID)?.status).toBe('pending');
  });

  it('reports a duplicate with the stored record when another delivery settled the move first', async () => {
    const { deps, moves } = setUpWorker(aCard(), aPendingMove());
    const other: MoveRecord = { ...aPendingMove(), status: 'applied', version: 4, decided_at: T0 };
    moves.beforeCommit = () => moves.moves.set(MOVE_ID, clone(other));

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    expect(outcome).toEqual({ kind: 'duplicate', record: other, statsDay: '2025-10-01' });
  });

  it('reports a duplicate when a non-applying outcome loses the race to settle', async () => {
    const { deps, moves } = setUpWorker(aCard({ status: 'ready', version: 7 }), aPendingMove());
    const other: MoveRecord = { ...aPendingMove(), status: 'conflict', decided_at: T0 };
    jest.spyOn(moves, 'settleMove').mockImplementation(async () => {
      moves.moves.set(MOVE_ID, clone(other));
      return 'already_settled';
    });

    const outcome = await processMove(deps, MOVE_ID, 'appt-1');

    expect(outcome).toEqual({ kind: 'duplicate', record: other });
  });
});

describe('touchStatsDay (in-memory ports)', () => {
  function depsAt(now: string) {
    const touched: string[][] = [];
    const deps: ProcessDeps = {
      moves: new InMemoryMoveRepository(),
      statsDays: { touchDays: async (days) => void touched.push([...days]) },
      timeZone: 'UTC',
      now: () => now,
    };
    return { deps, touched };
  }
  const applied: MoveRecord = {
    ...aPendingMove(),
    status: 'applied',
    version: 4,
    noop: false,
    decided_at: T1,
  };

  it("bumps a past day's stats when a move changed one of its cards", async () => {
    const { deps, touched } = depsAt('2025-10-03T09:00:00.000Z');
    await touchStatsDay(deps, { kind: 'settled', record: applied, transition: 'x', statsDay: '2025-10-01' });
    await touchStatsDay(deps, { kind: 'duplicate', record: applied, statsDay: '2025-10-01' });
    expect(touched).toEqual([['2025-10-01'], ['2025-10-01']]);
  });

  it('bumps today only in its last minutes, when a reader could soon store its figures', async () => {
    const movedAt = async (now: string) => {
      const { deps, touched } = depsAt(now);
      await touchStatsDay(deps, {
        kind: 'settled',
        record: applied,
        transition: 'x',
        statsDay: '2025-10-01',
      });
      return touched;
    };
    expect(await movedAt('2025-10-01T12:00:00.000Z')).toEqual([]);
    expect(await movedAt('2025-10-01T23:55:00.000Z')).toEqual([['2025-10-01']]);
  });

  it('bumps nothing for outcomes that changed no card', async () => {
    const { deps, touched } = depsAt('2025-10-03T09:00:00.000Z');
    await touchStatsDay(deps, {
      kind: 'settled',
      record: { ...applied, status: 'conflict' },
      transition: 'x',
    });
    await touchStatsDay(deps, { kind: 'orphan' });
    expect(touched).toEqual([]);
  });

  it('gives no stats day for a no-op or a conflict, and the card day for an applied move', async () => {
    const setUp = (card: Appointment, move: MoveRecord) => {
      const moves = new InMemoryMoveRepository();
      moves.cards.set(card.id, clone(card));
      moves.moves.set(move.move_id, clone(move));
      return {
        moves,
        statsDays: { touchDays: async () => undefined },
        timeZone: 'UTC',
        now: () => T1,
      } satisfies ProcessDeps;
    };
    const noop = await processMove(
      setUp(aCard({ status: 'in_progress' }), aPendingMove()),
      MOVE_ID,
      'appt-1',
    );
    expect(noop).toMatchObject({ kind: 'settled', record: { noop: true } });
    expect(noop).not.toHaveProperty('statsDay');
    const stale = await processMove(
      setUp(aCard({ status: 'ready', version: 9, status_version: 9 }), aPendingMove()),
      MOVE_ID,
      'appt-1',
    );
    expect(stale).toMatchObject({ kind: 'settled', record: { status: 'conflict' } });
    expect(stale).not.toHaveProperty('statsDay');
  });
});
