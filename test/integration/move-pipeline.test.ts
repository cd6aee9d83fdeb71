/**
 * The move pipeline against DynamoDB Local and the SQS emulator, through the real handlers:
 * submit → moves.fifo → worker → outcome, with the local event source mapping or by hand.
 */
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { createMoveWorker } from '../../handlers/move-worker';
import { sweepPendingMoves } from '../../domain/use-cases/moves';
import { newMoveRecord } from '../../domain/move';
import { startPoller } from '../../local/sqs-poller';
import { moveMessage } from '../../infra/sqs-move-queue';
import { eventually, startTestApp, type TestApp } from '../support/test-app';
import { injectFault, mentions } from '../support/fault-injection';
import {
  acknowledge,
  awaitOutcome,
  createCard,
  deleteMessages,
  move,
  receive,
  sendRaw,
  submit,
  toEvent,
} from '../support/move-helpers';

describe('with the local event source mapping', () => {
  let app: TestApp;
  const metricsFile = join(tmpdir(), `moves-metrics-${process.pid}.log`);
  beforeAll(async () => {
    await rm(metricsFile, { force: true });
    app = await startTestApp({
      config: { METRICS_SINK: 'file', METRICS_FILE: metricsFile, LOG_LEVEL: 'silent' },
    });
  });
  afterAll(async () => {
    await app.stop();
    await rm(metricsFile, { force: true });
  });

  it('accepts a move with 202 and Location, applies it, and shows it on the card and the board', async () => {
    const card = await createCard(app, '2026-06-01', 9);
    const res = await submit(app, card.id, {
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual({
      move_id: expect.any(String),
      appointment_id: card.id,
      status: 'pending',
    });
    expect(res.headers.get('location')).toBe(`/api/admin/moves/${res.body.data.move_id}`);

    const polled = await app.request('GET', `${res.headers.get('location')}?wait_ms=10000`);
    expect(polled.status).toBe(200);
    expect(polled.body.data).toMatchObject({
      move_id: res.body.data.move_id,
      appointment_id: card.id,
      status: 'applied',
      from_status: 'scheduled',
      to_status: 'in_progress',
      expected_version: 1,
      version: 2,
      noop: false,
    });
    expect(polled.body.data.submitted_at <= polled.body.data.decided_at).toBe(true);
    expect(polled.body.data).not.toHaveProperty('request_key');

    const read = await app.request('GET', `/api/admin/appointments/${card.id}`);
    expect(read.body.data).toMatchObject({
      status: 'in_progress',
      version: 2,
      last_move_id: res.body.data.move_id,
    });
    expect(read.body.data.status_entered_at.in_progress).toBe(polled.body.data.decided_at);
    const board = await app.request('GET', '/api/admin/appointments/board?date=2026-06-01');
    const inProgress = board.body.data.columns.in_progress.items.map((i: { id: string }) => i.id);
    expect(inProgress).toContain(card.id);
  });

  it('reports a stale version as a conflict with the current status and version', async () => {
    const card = await createCard(app);
    await move(app, card.id, { to_status: 'in_progress', expected_version: 1, from_status: 'scheduled' });
    const outcome = await move(app, card.id, {
      to_status: 'canceled',
      expected_version: 1,
      from_status: 'scheduled',
    });
    expect(outcome).toMatchObject({ status: 'conflict', current: { status: 'in_progress', version: 2 } });
    const read = await app.request('GET', `/api/admin/appointments/${card.id}`);
    expect(read.body.data).toMatchObject({ status: 'in_progress', version: 2 });
  });

  it('rebases a stale move when only notes changed since', async () => {
    const card = await createCard(app);
    await app.request('PATCH', `/api/admin/appointments/${card.id}`, {
      expected_version: 1,
      notes: 'Customer called',
    });
    const outcome = await move(app, card.id, {
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    expect(outcome).toMatchObject({ status: 'applied', version: 3, rebased: true });
  });

  it('treats a move to the column the card is already in as an applied no-op', async () => {
    const card = await createCard(app);
    const first = await move(app, card.id, {
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    const second = await move(app, card.id, {
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    expect(first).toMatchObject({ status: 'applied', version: 2, noop: false });
    expect(second).toMatchObject({ status: 'applied', version: 2, noop: true });
  });

  it('rejects an illegal transition and says which columns are allowed', async () => {
    const card = await createCard(app);
    const outcome = await move(app, card.id, {
      to_status: 'completed',
      expected_version: 1,
      from_status: 'scheduled',
    });
    expect(outcome).toMatchObject({
      status: 'rejected',
      reason: 'invalid_transition',
      allowed: ['in_progress', 'no_show', 'canceled'],
    });
  });

  it('answers 404 for an unknown appointment or move and 422 for an unknown status name', async () => {
    const unknownCard = await submit(app, 'nope', { to_status: 'ready', expected_version: 1 });
    expect(unknownCard.status).toBe(404);
    const card = await createCard(app);
    const badStatus = await submit(app, card.id, { to_status: 'parked', expected_version: 1 });
    expect(badStatus.status).toBe(422);
    expect(badStatus.body.error.details).toHaveProperty('to_status');
    const badBody = await submit(app, card.id, { to_status: 'ready' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.details).toHaveProperty('expected_version');
    const unknownMove = await app.request('GET', '/api/admin/moves/01J9ZZZZZZZZZZZZZZZZZZZZZZ');
    expect(unknownMove.status).toBe(404);
    const badWait = await app.request('GET', '/api/admin/moves/01J9ZZZZZZZZZZZZZZZZZZZZZZ?wait_ms=20000');
    expect(badWait.status).toBe(400);
  });

  it('returns a final move with 200 on re-POST and refuses the same move_id with another body', async () => {
    const card = await createCard(app);
    const moveId = '3f1e2d4c-5b6a-4789-8abc-def012345678';
    const body = { to_status: 'in_progress', expected_version: 1, from_status: 'scheduled', move_id: moveId };
    await move(app, card.id, body);
    const again = await submit(app, card.id, body);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ move_id: moveId, status: 'applied', version: 2 });
    const different = await submit(app, card.id, { ...body, to_status: 'canceled' });
    expect(different.status).toBe(409);
    expect(different.body.error.code).toBe('idempotency_key_reused');
    const read = await app.request('GET', `/api/admin/appointments/${card.id}`);
    expect(read.body.data.version).toBe(2);
  });

  it('writes moves_total, occ_conflicts_total and move_latency_ms as EMF', async () => {
    const card = await createCard(app);
    const applied = await move(app, card.id, {
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    const conflict = await move(app, card.id, {
      to_status: 'canceled',
      expected_version: 1,
      from_status: 'scheduled',
    });
    const ours = new Set([applied.move_id, conflict.move_id]);
    const docs = await eventually(async () => {
      const text = await readFile(metricsFile, 'utf8').catch(() => '');
      const mine = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((d) => ours.has(d.move_id));
      return mine.length >= 5 ? mine : undefined;
    });
    const metricNames = (d: any) => d._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name);
    const byName = (name: string) => docs.filter((d) => metricNames(d).includes(name));
    expect(
      byName('moves_total')
        .map((d) => d.outcome)
        .sort(),
    ).toEqual(['applied', 'conflict']);
    expect(byName('moves_total')[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'EdgarAutoShop',
      Dimensions: [['outcome']],
    });
    const latency = byName('move_latency_ms').find((d) => d.move_id === applied.move_id);
    expect(latency.transition).toBe('scheduled->in_progress');
    expect(latency._aws.CloudWatchMetrics[0].Metrics[0]).toEqual({
      Name: 'move_latency_ms',
      Unit: 'Milliseconds',
    });
    expect(latency.move_latency_ms).toBeGreaterThanOrEqual(0);
    expect(byName('occ_conflicts_total').map((d) => d.move_id)).toEqual([conflict.move_id]);
  });

  it('keeps 50 racing clients on one card to one unbroken chain of versions', async () => {
    const card = await createCard(app, '2026-06-02', 10);
    const legal: Record<string, string[]> = {
      scheduled: ['in_progress', 'no_show', 'canceled'],
      in_progress: ['ready', 'scheduled'],
      ready: ['completed', 'in_progress'],
      no_show: ['scheduled'],
      canceled: ['scheduled'],
      completed: [],
    };
    type Seen = { move_id: string; submittedAt: number; seenAt: number; outcome: any };
    const seen: Seen[] = [];
    const patchVersions: number[] = [];
    const client = async (n: number) => {
      const current = (await app.request('GET', `/api/admin/appointments/${card.id}`)).body.data;
      if (n % 10 === 0) {
        const patched = await app.request('PATCH', `/api/admin/appointments/${card.id}`, {
          expected_version: current.version,
          notes: `edit by client ${n}`,
        });
        if (patched.status === 200) patchVersions.push(patched.body.data.version);
        return;
      }
      const targets = legal[current.status] as string[];
      const to = targets.length > 0 ? (targets[n % targets.length] as string) : current.status;
      const submittedAt = Date.now();
      const res = await submit(app, card.id, {
        to_status: to,
        expected_version: current.version,
        from_status: current.status,
      });
      expect(res.status).toBe(202);
      const outcome = await awaitOutcome(app, res.body.data.move_id);
      seen.push({ move_id: res.body.data.move_id, submittedAt, seenAt: Date.now(), outcome });
    };
    await Promise.all(Array.from({ length: 50 }, (_, n) => client(n)));

    expect(seen).toHaveLength(45);
    for (const s of seen) expect(s.outcome.status).not.toBe('pending');
    const applied = seen.filter((s) => s.outcome.status === 'applied' && !s.outcome.noop);
    const final = (await app.request('GET', `/api/admin/appointments/${card.id}`)).body.data;
    expect(final.version).toBe(1 + applied.length + patchVersions.length);
    const versions = [...applied.map((s) => s.outcome.version), ...patchVersions].sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 2));
    for (const a of applied) {
      for (const b of applied) {
        if (a.seenAt < b.submittedAt) expect(a.outcome.version).toBeLessThan(b.outcome.version);
      }
    }
  }, 120_000);
});

describe('driving the worker by hand', () => {
  let app: TestApp;
  let worker: (event: any) => Promise<SQSBatchResponse>;
  beforeAll(async () => {
    app = await startTestApp({ startPoller: false, visibilityTimeoutSeconds: 1 });
    const handler = createMoveWorker(() => app.container);
    worker = (event) => handler(event);
  });
  afterAll(async () => {
    await app.stop();
  });

  /** Receives and processes until the queue is empty, acknowledging like the event source mapping. */
  async function drain(): Promise<void> {
    for (;;) {
      const messages = await receive(app, app.config.MOVE_QUEUE_URL, 0);
      if (messages.length === 0) return;
      await acknowledge(app, messages, await worker(toEvent(app, messages)));
    }
  }

  const moveStatus = async (moveId: string) =>
    (await app.request('GET', `/api/admin/moves/${moveId}`)).body.data;
  const cardOf = async (id: string) => (await app.request('GET', `/api/admin/appointments/${id}`)).body.data;

  it('answers a re-POST of a pending move with 202 and the same move', async () => {
    const card = await createCard(app);
    const body = { to_status: 'in_progress', expected_version: 1, move_id: '01JAAAAAAAAAAAAAAAAAAAAAAA' };
    const first = await submit(app, card.id, body);
    const again = await submit(app, card.id, body);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.data).toEqual(first.body.data);
    await drain();
    expect(await moveStatus(body.move_id)).toMatchObject({ status: 'applied', version: 2 });
  });

  it('applies a batch delivered twice only once', async () => {
    const card = await createCard(app);
    const res = await submit(app, card.id, {
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    const messages = await receive(app);
    expect(messages).toHaveLength(1);
    const event = toEvent(app, messages);
    expect((await worker(event)).batchItemFailures).toEqual([]);
    expect((await worker(event)).batchItemFailures).toEqual([]);
    await deleteMessages(app, messages);
    expect(await moveStatus(res.body.data.move_id)).toMatchObject({ status: 'applied', version: 2 });
    expect(await cardOf(card.id)).toMatchObject({ status: 'in_progress', version: 2 });
  });

  it('fails a throttled move and the rest of its group while other groups proceed, and keeps order on redelivery (fault injected at the SDK: throttling)', async () => {
    const a = await createCard(app);
    const b = await createCard(app);
    const a1 = await submit(app, a.id, {
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    const a2 = await submit(app, a.id, {
      to_status: 'ready',
      expected_version: 2,
      from_status: 'in_progress',
    });
    const b1 = await submit(app, b.id, {
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    const a1Id = a1.body.data.move_id as string;
    // SQS hands Lambda several messages of one group in a batch; the emulator gives one per
    // receive, so the batch is built from the recorded moves, as the event source mapping would.
    const records = await Promise.all(
      [a1, a2, b1].map((r) => app.container.moves.getMove(r.body.data.move_id, true)),
    );
    const removeFault = injectFault(
      app.container.doc,
      mentions(a1Id),
      () => new ProvisionedThroughputExceededException({ message: 'injected throttling', $metadata: {} }),
    );
    const batch = records.map((r, i) => ({
      MessageId: `m-${i}`,
      ReceiptHandle: `rh-${i}`,
      Body: JSON.stringify(moveMessage(r!)),
      Attributes: { MessageGroupId: r!.appointment_id, ApproximateReceiveCount: '1' },
    }));
    const response = await worker(toEvent(app, batch));
    removeFault();
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
    expect(await moveStatus(b1.body.data.move_id)).toMatchObject({ status: 'applied' });
    expect(await moveStatus(a1Id)).toMatchObject({ status: 'pending' });

    await eventually(async () => {
      await drain();
      const s = await moveStatus(a2.body.data.move_id);
      return s.status === 'pending' ? undefined : s;
    });
    expect(await moveStatus(a1Id)).toMatchObject({ status: 'applied', version: 2 });
    expect(await moveStatus(a2.body.data.move_id)).toMatchObject({ status: 'applied', version: 3 });
  });

  it('acknowledges a poison message, rejects its move, and does not block its group', async () => {
    const card = await createCard(app);
    const poisonId = '01JBBBBBBBBBBBBBBBBBBBBBBB';
    const { moves } = app.container;
    await moves.recordPendingMove(
      newMoveRecord(
        { move_id: poisonId, appointment_id: card.id, to_status: 'in_progress', expected_version: 1 },
        new Date().toISOString(),
      ),
    );
    await sendRaw(app, JSON.stringify({ move_id: poisonId, to_status: 42 }), card.id, 'poison-1');
    await sendRaw(app, 'not json at all', card.id, 'poison-2');
    const good = await submit(app, card.id, {
      to_status: 'canceled',
      expected_version: 1,
      from_status: 'scheduled',
    });
    await drain();
    expect(await moveStatus(poisonId)).toMatchObject({ status: 'rejected', reason: 'malformed_message' });
    expect(await moveStatus(good.body.data.move_id)).toMatchObject({ status: 'applied', version: 2 });
  });

  it('applies each move once when a worker crashes mid-batch and gets the whole batch again', async () => {
    const cards = [await createCard(app), await createCard(app), await createCard(app)];
    const ids: string[] = [];
    for (const c of cards) {
      ids.push(
        (await submit(app, c.id, { to_status: 'in_progress', expected_version: 1 })).body.data.move_id,
      );
    }
    let invocations = 0;
    const poller = await startPoller({
      sqs: app.container.sqs,
      queueUrl: app.config.MOVE_QUEUE_URL,
      region: app.config.AWS_REGION,
      waitTimeSeconds: 1,
      concurrency: 1,
      handler: async (event) => {
        invocations += 1;
        if (invocations === 1) {
          await worker({ Records: event.Records.slice(0, 1) });
          throw new Error('simulated crash after the first record');
        }
        return worker(event);
      },
    });
    try {
      for (const id of ids) {
        await eventually(
          async () => ((await moveStatus(id)).status === 'pending' ? undefined : true),
          15_000,
        );
      }
    } finally {
      await poller.stop();
    }
    expect(invocations).toBeGreaterThanOrEqual(2);
    for (const id of ids)
      expect(await moveStatus(id)).toMatchObject({ status: 'applied', version: 2, noop: false });
    for (const c of cards) expect(await cardOf(c.id)).toMatchObject({ status: 'in_progress', version: 2 });
  });

  it('judges a DLQ message redriven after newer moves by its version, never applying it blindly', async () => {
    const card = await createCard(app);
    const stale = await submit(app, card.id, {
      to_status: 'in_progress',
      expected_version: 1,
      from_status: 'scheduled',
    });
    // The stale move "failed five times": move its message to the DLQ.
    const [message] = await receive(app);
    await sendRaw(app, message?.Body ?? '', card.id, 'dlq-1', app.config.DLQ_URL);
    await deleteMessages(app, message ? [message] : []);
    const newer1 = await submit(app, card.id, {
      to_status: 'canceled',
      expected_version: 1,
      from_status: 'scheduled',
    });
    await drain();
    const newer2 = await submit(app, card.id, {
      to_status: 'scheduled',
      expected_version: 2,
      from_status: 'canceled',
    });
    await drain();
    expect(await moveStatus(newer1.body.data.move_id)).toMatchObject({ status: 'applied', version: 2 });
    expect(await moveStatus(newer2.body.data.move_id)).toMatchObject({ status: 'applied', version: 3 });

    // Redrive: a new deduplication id, arriving after the newer moves.
    const [dead] = await receive(app, app.config.DLQ_URL);
    await sendRaw(app, dead?.Body ?? '', card.id, 'redriven-1');
    await deleteMessages(app, dead ? [dead] : [], app.config.DLQ_URL);
    await drain();
    expect(await moveStatus(stale.body.data.move_id)).toMatchObject({
      status: 'conflict',
      current: { status: 'scheduled', version: 3 },
    });
    expect(await cardOf(card.id)).toMatchObject({ status: 'scheduled', version: 3 });
  });

  it('answers 503 when the queue refuses a move, keeps it pending, and a re-POST with the same move_id sends it (fault injected at the SDK: SQS send fails)', async () => {
    const card = await createCard(app);
    const body = { to_status: 'in_progress', expected_version: 1, move_id: '01JCCCCCCCCCCCCCCCCCCCCCCC' };
    const removeFault = injectFault(
      app.container.sqs,
      (cmd) => cmd === 'SendMessageCommand',
      () => Object.assign(new Error('injected: queue unavailable'), { name: 'ServiceUnavailable' }),
    );
    const res = await submit(app, card.id, body);
    removeFault();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body.error).toMatchObject({
      code: 'service_unavailable',
      details: { move_id: body.move_id, status: 'pending' },
    });
    expect(await moveStatus(body.move_id)).toMatchObject({ status: 'pending' });

    const retry = await submit(app, card.id, body);
    expect(retry.status).toBe(202);
    await drain();
    expect(await moveStatus(body.move_id)).toMatchObject({ status: 'applied', version: 2 });
  });

  it('re-sends a move left pending by a crash between recording and queueing it, and again while it stays pending', async () => {
    const card = await createCard(app);
    const moveId = '01JDDDDDDDDDDDDDDDDDDDDDDD';
    const submittedAt = new Date(Date.now() - 120_000).toISOString();
    await app.container.moves.recordPendingMove(
      newMoveRecord(
        { move_id: moveId, appointment_id: card.id, to_status: 'in_progress', expected_version: 1 },
        submittedAt,
        app.container.moveTimings,
      ),
    );
    const deps = { ...app.container };
    expect(await sweepPendingMoves(deps)).toEqual({ resent: 1, failed: 0, gaveUp: 0 });
    // Not due again yet: the next re-send waits as long as the move has waited (120 s).
    expect(await sweepPendingMoves(deps)).toEqual({ resent: 0, failed: 0, gaveUp: 0 });
    await drain();
    expect(await moveStatus(moveId)).toMatchObject({ status: 'applied', version: 2 });
    expect(await sweepPendingMoves(deps)).toEqual({ resent: 0, failed: 0, gaveUp: 0 });
  });
});
