/**
 * The floor: what the store and the queue cost on their own, measured with the SDK directly (the
 * same client settings as the app: infra/aws-clients.ts), one call at a time.
 *
 * - a conditional UpdateItem on a card (`version = :v`, status and version change, so its indexes
 *   are written too), as the seed's `UPDATE … WHERE id=? AND version=?`;
 * - a consistent GetItem (what the worker's read and every poll of a move cost);
 * - a TransactWriteItems of two items, the card and its move, as commitAppliedMove writes them;
 * - SQS send → receive → delete of one message on a FIFO queue of its own.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { appointmentItem } from '../../infra/dynamodb/items';
import { keys } from '../../infra/dynamodb/table';
import { BENCH_TIME_ZONE, makeAppointment } from './seed';
import { summarize, timeSequential, type Latency } from './latency';

export interface Floor {
  updateItem: Latency;
  getItem: Latency;
  transactWrite: Latency;
  sqsSend: Latency;
  sqsReceive: Latency;
  sqsDelete: Latency;
  /** send + receive + delete, per message. */
  sqsCycle: Latency;
  /**
   * CPU the services spent per call (ms), less their idle burn: DynamoDB Local's JVM, and the stack
   * process (where the SQS emulator runs).
   */
  cpu: Record<'updateItem' | 'getItem' | 'transactWrite' | 'sqsCycle', { java: number; node: number }>;
}

/** CPU time so far of DynamoDB Local and of the stack's process, in ms. */
export type CpuSampler = () => Promise<{ java: number; node: number }>;

/** CPU ms per second the services burn when idle (JVM housekeeping, the poller's long polls). */
export type IdleCpu = { java: number; node: number };

async function withCpu<T>(
  sampler: CpuSampler,
  idle: IdleCpu,
  calls: number,
  fn: () => Promise<T>,
): Promise<{ result: T; cpu: { java: number; node: number } }> {
  const before = await sampler();
  const t0 = performance.now();
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const after = await sampler();
  const net = (used: number, idlePerSecond: number) => Math.max(0, used - idlePerSecond * seconds) / calls;
  return {
    result,
    cpu: { java: net(after.java - before.java, idle.java), node: net(after.node - before.node, idle.node) },
  };
}

/** The round trips one move needs, composed from the floor's p50s (see docs/PERFORMANCE.md). */
export interface MoveFloor {
  /** Record the pending move (its Get and Put run side by side: one write's time) + SQS send. */
  submit: number;
  /** submit + receive + read move and card + the 2-item transaction + delete + the poll that sees it. */
  e2e: number;
}

export function moveFloor(f: Floor): MoveFloor {
  const submit = f.updateItem.p50 + f.sqsSend.p50;
  return {
    submit,
    e2e: submit + f.sqsReceive.p50 + f.getItem.p50 + f.transactWrite.p50 + f.sqsDelete.p50 + f.getItem.p50,
  };
}

const FLOOR_DAY = '2001-01-01';

export async function measureFloor(
  doc: DynamoDBDocumentClient,
  sqs: SQSClient,
  tableName: string,
  n: number,
  warmup: number,
  sampler: CpuSampler,
  idle: IdleCpu,
): Promise<Floor> {
  const card = makeAppointment(FLOOR_DAY, 0, 'floor');
  await doc.send(new PutCommand({ TableName: tableName, Item: appointmentItem(card, BENCH_TIME_ZONE) }));
  let version = card.version;
  const update = await withCpu(sampler, idle, n + warmup, () =>
    timeSequential(n, warmup, async (i) => {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.appointment(card.id),
          UpdateExpression: 'SET #s = :s, version = :next, updated_at = :now',
          ConditionExpression: 'version = :v',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':s': i % 2 ? 'in_progress' : 'ready',
            ':v': version,
            ':next': version + 1,
            ':now': new Date().toISOString(),
          },
        }),
      );
      version += 1;
    }),
  );

  const get = await withCpu(sampler, idle, n + warmup, () =>
    timeSequential(n, warmup, () =>
      doc.send(
        new GetCommand({ TableName: tableName, Key: keys.appointment(card.id), ConsistentRead: true }),
      ),
    ),
  );

  const txCard = makeAppointment(FLOOR_DAY, 1, 'floor');
  await doc.send(new PutCommand({ TableName: tableName, Item: appointmentItem(txCard, BENCH_TIME_ZONE) }));
  let txVersion = txCard.version;
  const tx = await withCpu(sampler, idle, n + warmup, () =>
    timeSequential(n, warmup, async (i) => {
      const moveId = randomUUID();
      const now = new Date().toISOString();
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: appointmentItem(
                  {
                    ...txCard,
                    status: i % 2 ? 'in_progress' : 'ready',
                    version: txVersion + 1,
                    status_version: txVersion + 1,
                    last_move_id: moveId,
                    updated_at: now,
                  },
                  BENCH_TIME_ZONE,
                ),
                ConditionExpression: 'attribute_exists(PK) AND version = :v',
                ExpressionAttributeValues: { ':v': txVersion },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.move(moveId),
                  type: 'move',
                  move_id: moveId,
                  appointment_id: txCard.id,
                  status: 'applied',
                  to_status: 'ready',
                  expected_version: txVersion,
                  version: txVersion + 1,
                  submitted_at: now,
                  decided_at: now,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
      txVersion += 1;
    }),
  );

  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `bench-floor-${randomUUID().slice(0, 8)}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' },
    }),
  );
  const queueUrl = queue.QueueUrl as string;
  const send: number[] = [];
  const receive: number[] = [];
  const del: number[] = [];
  const cycle: number[] = [];
  const sqsBefore = await sampler();
  const sqsStarted = performance.now();
  try {
    for (let i = 0; i < warmup + n; i++) {
      const t0 = performance.now();
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify({ move_id: randomUUID(), appointment_id: 'floor', to_status: 'ready' }),
          MessageGroupId: 'floor',
          MessageDeduplicationId: randomUUID(),
        }),
      );
      const t1 = performance.now();
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
      );
      const t2 = performance.now();
      const handle = got.Messages?.[0]?.ReceiptHandle;
      if (!handle) throw new Error('floor: the SQS emulator returned no message');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: handle }));
      const t3 = performance.now();
      if (i < warmup) continue;
      send.push(t1 - t0);
      receive.push(t2 - t1);
      del.push(t3 - t2);
      cycle.push(t3 - t0);
    }
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
  }
  const sqsSeconds = (performance.now() - sqsStarted) / 1000;
  const sqsAfter = await sampler();
  const cycles = n + warmup;
  return {
    updateItem: update.result,
    getItem: get.result,
    transactWrite: tx.result,
    cpu: {
      updateItem: update.cpu,
      getItem: get.cpu,
      transactWrite: tx.cpu,
      sqsCycle: {
        java: Math.max(0, sqsAfter.java - sqsBefore.java - idle.java * sqsSeconds) / cycles,
        node: Math.max(0, sqsAfter.node - sqsBefore.node - idle.node * sqsSeconds) / cycles,
      },
    },
    sqsSend: summarize(send),
    sqsReceive: summarize(receive),
    sqsDelete: summarize(del),
    sqsCycle: summarize(cycle),
  };
}
