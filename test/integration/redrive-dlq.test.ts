/**
 * The DLQ script against the SQS emulator and DynamoDB Local: it settles dead-lettered pending
 * moves, deletes messages of decided ones, keeps what it cannot read, and with --redrive hands
 * pending moves back to the real worker.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { newMoveRecord, type MoveRecord } from '../../domain/move';
import { writeEndpointsFile } from '../../local/endpoints-file';
import { ensureMoveQueues } from '../../local/sqs-local';
import { moveMessage } from '../../infra/sqs-move-queue';
import { run } from '../../scripts/redrive-dlq';
import { createCard, sendRaw } from '../support/move-helpers';
import { eventually, startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
let dataDir: string;
beforeAll(async () => {
  app = await startTestApp();
  dataDir = await mkdtemp(join(tmpdir(), 'redrive-dlq-'));
});
afterAll(async () => {
  await app.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Output of one run; the environment names an empty DATA_DIR so no real endpoints file leaks in. */
function captureIo(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  return {
    out,
    text: () => out.join('\n'),
    io: {
      out: (l: string) => out.push(l),
      err: (l: string) => out.push(l),
      env: { DATA_DIR: dataDir, ...env },
    },
  };
}

/** A DLQ of its own for one test, next to the app's table. */
async function freshDlq(): Promise<string> {
  const { dlqUrl } = await ensureMoveQueues(app.container.sqs, { prefix: `rd${randomUUID().slice(0, 8)}-` });
  return dlqUrl;
}

const args = (dlqUrl: string) => [
  '--dlq-url',
  dlqUrl,
  '--table-name',
  app.config.TABLE_NAME,
  '--dynamodb-endpoint',
  app.config.DYNAMODB_ENDPOINT as string,
  '--sqs-endpoint',
  app.config.SQS_ENDPOINT as string,
];

async function dlqDepth(dlqUrl: string): Promise<number> {
  const res = await app.container.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: dlqUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** A pending move of a fresh card, and its message in the DLQ. */
async function deadLetteredPendingMove(dlqUrl: string): Promise<MoveRecord> {
  const card = await createCard(app);
  const record = newMoveRecord(
    { move_id: randomUUID(), appointment_id: card.id, to_status: 'in_progress', expected_version: 1 },
    new Date().toISOString(),
  );
  await app.container.moves.recordPendingMove(record);
  await sendRaw(app, JSON.stringify(moveMessage(record)), card.id, randomUUID(), dlqUrl);
  return record;
}

const moveNow = (id: string) => app.container.moves.getMove(id, true);

it('settles a dead-lettered pending move as failed (dead_lettered) and deletes its message', async () => {
  const dlqUrl = await freshDlq();
  const record = await deadLetteredPendingMove(dlqUrl);
  const run1 = captureIo();

  const code = await run(args(dlqUrl), run1.io);

  expect({ code, output: run1.text() }).toMatchObject({ code: 0 });
  expect(run1.text()).toContain(`settled failed (dead_lettered): move ${record.move_id}`);
  expect(await moveNow(record.move_id)).toMatchObject({
    status: 'failed',
    reason: 'dead_lettered',
    decided_at: expect.any(String),
  });
  expect(await dlqDepth(dlqUrl)).toBe(0);
});

it('changes nothing in a dry run and says what it would do', async () => {
  const dlqUrl = await freshDlq();
  const record = await deadLetteredPendingMove(dlqUrl);
  const dry = captureIo();

  const code = await run([...args(dlqUrl), '--dry-run'], dry.io);

  expect(code).toBe(0);
  expect(dry.text()).toContain(`would settle failed (dead_lettered): move ${record.move_id}`);
  expect(await moveNow(record.move_id)).toMatchObject({ status: 'pending' });
  expect(await dlqDepth(dlqUrl)).toBe(1);
  // Handed straight back: visible to the next reader, not hidden for 30 s.
  const visible = await app.container.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  expect(visible.Messages).toHaveLength(1);
});

it('deletes the message of a move that is already decided, and leaves its outcome alone', async () => {
  const dlqUrl = await freshDlq();
  const record = await deadLetteredPendingMove(dlqUrl);
  const applied: MoveRecord = {
    ...record,
    status: 'applied',
    version: 2,
    decided_at: new Date().toISOString(),
  };
  await app.container.moves.settleMove(applied);
  const { io, text } = captureIo();

  expect(await run(args(dlqUrl), io)).toBe(0);

  expect(text()).toContain(`deleted (already decided: applied): move ${record.move_id}`);
  expect(await moveNow(record.move_id)).toMatchObject({ status: 'applied', version: 2 });
  expect(await dlqDepth(dlqUrl)).toBe(0);
});

it('keeps and lists an unreadable message, and deletes it only with --purge-unreadable', async () => {
  const dlqUrl = await freshDlq();
  await sendRaw(app, 'not json at all', 'card-x', randomUUID(), dlqUrl);
  const keep = captureIo();
  const purge = captureIo();

  expect(await run(args(dlqUrl), keep.io)).toBe(0);
  const depthAfterKeep = await dlqDepth(dlqUrl);
  expect(await run([...args(dlqUrl), '--purge-unreadable'], purge.io)).toBe(0);

  expect(keep.text()).toMatch(/kept \(unreadable\): message .* \(not JSON; received 1 times\)/);
  expect(keep.text()).toContain('1 kept');
  expect(depthAfterKeep).toBe(1);
  expect(purge.text()).toMatch(/deleted \(unreadable\): message /);
  expect(await dlqDepth(dlqUrl)).toBe(0);
});

it('handles the messages behind a kept one in the same FIFO group', async () => {
  const dlqUrl = await freshDlq();
  const card = await createCard(app);
  await sendRaw(app, '{"move_id":"broken"}', card.id, randomUUID(), dlqUrl);
  const record = newMoveRecord(
    { move_id: randomUUID(), appointment_id: card.id, to_status: 'in_progress', expected_version: 1 },
    new Date().toISOString(),
  );
  await app.container.moves.recordPendingMove(record);
  await sendRaw(app, JSON.stringify(moveMessage(record)), card.id, randomUUID(), dlqUrl);
  const { io, text } = captureIo();

  expect(await run(args(dlqUrl), io)).toBe(0);

  expect(text()).toContain('kept (unreadable)');
  expect(text()).toContain(`settled failed (dead_lettered): move ${record.move_id}`);
  expect(await dlqDepth(dlqUrl)).toBe(1);
});

it('keeps a message naming a move the table does not hold', async () => {
  const dlqUrl = await freshDlq();
  const ghost = newMoveRecord(
    { move_id: randomUUID(), appointment_id: 'no-such-card', to_status: 'in_progress', expected_version: 1 },
    new Date().toISOString(),
  );
  await sendRaw(app, JSON.stringify(moveMessage(ghost)), 'no-such-card', randomUUID(), dlqUrl);
  const { io, text } = captureIo();

  expect(await run([...args(dlqUrl), '--purge-unreadable'], io)).toBe(0);

  expect(text()).toContain(`kept (no such move in ${app.config.TABLE_NAME}): move ${ghost.move_id}`);
  expect(await dlqDepth(dlqUrl)).toBe(1);
});

it('with --redrive sends a pending move back to the move queue, where the worker decides it', async () => {
  const record = await deadLetteredPendingMove(app.config.DLQ_URL);
  const { io, text } = captureIo();

  const code = await run(
    [...args(app.config.DLQ_URL), '--move-queue-url', app.config.MOVE_QUEUE_URL, '--redrive'],
    io,
  );

  expect({ code, output: text() }).toMatchObject({ code: 0 });
  expect(text()).toContain(`sent back to the move queue: move ${record.move_id}`);
  const settled = await eventually(async () => {
    const m = await moveNow(record.move_id);
    return m && m.status !== 'pending' ? m : undefined;
  });
  expect(settled).toMatchObject({ status: 'applied', version: 2 });
  expect(await dlqDepth(app.config.DLQ_URL)).toBe(0);
});

describe('finding the local stack', () => {
  const endpoints = (dlqUrl: string, pid: number) => ({
    region: app.config.AWS_REGION,
    api_url: app.url,
    proxy_url: null,
    dynamodb_endpoint: app.config.DYNAMODB_ENDPOINT as string,
    sqs_endpoint: app.config.SQS_ENDPOINT as string,
    table_name: app.config.TABLE_NAME,
    move_queue_url: app.config.MOVE_QUEUE_URL,
    dlq_url: dlqUrl,
    pid,
    started_at: new Date().toISOString(),
  });

  it('reads the queues, the table and the endpoints from DATA_DIR/endpoints.json when no URL is given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redrive-stack-'));
    const dlqUrl = await freshDlq();
    const record = await deadLetteredPendingMove(dlqUrl);
    await writeEndpointsFile(dir, endpoints(dlqUrl, process.pid));
    const { io, text } = captureIo({ DATA_DIR: dir });

    const code = await run([], io);

    expect({ code, output: text() }).toMatchObject({ code: 0 });
    expect(text()).toContain(`the local stack in ${join(dir, 'endpoints.json')}`);
    expect(await moveNow(record.move_id)).toMatchObject({ status: 'failed', reason: 'dead_lettered' });
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an endpoints file whose stack is no longer running, naming its pid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redrive-stale-'));
    const exited = spawnSync(process.execPath, ['-e', '']).pid;
    await writeEndpointsFile(dir, endpoints(await freshDlq(), exited));
    const { io, text } = captureIo({ DATA_DIR: dir });

    const code = await run([], io);

    expect(code).toBe(2);
    expect(text()).toContain(
      `the local stack that wrote ${join(dir, 'endpoints.json')} (pid ${exited}) is not running; ` +
        'start it with npm start or give --dlq-url',
    );
    await rm(dir, { recursive: true, force: true });
  });
});

it.each([
  { problem: 'no URL and no endpoints file', argv: [], named: '--dlq-url' },
  {
    problem: '--redrive without the move queue',
    argv: ['--redrive', '--dlq-url', 'http://127.0.0.1:1/q'],
    named: '--move-queue-url',
  },
  {
    problem: 'a local DLQ without a DynamoDB endpoint',
    argv: ['--dlq-url', 'http://127.0.0.1:1/q', '--table-name', 't1'],
    named: '--dynamodb-endpoint',
  },
  {
    problem: 'no table',
    argv: ['--dlq-url', 'https://sqs.us-west-2.amazonaws.com/1/q.fifo'],
    named: '--table-name',
  },
])('refuses to run with $problem (exit 2, naming $named)', async ({ argv, named }) => {
  const { io, text } = captureIo();

  expect(await run(argv, io)).toBe(2);
  expect(text()).toContain(named);
});
