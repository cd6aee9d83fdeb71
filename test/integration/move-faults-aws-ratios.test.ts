/**
 * The move promise at AWS's ratios, scaled down 30× (visibility 3 s, function timeout 0.5 s, re-send
 * after 2 s, sweeper every 2 s, give-up 30 s, 5 receives), with the local event source mapping
 * enforcing the function timeout as Lambda does. The fault here is the one the worker cannot
 * handle itself: an invocation that times out, on every delivery, so its whole batch fails, the
 * message reaches the DLQ and only the sweeper can still decide the move.
 */
import { randomUUID } from 'node:crypto';
import { deriveLocalTimings } from '../../local/local-timings';
import { mentions } from '../support/fault-injection';
import { awaitOutcome, createCard, receive, submit } from '../support/move-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

const TIMINGS = deriveLocalTimings({ VISIBILITY_TIMEOUT_SECONDS: 3 });

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    visibilityTimeoutSeconds: TIMINGS.VISIBILITY_TIMEOUT_SECONDS,
    workerTimeoutSeconds: TIMINGS.WORKER_TIMEOUT_SECONDS,
    sweepIntervalMs: TIMINGS.SWEEP_INTERVAL_MS,
    config: {
      SWEEP_AFTER_SECONDS: TIMINGS.SWEEP_AFTER_SECONDS,
      SWEEP_GIVE_UP_SECONDS: TIMINGS.SWEEP_GIVE_UP_SECONDS,
      MAX_RECEIVE_COUNT: TIMINGS.MAX_RECEIVE_COUNT,
    },
  });
});
afterAll(async () => {
  await app.stop();
});

it('uses timings in AWS proportions (90 s : 15 s : 60 s : 60 s : 900 s, 5 receives)', () => {
  expect(TIMINGS).toEqual({
    VISIBILITY_TIMEOUT_SECONDS: 3,
    WORKER_TIMEOUT_SECONDS: 0.5,
    SWEEP_AFTER_SECONDS: 2,
    SWEEP_INTERVAL_MS: 2000,
    SWEEP_GIVE_UP_SECONDS: 30,
    MAX_RECEIVE_COUNT: 5,
  });
});

it('settles a move whose every delivery times out the worker as failed (undeliverable) by the give-up time, and decides the move of another card that shared its batches (fault injected at the SDK: TransactWriteItems hangs past the function timeout)', async () => {
  const [stuck, innocent] = await Promise.all([
    createCard(app, '2026-08-01', 9),
    createCard(app, '2026-08-01', 10),
  ]);
  const hanging = { move_id: randomUUID(), to_status: 'in_progress', expected_version: 1 };
  const other = { move_id: randomUUID(), to_status: 'in_progress', expected_version: 1 };
  let hangs = 0;
  const removeHang = injectHang(app, hanging.move_id, 1_500, () => {
    hangs += 1;
  });
  try {
    const started = Date.now();
    expect((await submit(app, stuck.id, hanging)).status).toBe(202);
    expect((await submit(app, innocent.id, other)).status).toBe(202);

    const [stuckOutcome, otherOutcome] = await Promise.all([
      awaitOutcome(app, hanging.move_id, 60_000),
      awaitOutcome(app, other.move_id, 60_000),
    ]);

    expect(otherOutcome).toMatchObject({ status: 'applied', version: 2 });
    expect(stuckOutcome).toMatchObject({ status: 'failed', reason: 'undeliverable' });
    const decidedAfterMs = Date.parse(stuckOutcome.decided_at) - Date.parse(stuckOutcome.submitted_at);
    // The promise's bound: the give-up time plus one sweep interval (and a little for the sweep itself).
    expect(decidedAfterMs).toBeGreaterThanOrEqual(TIMINGS.SWEEP_GIVE_UP_SECONDS * 1000);
    expect(Date.now() - started).toBeLessThan(
      (TIMINGS.SWEEP_GIVE_UP_SECONDS + TIMINGS.SWEEP_INTERVAL_MS / 1000 + 5) * 1000,
    );
    expect(hangs).toBeGreaterThanOrEqual(TIMINGS.MAX_RECEIVE_COUNT);
  } finally {
    removeHang();
  }
  expect((await app.request('GET', `/api/admin/appointments/${stuck.id}`)).body.data).toMatchObject({
    status: 'scheduled',
    version: 1,
  });
  // What timed out on every delivery went to the DLQ; its move is decided all the same.
  const dead = await receive(app, app.config.DLQ_URL, 0);
  expect(dead.map((m) => JSON.parse(m.Body ?? '{}').move_id)).toContain(hanging.move_id);
}, 90_000);

/**
 * Every worker's TransactWriteItems naming `moveId` (the one with the history entry, not the
 * submit's) hangs for `ms` (longer than the function timeout), then fails: a call that never
 * answers in time, as a wedged connection would.
 */
function injectHang(target: TestApp, moveId: string, ms: number, onHang: () => void): () => void {
  const name = `test-hang-${moveId}`;
  target.container.doc.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      if (
        /^TransactWrite(Items)?Command$/.test(String(context.commandName)) &&
        mentions(moveId)('', args.input) &&
        mentions('HIST#')('', args.input)
      ) {
        onHang();
        await new Promise((r) => setTimeout(r, ms));
        throw Object.assign(new Error('injected: the call never answered'), { name: 'TimeoutError' });
      }
      return next(args);
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return () => {
    target.container.doc.middlewareStack.remove(name);
  };
}
