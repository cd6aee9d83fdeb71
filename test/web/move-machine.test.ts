/**
 * The board page's move state machine, with the API faked at the fetch boundary and a fake clock:
 * a card's move goes pending → applied / conflict / rejected / failed; anything short of an answer
 * (503, other 5xx, 429, network error) is retried with the same move_id and body, without a
 * deadline; a pending move is long-polled until the server decides it; the coordinator locks the
 * card, says when a move takes long, and keeps the telemetry.
 */
import {
  DEFAULT_POLICY,
  MoveCoordinator,
  backoffDelay,
  runMove,
  type MovePhase,
} from '../../web/src/move-machine';
import { movingText } from '../../web/src/move-messages';
import { FakeServer, aCard, fail, fakeDeps, heldFor, moveView, ok, type Reply } from './support/fake-api';

const SUBMIT = '/api/admin/appointments/a1/move';
const POLL = '/api/admin/moves/';
/** The old page's budget for a pending move (3 attempts × 15 s), after which it showed an error. */
const OLD_BUDGET_MS = 45_000;

const accepted = (): Reply => ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202);
/** What the API answers when SendMessage failed: the move is recorded and still pending. */
const queueUnavailable = (moveId: string, retryAfter = '1'): Reply => ({
  status: 503,
  headers: { 'retry-after': retryAfter },
  body: {
    ok: false,
    error: {
      code: 'service_unavailable',
      message: 'the move queue is unavailable; try again',
      details: { move_id: moveId, status: 'pending' },
    },
  },
});
const networkError = (): Reply => ({ networkError: 'Failed to fetch' });
const times = (n: number, reply: () => Reply): Reply[] => Array.from({ length: n }, reply);

function recordPhases() {
  const phases: MovePhase[] = [];
  return { phases, onPhase: (p: MovePhase) => phases.push(p) };
}

describe('runMove', () => {
  it('submits the move with its own move_id, long-polls with wait_ms and settles applied with the new version', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, accepted())
      .on('GET', POLL, ok(moveView('applied', { version: 2 })));
    const { deps } = fakeDeps(server);
    const { phases, onPhase } = recordPhases();

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' }, onPhase);

    expect(result).toMatchObject({ kind: 'applied', version: 2, noop: false, attempts: 1 });
    expect(phases).toEqual([{ phase: 'pending' }]);
    const [submit] = server.requests('POST', SUBMIT);
    expect(submit?.body).toEqual({
      move_id: result.moveId,
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    const [poll] = server.requests('GET', POLL);
    expect(poll?.path).toBe(`/api/admin/moves/${result.moveId}`);
    expect(poll?.query.get('wait_ms')).toBe(String(DEFAULT_POLICY.pollWaitMs));
  });

  it('follows a long poll that held its wait with the next one at once', async () => {
    const server = new FakeServer();
    const { deps, clock } = fakeDeps(server);
    server
      .on('POST', SUBMIT, accepted())
      .on(
        'GET',
        POLL,
        heldFor(clock, 5000, ok(moveView('pending'))),
        heldFor(clock, 5000, ok(moveView('pending'))),
        ok(moveView('applied', { version: 2 })),
      );

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'applied', ms: 10_000 });
    expect(server.requests('GET', POLL)).toHaveLength(3);
    expect(clock.sleeps).toEqual([]);
  });

  it('spaces out pending answers that come back without waiting, up to one long-poll wait apart', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, accepted())
      .on('GET', POLL, ...times(7, () => ok(moveView('pending'))), ok(moveView('applied', { version: 2 })));
    const { deps, clock } = fakeDeps(server, { random: 0.5 });

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result.kind).toBe('applied');
    // 400, 800, 1600, 3200 ms, then capped at the 5 s wait; random 0.5 → 3/4 of each.
    expect(clock.sleeps).toEqual([300, 600, 1200, 2400, 3750, 3750, 3750]);
  });

  it('reports a conflict with where the card is now', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, accepted())
      .on('GET', POLL, ok(moveView('conflict', { current: { status: 'in_progress', version: 2 } })));
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'canceled' });

    expect(result).toMatchObject({ kind: 'conflict', current: { status: 'in_progress', version: 2 } });
    expect(server.requests('POST', SUBMIT)).toHaveLength(1);
  });

  it('reports a rejected transition with the allowed columns', async () => {
    const server = new FakeServer().on('POST', SUBMIT, accepted()).on(
      'GET',
      POLL,
      ok(
        moveView('rejected', {
          reason: 'invalid_transition',
          allowed: ['in_progress', 'no_show', 'canceled'],
          current: { status: 'scheduled', version: 1 },
        }),
      ),
    );
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'ready' });

    expect(result).toMatchObject({
      kind: 'rejected',
      reason: 'invalid_transition',
      allowed: ['in_progress', 'no_show', 'canceled'],
    });
  });

  it('takes an already decided move from the submit answer without polling', async () => {
    const server = new FakeServer().on('POST', SUBMIT, ok(moveView('applied', { version: 5, noop: true })));
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'applied', version: 5, noop: true });
    expect(server.requests('GET', POLL)).toHaveLength(0);
  });

  it('re-POSTs after a 503, then long-polls a pending move past the old 45 s budget until it applies, with one move_id and no error', async () => {
    const server = new FakeServer();
    const { deps, clock } = fakeDeps(server);
    server
      .on('POST', SUBMIT, (call) => queueUnavailable(call.body.move_id), accepted())
      .on(
        'GET',
        POLL,
        ...times(12, () => heldFor(clock, 5000, ok(moveView('pending')))),
        ok(moveView('applied', { version: 2 })),
      );
    const { phases, onPhase } = recordPhases();

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' }, onPhase);

    expect(result).toMatchObject({ kind: 'applied', version: 2, attempts: 2 });
    expect(result.ms).toBeGreaterThan(OLD_BUDGET_MS);
    const posted = server.requests('POST', SUBMIT).map((c) => c.body);
    expect(posted).toHaveLength(2);
    expect(posted[1]).toEqual(posted[0]);
    expect(posted[0].move_id).toBe(result.moveId);
    const polled = new Set(server.requests('GET', POLL).map((c) => c.path));
    expect([...polled]).toEqual([`/api/admin/moves/${result.moveId}`]);
    expect(phases.map((p) => p.phase)).toEqual(['pending', 'retrying', 'pending']);
    // Retry-After: 1 outweighs the first backoff step (300 ms).
    expect(clock.sleeps).toEqual([1000]);
  });

  it('retries network errors on the submit and on the polls with the same move_id (fault injected at fetch: connection failure)', async () => {
    const server = new FakeServer();
    const { deps, clock } = fakeDeps(server, { random: 0.5 });
    server
      .on('POST', SUBMIT, networkError(), networkError(), accepted())
      .on(
        'GET',
        POLL,
        networkError(),
        fail(502, 'bad_gateway'),
        heldFor(clock, 5000, ok(moveView('pending'))),
        networkError(),
        ok(moveView('applied', { version: 2 })),
      );
    const { phases, onPhase } = recordPhases();

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' }, onPhase);

    expect(result).toMatchObject({ kind: 'applied', attempts: 3 });
    const ids = server.requests('POST', SUBMIT).map((c) => c.body.move_id);
    expect(ids).toEqual([result.moveId, result.moveId, result.moveId]);
    expect(server.requests('GET', POLL).every((c) => c.path.endsWith(result.moveId))).toBe(true);
    // Submit: 400, 800 ms; polls: 400, 800 ms, then a good answer starts the backoff over.
    expect(clock.sleeps).toEqual([300, 600, 300, 600, 300]);
    expect(phases.filter((p) => p.phase === 'retrying')).toEqual([
      { phase: 'retrying', delayMs: 300, reason: 'the server could not be reached' },
      { phase: 'retrying', delayMs: 600, reason: 'the server could not be reached' },
      { phase: 'retrying', delayMs: 300, reason: 'the server could not be reached' },
      { phase: 'retrying', delayMs: 600, reason: 'the server is busy (HTTP 502)' },
      { phase: 'retrying', delayMs: 300, reason: 'the server could not be reached' },
    ]);
  });

  it('waits at least as long as a 429 Retry-After says, on the submit and on a poll', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, fail(429, 'too_many_requests', 'slow down', { 'retry-after': '7' }), accepted())
      .on(
        'GET',
        POLL,
        fail(429, 'too_many_requests', 'slow down', { 'retry-after': '3' }),
        ok(moveView('applied', { version: 2 })),
      );
    const { deps, clock } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result.kind).toBe('applied');
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(7000);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(3000);
  });

  it('keeps re-POSTing a failing submit with a capped backoff, and never gives up by itself', async () => {
    const server = new FakeServer().on(
      'POST',
      SUBMIT,
      ...times(30, () => fail(500, 'internal_error', 'internal error')),
      ok(moveView('applied', { version: 2 })),
    );
    const { deps, clock } = fakeDeps(server, { random: 0.999 });

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'applied', attempts: 31 });
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(DEFAULT_POLICY.maxDelayMs);
    expect(clock.sleeps.at(-1)).toBeGreaterThanOrEqual(DEFAULT_POLICY.maxDelayMs / 2);
    expect(new Set(server.requests('POST', SUBMIT).map((c) => c.body.move_id)).size).toBe(1);
  });

  it.each(['processing_failed', 'undeliverable', 'dead_lettered'])(
    'ends with a decided failed (%s) and its reason, without sending the move again',
    async (reason) => {
      const server = new FakeServer()
        .on('POST', SUBMIT, accepted())
        .on('GET', POLL, ok(moveView('pending')), ok(moveView('failed', { reason })));
      const { deps } = fakeDeps(server);

      const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

      expect(result).toMatchObject({ kind: 'failed', reason, attempts: 1 });
      expect(server.requests('POST', SUBMIT)).toHaveLength(1);
    },
  );

  it('takes a failed move from the submit answer as final', async () => {
    const server = new FakeServer().on('POST', SUBMIT, ok(moveView('failed', { reason: 'undeliverable' })));
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'failed', reason: 'undeliverable', attempts: 1 });
    expect(server.calls).toHaveLength(1);
  });

  it.each([
    [409, 'idempotency_key_reused'],
    [400, 'validation_error'],
    [422, 'unprocessable'],
  ])('takes a %i %s on the submit as a final answer', async (status, code) => {
    const server = new FakeServer().on(
      'POST',
      SUBMIT,
      fail(status, code, `the request was refused: ${code}`),
    );
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'error', attempts: 1, message: `the request was refused: ${code}` });
    expect(server.calls).toHaveLength(1);
  });

  it('reports a card that no longer exists (404 on the submit) as rejected not_found', async () => {
    const server = new FakeServer().on('POST', SUBMIT, fail(404, 'not_found', 'no appointment with id a1'));
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'rejected', reason: 'not_found', attempts: 1 });
  });

  it('takes a 4xx on a poll as a final answer', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, accepted())
      .on('GET', POLL, fail(400, 'validation_error', 'wait_ms: too big'));
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'error', message: 'wait_ms: too big' });
    expect(server.requests('GET', POLL)).toHaveLength(1);
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 0, 200],
    [1, 0.999, 400],
    [2, 0, 400],
    [2, 0.999, 800],
    [5, 0.5, 4800],
    [6, 0.5, 7500],
    [40, 0, 5000],
  ])('retry %i with jitter %d waits %i ms', (retry, random, expected) => {
    expect(backoffDelay(retry, DEFAULT_POLICY, () => random)).toBe(expected);
  });

  it('honours Retry-After over the backoff, up to maxRetryAfterMs', () => {
    expect(backoffDelay(1, DEFAULT_POLICY, () => 0, 30_000)).toBe(30_000);
    expect(backoffDelay(1, DEFAULT_POLICY, () => 0, 3_600_000)).toBe(DEFAULT_POLICY.maxRetryAfterMs);
  });
});

describe('MoveCoordinator', () => {
  function pendingThenApplied() {
    let release: () => void = () => undefined;
    const decided = new Promise<void>((resolve) => (release = resolve));
    const server = new FakeServer()
      .on('POST', SUBMIT, accepted())
      .on('GET', POLL, ok(moveView('applied', { version: 2 })));
    const gatedFetch: typeof server.fetch = async (input, init) => {
      if (input.startsWith(POLL)) await decided;
      return server.fetch(input, init);
    };
    return { server, gatedFetch, release };
  }

  it('locks a card while its move is in flight and refuses a second move until it settles', async () => {
    const { server, gatedFetch, release } = pendingThenApplied();
    const coordinator = new MoveCoordinator(fakeDeps(server, { fetch: gatedFetch }).deps);
    const card = aCard();

    const first = coordinator.start(card, 'in_progress');
    const second = coordinator.start(card, 'canceled');

    expect(first.started).toBe(true);
    expect(second).toEqual({ started: false, reason: 'locked' });
    expect(coordinator.isLocked('a1')).toBe(true);
    expect(coordinator.getSnapshot().inFlight.get('a1')).toMatchObject({ to: 'in_progress' });

    release();
    const result = first.started ? await first.done : undefined;

    expect(result).toMatchObject({ kind: 'applied', version: 2 });
    expect(coordinator.isLocked('a1')).toBe(false);
    expect(coordinator.getSnapshot().known.get('a1')).toMatchObject({ status: 'in_progress', version: 2 });
    expect(server.requests('POST', SUBMIT)).toHaveLength(1);
  });

  it('keeps a move pending past the old 45 s budget locked and says it is still moving, until it applies', async () => {
    const server = new FakeServer();
    const { deps, clock } = fakeDeps(server);
    const coordinator = new MoveCoordinator(deps);
    // What the card shows as each long poll goes out.
    const atPoll: Array<{ at: number; locked: boolean; text: string | undefined }> = [];
    const watchedPoll = (): Reply => () => {
      const move = coordinator.getSnapshot().inFlight.get('a1');
      atPoll.push({ at: clock.now, locked: coordinator.isLocked('a1'), text: move && movingText(move) });
      clock.advance(5000);
      return ok(moveView('pending'));
    };
    server
      .on('POST', SUBMIT, accepted())
      .on('GET', POLL, ...times(12, watchedPoll), ok(moveView('applied', { version: 2 })));

    const started = coordinator.start(aCard(), 'in_progress');
    const result = started.started ? await started.done : undefined;

    expect(atPoll[0]).toEqual({ at: 0, locked: true, text: 'Moving to In progress…' });
    expect(atPoll[1]).toEqual({ at: 5000, locked: true, text: 'Still moving to In progress…' });
    expect(atPoll.at(-1)).toEqual({ at: 55_000, locked: true, text: 'Still moving to In progress…' });
    expect(atPoll.at(-1)?.at).toBeGreaterThan(OLD_BUDGET_MS);
    expect(result).toMatchObject({ kind: 'applied', version: 2, ms: 60_000 });
    expect(server.requests('GET', POLL)).toHaveLength(13);
    expect(server.requests('POST', SUBMIT)).toHaveLength(1);
    expect(coordinator.isLocked('a1')).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never says "still moving" about a move decided before the threshold', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, accepted())
      .on('GET', POLL, ok(moveView('applied', { version: 2 })));
    const { deps, clock } = fakeDeps(server);
    const coordinator = new MoveCoordinator(deps);
    const stillWorking: boolean[] = [];
    coordinator.subscribe(() => {
      const move = coordinator.getSnapshot().inFlight.get('a1');
      if (move) stillWorking.push(move.stillWorking);
    });

    const started = coordinator.start(aCard(), 'in_progress');
    if (started.started) await started.done;
    clock.advance(DEFAULT_POLICY.stillWorkingAfterMs * 2);

    expect(stillWorking.length).toBeGreaterThan(0);
    expect(stillWorking.every((s) => !s)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('tells its subscribers about every change', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, accepted())
      .on('GET', POLL, ok(moveView('applied', { version: 2 })));
    const { deps } = fakeDeps(server);
    const coordinator = new MoveCoordinator(deps);
    const seen: number[] = [];
    coordinator.subscribe(() => seen.push(coordinator.getSnapshot().inFlight.size));

    const started = coordinator.start(aCard(), 'in_progress');
    if (started.started) await started.done;

    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(0);
  });

  it('refuses a move the status rules forbid without asking the server', () => {
    const server = new FakeServer();
    const coordinator = new MoveCoordinator(fakeDeps(server).deps);

    expect(coordinator.start(aCard(), 'ready')).toEqual({
      started: false,
      reason: 'not_allowed',
      allowed: ['in_progress', 'no_show', 'canceled'],
    });
    expect(coordinator.start(aCard(), 'scheduled')).toEqual({ started: false, reason: 'same_column' });
    expect(server.calls).toHaveLength(0);
  });

  it('remembers where a conflict says the card is, and counts the conflict against the moves', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, accepted(), accepted())
      .on(
        'GET',
        POLL,
        ok(moveView('conflict', { current: { status: 'in_progress', version: 2 } })),
        ok(moveView('applied', { version: 3 })),
      );
    const { deps } = fakeDeps(server);
    const coordinator = new MoveCoordinator(deps);

    const first = coordinator.start(aCard(), 'canceled');
    if (first.started) await first.done;
    expect(coordinator.getSnapshot().known.get('a1')).toMatchObject({ status: 'in_progress', version: 2 });
    const second = coordinator.start(aCard({ status: 'in_progress', version: 2 }), 'ready');
    if (second.started) await second.done;

    expect(coordinator.getSnapshot().telemetry).toMatchObject({ moves: 2, conflicts: 1, conflictRate: 0.5 });
    expect(coordinator.getSnapshot().known.get('a1')).toMatchObject({ status: 'ready', version: 3 });
  });

  it('counts a decided failed move in the telemetry but not a request the server refused', async () => {
    const server = new FakeServer()
      .on(
        'POST',
        SUBMIT,
        ok(moveView('failed', { reason: 'undeliverable' })),
        fail(422, 'unprocessable', 'unknown status name'),
      )
      .on('GET', POLL);
    const { deps } = fakeDeps(server);
    const coordinator = new MoveCoordinator(deps);

    const first = coordinator.start(aCard(), 'in_progress');
    if (first.started) await first.done;
    const second = coordinator.start(aCard(), 'in_progress');
    if (second.started) await second.done;

    expect(coordinator.getSnapshot().telemetry).toMatchObject({ moves: 1, conflicts: 0 });
    expect(coordinator.getSnapshot().known.has('a1')).toBe(false);
    expect(coordinator.isLocked('a1')).toBe(false);
  });
});
