/** Helpers for move-pipeline tests: create cards, submit and await moves, drive the worker by hand. */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { toSqsRecord } from '../../local/sqs-poller';
import type { TestApp } from './test-app';

let seq = 0;

export async function createCustomerAndVehicle(
  app: TestApp,
): Promise<{ customerId: string; vehicleId: string }> {
  const customerId = `c${++seq}`;
  const vehicleId = `v${seq}`;
  await app.request('POST', '/api/admin/customers', { id: customerId, name: `Customer ${seq}` });
  await app.request('POST', '/api/admin/vehicles', {
    id: vehicleId,
    customer_id: customerId,
    make: 'Ford',
    model: 'Focus',
  });
  return { customerId, vehicleId };
}

export async function createCard(
  app: TestApp,
  day = '2026-06-01',
  hour = 9,
): Promise<{ id: string; version: number }> {
  const { customerId, vehicleId } = await createCustomerAndVehicle(app);
  const h = String(hour).padStart(2, '0');
  const res = await app.request('POST', '/api/admin/appointments', {
    customer_id: customerId,
    vehicle_id: vehicleId,
    appt_start: `${day}T${h}:00:00Z`,
    appt_end: `${day}T${h}:45:00Z`,
    service_codes: ['OIL001'],
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.body.data;
}

export async function submit(app: TestApp, id: string, body: Record<string, unknown>) {
  return app.request('POST', `/api/admin/appointments/${id}/move`, body);
}

/**
 * Long-polls a move until it is decided, as a patient client would: one wait_ms poll after
 * another, within a bound (a loaded CI machine can take longer than one 10 s poll).
 */
export async function awaitOutcome(app: TestApp, moveId: string, boundMs = 60_000) {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const res = await app.request('GET', `/api/admin/moves/${moveId}?wait_ms=10000`);
    if (res.body?.data?.status !== 'pending' || Date.now() > deadline) return res.body.data;
  }
}

/** Submits a move and long-polls its outcome. */
export async function move(app: TestApp, id: string, body: Record<string, unknown>) {
  const res = await submit(app, id, body);
  if (res.status !== 202 && res.status !== 200) throw new Error(`submit failed: ${res.status} ${res.text}`);
  return awaitOutcome(app, res.body.data.move_id);
}

/** Receives up to 10 messages from a queue (visibility starts, as for Lambda's poller). */
export async function receive(
  app: TestApp,
  queueUrl = app.config.MOVE_QUEUE_URL,
  waitSeconds = 1,
): Promise<Message[]> {
  const res = await app.container.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return res.Messages ?? [];
}

export function toEvent(app: TestApp, messages: Message[]): SQSEvent {
  return {
    Records: messages.map((m) =>
      toSqsRecord(m, 'arn:aws:sqs:us-west-2:000000000000:moves.fifo', app.config.AWS_REGION),
    ),
  };
}

export async function deleteMessages(
  app: TestApp,
  messages: Message[],
  queueUrl = app.config.MOVE_QUEUE_URL,
): Promise<void> {
  if (messages.length === 0) return;
  await app.container.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
    }),
  );
}

/** Acknowledges what the worker did not report as failed, like the event source mapping. */
export async function acknowledge(
  app: TestApp,
  messages: Message[],
  response: SQSBatchResponse,
): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  await deleteMessages(
    app,
    messages.filter((m) => !failed.has(m.MessageId ?? '')),
  );
}

export async function sendRaw(
  app: TestApp,
  body: string,
  groupId: string,
  dedupId: string,
  queueUrl = app.config.MOVE_QUEUE_URL,
) {
  await app.container.sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageGroupId: groupId,
      MessageDeduplicationId: dedupId,
    }),
  );
}

/**
 * Submits as the board page does: a 5xx (a 503 means "unknown: the move is pending") is answered by
 * re-POSTing the same body, same move_id, until the server gives a real answer (bounded).
 */
export async function submitUntilAnswered(
  app: TestApp,
  id: string,
  body: Record<string, unknown>,
  opts: { tries?: number; delayMs?: number } = {},
) {
  const tries = opts.tries ?? 40;
  for (let attempt = 1; ; attempt++) {
    const res = await submit(app, id, body);
    if (res.status < 500 || attempt >= tries) return { res, attempts: attempt };
    await new Promise((r) => setTimeout(r, opts.delayMs ?? 50));
  }
}

/**
 * The card's version chain: the versions its applied, non-noop moves produced, in order. For a card
 * changed only by moves it must be exactly 2..version.
 */
export function versionChain(
  outcomes: Array<{ status: string; noop?: boolean; version?: number }>,
): number[] {
  return outcomes
    .filter((o) => o.status === 'applied' && !o.noop)
    .map((o) => o.version as number)
    .sort((a, b) => a - b);
}
