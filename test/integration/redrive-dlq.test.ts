/** The DLQ redrive script against the SQS emulator, with the real worker picking up what it moves. */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { run } from '../../scripts/redrive-dlq';
import { newMoveRecord } from '../../domain/move';
import { moveMessage } from '../../infra/sqs-move-queue';
import { eventually, startTestApp, type TestApp } from '../support/test-app';
import { createCard, sendRaw } from '../support/move-helpers';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

function captureIo() {
  const out: string[] = [];
  return { out, io: { out: (l: string) => out.push(l), err: (l: string) => out.push(l), env: {} } };
}

async function dlqDepth(): Promise<number> {
  const res = await app.container.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: app.config.DLQ_URL,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

it('moves a dead-lettered move back to the queue, where the worker decides it', async () => {
  const card = await createCard(app);
  const record = newMoveRecord(
    {
      move_id: '01JEEEEEEEEEEEEEEEEEEEEEEE',
      appointment_id: card.id,
      to_status: 'in_progress',
      expected_version: 1,
    },
    new Date().toISOString(),
  );
  await app.container.moves.recordPendingMove(record);
  await sendRaw(app, JSON.stringify(moveMessage(record)), card.id, 'dead-1', app.config.DLQ_URL);
  const args = [
    '--dlq-url',
    app.config.DLQ_URL,
    '--move-queue-url',
    app.config.MOVE_QUEUE_URL,
    '--sqs-endpoint',
    app.config.SQS_ENDPOINT as string,
  ];

  const dry = captureIo();
  expect(await run([...args, '--dry-run'], dry.io)).toBe(0);
  expect(dry.out.join('\n')).toContain(`would move: move ${record.move_id}`);
  expect(await dlqDepth()).toBe(1);

  const real = captureIo();
  expect(await run(args, real.io)).toBe(0);
  expect(real.out.join('\n')).toContain(`moved: move ${record.move_id}`);
  const settled = await eventually(async () => {
    const m = await app.container.moves.getMove(record.move_id, true);
    return m && m.status !== 'pending' ? m : undefined;
  });
  expect(settled).toMatchObject({ status: 'applied', version: 2 });
  expect(await dlqDepth()).toBe(0);
});

it('refuses to run without both queue URLs', async () => {
  const { io, out } = captureIo();
  expect(await run(['--dlq-url', 'http://127.0.0.1:1/q'], io)).toBe(2);
  expect(out.join('\n')).toContain('--move-queue-url');
});
