/**
 * The board page's move state machine, with the API faked at the fetch boundary: a card's move
 * goes pending → applied / conflict / rejected, retries failures with the same move_id at most
 * twice, and the coordinator locks the card and keeps the telemetry.
 */
import {
  DEFAULT_POLICY,
  MoveCoordinator,
  backoffDelay,
  runMove,
  type MovePhase,
} from '../../web/src/move-machine';
import { FakeServer, aCard, fail, fakeDeps, moveView, ok } from './support/fake-api';

const SUBMIT = '/api/admin/appointments/a1/move';
const POLL = '/api/admin/moves/';

function recordPhases() {
  const phases: MovePhase[] = [];
  return { phases, onPhase: (p: MovePhase) => phases.push(p) };
}

describe('runMove', () => {
  it('submits the move with its own move_id, long-polls with wait_ms and settles applied with the new version', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202))
      .on('GET', POLL, ok(moveView('applied', { version: 2 })));
    const { deps } = fakeDeps(server);
    const { phases, onPhase } = recordPhases();

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' }, onPhase);

    expect(result).toMatchObject({ kind: 'applied', version: 2, noop: false, attempts: 1 });
    expect(phases).toEqual([{ phase: 'pending', attempt: 1 }]);
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

  it('keeps polling while the move is still pending', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202))
      .on('GET', POLL, ok(moveView('pending')), ok(moveView('applied', { version: 2 })));
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result.kind).toBe('applied');
    expect(server.requests('GET', POLL)).toHaveLength(2);
  });

  it('reports a conflict with where the card is now', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202))
      .on('GET', POLL, ok(moveView('conflict', { current: { status: 'in_progress', version: 2 } })));
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'canceled' });

    expect(result).toMatchObject({ kind: 'conflict', current: { status: 'in_progress', version: 2 } });
    expect(server.requests('POST', SUBMIT)).toHaveLength(1);
  });

  it('reports a rejected transition with the allowed columns', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202))
      .on(
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

  it('retries a 5xx and a network error with backoff, reusing the same move_id', async () => {
    const server = new FakeServer()
      .on(
        'POST',
        SUBMIT,
        fail(503, 'service_unavailable', 'the move queue is unavailable; try again'),
        { networkError: 'Failed to fetch' },
        ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202),
      )
      .on('GET', POLL, ok(moveView('applied', { version: 2 })));
    const { deps, clock } = fakeDeps(server, { random: 0.5 });
    const { phases, onPhase } = recordPhases();

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' }, onPhase);

    expect(result).toMatchObject({ kind: 'applied', attempts: 3 });
    const ids = server.requests('POST', SUBMIT).map((c) => c.body.move_id);
    expect(ids).toEqual([result.moveId, result.moveId, result.moveId]);
    // 400 ms then 800 ms, each with half its length jittered (random 0.5 → 3/4 of it).
    expect(clock.sleeps).toEqual([300, 600]);
    expect(phases.map((p) => p.phase)).toEqual(['pending', 'retrying', 'pending', 'retrying', 'pending']);
    expect(phases[1]).toMatchObject({ reason: 'the server failed (HTTP 503)' });
    expect(phases[3]).toMatchObject({ reason: 'the server could not be reached' });
    expect(result.ms).toBe(900);
  });

  it('waits at least as long as Retry-After says', async () => {
    const server = new FakeServer()
      .on(
        'POST',
        SUBMIT,
        fail(503, 'service_unavailable', 'busy', { 'retry-after': '1' }),
        ok(moveView('applied')),
      )
      .on('GET', POLL);
    const { deps, clock } = fakeDeps(server);

    await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(clock.sleeps).toEqual([1000]);
  });

  it('retries a move that came back failed with the same move_id', async () => {
    const server = new FakeServer()
      .on(
        'POST',
        SUBMIT,
        ok(moveView('failed', { reason: 'queue_unavailable' })),
        ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202),
      )
      .on('GET', POLL, ok(moveView('applied', { version: 2 })));
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'applied', attempts: 2 });
    const [first, second] = server.requests('POST', SUBMIT);
    expect(second?.body).toEqual(first?.body);
  });

  it('gives up with a clear error after two retries', async () => {
    const server = new FakeServer().on(
      'POST',
      SUBMIT,
      fail(500, 'internal_error', 'internal error'),
      fail(502, 'bad_gateway'),
      { networkError: 'Failed to fetch' },
    );
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({
      kind: 'error',
      attempts: 3,
      message: 'the server could not be reached; tried 3 times',
    });
    expect(server.requests('POST', SUBMIT)).toHaveLength(3);
  });

  it('re-submits a move that stays pending past the attempt timeout, then settles', async () => {
    const policy = { ...DEFAULT_POLICY, pollWaitMs: 5000, attemptTimeoutMs: 10_000 };
    const server = new FakeServer();
    const { deps, clock } = fakeDeps(server);
    const longPoll = (status: string) => () => {
      clock.now += 5000;
      return ok(moveView(status, status === 'applied' ? { version: 2 } : {}));
    };
    server
      .on(
        'POST',
        SUBMIT,
        ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202),
        ok(moveView('pending')),
      )
      .on('GET', POLL, longPoll('pending'), longPoll('pending'), longPoll('applied'));

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' }, undefined, policy);

    expect(result).toMatchObject({ kind: 'applied', attempts: 2 });
    expect(server.requests('POST', SUBMIT)).toHaveLength(2);
  });

  it.each([
    [409, 'idempotency_key_reused'],
    [400, 'validation_error'],
    [422, 'unprocessable'],
  ])('does not retry a %i %s', async (status, code) => {
    const server = new FakeServer().on(
      'POST',
      SUBMIT,
      fail(status, code, `the request was refused: ${code}`),
    );
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'error', attempts: 1, message: `the request was refused: ${code}` });
  });

  it('reports a card that no longer exists as rejected not_found', async () => {
    const server = new FakeServer().on('POST', SUBMIT, fail(404, 'not_found', 'no appointment with id a1'));
    const { deps } = fakeDeps(server);

    const result = await runMove(deps, { card: aCard(), to: 'in_progress' });

    expect(result).toMatchObject({ kind: 'rejected', reason: 'not_found', attempts: 1 });
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 0, 200],
    [1, 0.999, 400],
    [2, 0, 400],
    [2, 0.999, 800],
    [5, 0.5, 3000],
  ])('retry %i with jitter %d waits %i ms', (retry, random, expected) => {
    expect(backoffDelay(retry, DEFAULT_POLICY, () => random)).toBe(expected);
  });

  it('never waits longer than maxDelayMs, whatever Retry-After says', () => {
    expect(backoffDelay(1, DEFAULT_POLICY, () => 0, 60_000)).toBe(DEFAULT_POLICY.maxDelayMs);
  });
});

describe('MoveCoordinator', () => {
  function pendingThenApplied() {
    let release: () => void = () => undefined;
    const decided = new Promise<void>((resolve) => (release = resolve));
    const server = new FakeServer()
      .on('POST', SUBMIT, ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202))
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

  it('tells its subscribers about every change', async () => {
    const server = new FakeServer()
      .on('POST', SUBMIT, ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202))
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
      .on(
        'POST',
        SUBMIT,
        ok({ move_id: 'x', appointment_id: 'a1', status: 'pending' }, 202),
        ok({ move_id: 'y', appointment_id: 'a1', status: 'pending' }, 202),
      )
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
});
