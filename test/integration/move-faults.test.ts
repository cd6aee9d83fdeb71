/**
 * The move promise under faults, against DynamoDB Local and the SQS emulator through the real
 * handlers: every move answered 202 is decided (applied, conflict, rejected or failed) exactly once,
 * and the client can learn which. Each fault is injected at the SDK and named in the test.
 */
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { newMoveRecord } from '../../domain/move';
import { createSweeper } from '../../handlers/sweeper';
import { moveMessage } from '../../infra/sqs-move-queue';
import { injectFault, injectLostResponses, mentions } from '../support/fault-injection';
import {
  awaitOutcome,
  createCard,
  receive,
  sendRaw,
  submit,
  submitUntilAnswered,
  versionChain,
} from '../support/move-helpers';
import { eventually, startTestApp, type TestApp } from '../support/test-app';

const PATH = ['in_progress', 'ready', 'completed'] as const;
const FROM = ['scheduled', 'in_progress', 'ready'] as const;

let app: TestApp;
beforeAll(async () => {
  // Sweeper timings at test scale; the sweeper is run by hand so each test says when it runs. The
  // worker's timeout is the visibility timeout (2 s): a busy CI machine must not time it out.
  app = await startTestApp({
    visibilityTimeoutSeconds: 2,
    config: { SWEEP_AFTER_SECONDS: 1, SWEEP_GIVE_UP_SECONDS: 12 },
  });
});
afterAll(async () => {
  await app.stop();
});

const sweep = () => createSweeper(() => app.container)();
const moveOf = async (moveId: string) => (await app.request('GET', `/api/admin/moves/${moveId}`)).body.data;
const cardOf = async (id: string) => (await app.request('GET', `/api/admin/appointments/${id}`)).body.data;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the move queue has nothing left to hand out (every copy consumed). */
async function queueDrained(): Promise<void> {
  await eventually(async () => {
    const attrs = await app.container.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: app.config.MOVE_QUEUE_URL,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const a = attrs.Attributes ?? {};
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) === 0
      ? true
      : undefined;
  }, 20_000);
}

it('decides every move exactly once when a third of the SendMessage responses are lost after SQS accepted them (fault injected at the SDK: response lost after the send)', async () => {
  const cards = await Promise.all(Array.from({ length: 6 }, (_, i) => createCard(app, '2026-07-01', 8 + i)));
  let calls = 0;
  const fault = injectLostResponses(
    app.container.sqs,
    (cmd) => cmd === 'SendMessageCommand',
    () => ++calls % 3 === 0,
  );
  const outcomes = new Map<string, any[]>();
  try {
    await Promise.all(
      cards.map(async (card) => {
        const list: any[] = [];
        for (let step = 0; step < PATH.length; step++) {
          const body = {
            move_id: randomUUID(),
            to_status: PATH[step],
            from_status: FROM[step],
            expected_version: step + 1,
          };
          const { res } = await submitUntilAnswered(app, card.id, body);
          expect([200, 202]).toContain(res.status);
          list.push(await awaitOutcome(app, body.move_id, 30_000));
        }
        outcomes.set(card.id, list);
      }),
    );
  } finally {
    fault.remove();
  }

  expect(fault.lost()).toBeGreaterThan(0);
  for (const card of cards) {
    const list = outcomes.get(card.id) ?? [];
    expect(list.map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);
    expect(versionChain(list)).toEqual([2, 3, 4]);
  }
  // Extra copies (the lost sends were delivered, and re-POSTs sent more) change nothing.
  await queueDrained();
  for (const card of cards) expect(await cardOf(card.id)).toMatchObject({ status: 'completed', version: 4 });
  expect(await receive(app, app.config.DLQ_URL, 0)).toEqual([]);
});

it('keeps moves pending while every send is refused, answers 503 saying so, and the sweeper delivers them once the queue is back (fault injected at the SDK: SendMessage refused)', async () => {
  const cards = await Promise.all([1, 2, 3].map((h) => createCard(app, '2026-07-02', h)));
  const refuse = injectFault(
    app.container.sqs,
    (cmd) => cmd === 'SendMessageCommand',
    () => Object.assign(new Error('injected: queue unavailable'), { name: 'ServiceUnavailable' }),
  );
  const moveIds: string[] = [];
  try {
    for (const card of cards) {
      const body = { move_id: randomUUID(), to_status: 'in_progress', expected_version: 1 };
      const res = await submit(app, card.id, body);
      expect(res.status).toBe(503);
      expect(res.body.error.details).toEqual({ move_id: body.move_id, status: 'pending' });
      moveIds.push(body.move_id);
    }
    for (const id of moveIds) expect(await moveOf(id)).toMatchObject({ status: 'pending' });
  } finally {
    refuse();
  }

  await sleep(1_100); // SWEEP_AFTER_SECONDS
  expect(await sweep()).toMatchObject({ resent: 3, gaveUp: 0 });

  for (const [i, id] of moveIds.entries()) {
    expect(await awaitOutcome(app, id, 30_000)).toMatchObject({ status: 'applied', version: 2 });
    expect(await cardOf(cards[i]!.id)).toMatchObject({ status: 'in_progress', version: 2 });
  }
});

it('settles a move no send ever reaches as failed (undeliverable) at the give-up time, and its long-polling client learns it (fault injected at the SDK: SendMessage refused)', async () => {
  const card = await createCard(app, '2026-07-03', 9);
  const body = { move_id: randomUUID(), to_status: 'in_progress', expected_version: 1 };
  const refuse = injectFault(
    app.container.sqs,
    (cmd, input) => cmd === 'SendMessageCommand' && mentions(body.move_id)(cmd, input),
    () => Object.assign(new Error('injected: queue unavailable'), { name: 'ServiceUnavailable' }),
  );
  try {
    expect((await submit(app, card.id, body)).status).toBe(503);
    const polling = awaitOutcome(app, body.move_id, 30_000);
    // The scheduled sweeper, every 500 ms, until the give-up time (12 s) has passed.
    const deadline = Date.now() + 13_500;
    while (Date.now() < deadline) {
      await sweep();
      await sleep(500);
    }
    const outcome = await polling;
    expect(outcome).toMatchObject({ status: 'failed', reason: 'undeliverable', move_id: body.move_id });
    expect(Date.parse(outcome.decided_at) - Date.parse(outcome.submitted_at)).toBeGreaterThanOrEqual(12_000);
  } finally {
    refuse();
  }
  expect(await cardOf(card.id)).toMatchObject({ status: 'scheduled', version: 1 });
  // Decided once: a re-POST now returns the failed move and sends nothing.
  const again = await submit(app, card.id, body);
  expect(again.status).toBe(200);
  expect(again.body.data).toMatchObject({ status: 'failed', reason: 'undeliverable' });
});

it('settles a move whose transaction fails on every delivery as failed (processing_failed) on its last one, and decides the moves of its card behind it and of other cards (fault injected at the SDK: TransactWriteItems fails for one move)', async () => {
  const [a, b] = await Promise.all([createCard(app, '2026-07-04', 9), createCard(app, '2026-07-04', 10)]);
  const poisoned = { move_id: randomUUID(), to_status: 'in_progress', expected_version: 1 };
  const behind1 = { move_id: randomUUID(), to_status: 'no_show', expected_version: 1 };
  const behind2 = {
    move_id: randomUUID(),
    to_status: 'scheduled',
    from_status: 'no_show',
    expected_version: 2,
  };
  const other = { move_id: randomUUID(), to_status: 'in_progress', expected_version: 1 };
  let injected = 0;
  const fault = injectFault(
    app.container.doc,
    // The worker's transaction (the one with the history entry), not the submit's.
    (cmd, input) =>
      /^TransactWrite(Items)?Command$/.test(cmd) &&
      mentions(poisoned.move_id)(cmd, input) &&
      mentions('HIST#')(cmd, input),
    () => {
      injected += 1;
      return Object.assign(new Error('injected: internal server error'), { name: 'InternalServerError' });
    },
  );
  try {
    for (const [card, body] of [
      [a, poisoned],
      [a, behind1],
      [a, behind2],
      [b, other],
    ] as const) {
      expect((await submit(app, card.id, body)).status).toBe(202);
    }
    const decided = await Promise.all(
      [poisoned, behind1, behind2, other].map((m) => awaitOutcome(app, m.move_id, 45_000)),
    );

    expect(decided.map((o) => [o.status, o.reason ?? o.version])).toEqual([
      ['failed', 'processing_failed'],
      ['applied', 2],
      ['applied', 3],
      ['applied', 2],
    ]);
  } finally {
    fault();
  }
  // Two attempts (one in-process retry) on each of the queue's 5 allowed deliveries.
  expect(injected).toBe(2 * app.config.MAX_RECEIVE_COUNT);
  expect(await cardOf(a.id)).toMatchObject({ status: 'scheduled', version: 3 });
  await queueDrained();
  expect(await receive(app, app.config.DLQ_URL, 0)).toEqual([]);
});

it("answers a re-POST after a 500 between recording and sending with 202, sends the move, and it is decided (fault injected at the SDK: the submit's transaction took effect and its response was lost)", async () => {
  const card = await createCard(app, '2026-07-05', 9);
  const body = { move_id: randomUUID(), to_status: 'in_progress', expected_version: 1 };
  let lost = 0;
  const lostResponses = injectLostResponses(
    app.container.doc,
    (cmd, input) =>
      /^TransactWrite(Items)?Command$/.test(cmd) &&
      mentions('ConditionCheck')(cmd, input) &&
      mentions(body.move_id)(cmd, input),
    () => lost++ === 0,
  );
  const fault = () => lostResponses.remove();
  try {
    const first = await submit(app, card.id, body);
    expect(first.status).toBe(500);
    expect(await moveOf(body.move_id)).toMatchObject({ status: 'pending' });

    const again = await submit(app, card.id, body);
    expect(again.status).toBe(202);
  } finally {
    fault();
  }
  expect(await awaitOutcome(app, body.move_id, 30_000)).toMatchObject({ status: 'applied', version: 2 });
});

it('decides a move left pending by a crash between recording and sending through the sweeper alone (fault: the process died before SendMessage)', async () => {
  const card = await createCard(app, '2026-07-06', 9);
  const moveId = randomUUID();
  // What a crashed submit leaves behind: the pending record, no message.
  await app.container.moves.recordPendingMove(
    newMoveRecord(
      { move_id: moveId, appointment_id: card.id, to_status: 'in_progress', expected_version: 1 },
      new Date().toISOString(),
      app.container.moveTimings,
    ),
  );
  expect(await moveOf(moveId)).toMatchObject({ status: 'pending' });

  await sleep(1_100);
  expect(await sweep()).toMatchObject({ resent: 1 });

  expect(await awaitOutcome(app, moveId, 30_000)).toMatchObject({ status: 'applied', version: 2 });
});

it('acknowledges a redelivered copy of a settled move and changes nothing (fault: a duplicate delivery under a new deduplication id)', async () => {
  const card = await createCard(app, '2026-07-07', 9);
  const res = await submit(app, card.id, { to_status: 'in_progress', expected_version: 1 });
  const settled = await awaitOutcome(app, res.body.data.move_id, 30_000);
  expect(settled).toMatchObject({ status: 'applied', version: 2 });
  const stored = await app.container.moves.getMove(settled.move_id, true);

  await sendRaw(app, JSON.stringify(moveMessage(stored!)), card.id, `${settled.move_id}.copy`);
  await queueDrained();

  expect(await moveOf(settled.move_id)).toEqual(settled);
  expect(await cardOf(card.id)).toMatchObject({ status: 'in_progress', version: 2 });
});
