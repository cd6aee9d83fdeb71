/**
 * The SQS emulator (fauxqs) in-process, speaking the real SQS wire protocol, and the move queues
 * created on it exactly as serverless/queues.yml declares them on AWS.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

import { DLQ_NAME, MAX_RECEIVE_COUNT, MOVE_QUEUE_NAME } from '../infra/move-queues';

export interface SqsEmulator {
  endpoint: string;
  port: number;
  /** Where its queues and messages are kept (SQLite), or undefined when they live in memory. */
  dataDir?: string;
  /**
   * The port the kept queues' URLs name, when it was taken and the emulator runs on another one:
   * clients given an endpoint still reach the queues (fauxqs finds a queue by its name), a bare
   * queue URL from an earlier run does not.
   */
  queueUrlPort?: number;
  stop(): Promise<void>;
}

/** The few internals of fauxqs's SqsQueue the group-batch patch relies on (fauxqs 2.4.1). */
interface FauxMessage {
  messageGroupId?: string;
  sequenceNumber?: string;
}
interface FauxQueue {
  fifoMessages: Map<string, FauxMessage[]>;
  fifoLockedGroups: Map<string, number>;
  inflightMessages: Map<string, { message: FauxMessage }>;
  attributes: Record<string, string>;
  processTimers(): void;
}
type DequeueFifo = (
  this: FauxQueue,
  maxCount: number,
  visibilityTimeoutOverride?: number,
  dlqResolver?: unknown,
) => Array<{ ReceiptHandle: string }>;
interface FauxQueueClass {
  new (name: string, url: string, arn: string, attributes?: Record<string, string>): FauxQueue;
  prototype: { dequeueFifo: DequeueFifo; processTimers: unknown };
}
interface FauxqsApp {
  startFauxqs(opts: { port: number; logger: boolean; defaultRegion: string; dataDir?: string }): Promise<{
    port: number;
    stop(): Promise<void>;
  }>;
}

const PATCHED = Symbol.for('edgar-auto-shop.fauxqs.group-batches');
const DEFAULT_GROUP = '__default';

/**
 * fauxqs's own directory, found along Node's resolver paths: its exports map only exposes ".", so
 * `fauxqs/dist/...` cannot be imported by name. The real path, because Node's ESM loader keys
 * modules by it: a symlinked node_modules would otherwise load a second copy of the module.
 */
export function fauxqsDir(): string {
  for (const dir of require.resolve.paths('fauxqs') ?? []) {
    const candidate = join(dir, 'fauxqs');
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
  }
  throw new Error('the SQS emulator fauxqs is not installed (npm ci)');
}

/** Messages requeued by fauxqs go back to the front of their group one by one, reversing several. */
function restoreGroupOrder(queue: FauxQueue): void {
  for (const messages of queue.fifoMessages.values()) {
    const ordered = messages.every(
      (m, i) => i === 0 || (m.sequenceNumber ?? '') >= (messages[i - 1]?.sequenceNumber ?? ''),
    );
    // Sequence numbers are zero-padded, so they compare as strings; a message without one
    // (none on a FIFO queue today) leaves its group as fauxqs keeps it.
    if (!ordered && messages.every((m) => m.sequenceNumber !== undefined)) {
      messages.sort((a, b) => ((a.sequenceNumber ?? '') < (b.sequenceNumber ?? '') ? -1 : 1));
    }
  }
}

/**
 * Real SQS hands out up to 10 messages of one message group in a single ReceiveMessage (raising
 * each one's ApproximateReceiveCount) and keeps the group locked while any of them is in flight;
 * fauxqs 2.4.1 hands out only the first of each group (the `break` after `result.push` in
 * SqsQueue.dequeueFifo). The worker's group-order and receive-count rules (a failure returns the
 * rest of its group; MAX_RECEIVE_COUNT settles on the last delivery) are only exercised locally if
 * batches look like AWS's, so this wraps fauxqs's own dequeueFifo rather than re-implementing it:
 * while the batch has room, a group whose every in-flight message is in this batch has its lock
 * lifted, the original is asked again for the rest, and the lock is restored with what it added.
 * A group locked by another receive stays locked. fauxqs is pinned to 2.4.1 in package.json for
 * this; an upgrade that changes these internals stops start-up here instead of silently
 * changing how batches look.
 */
export async function patchFauxqsGroupBatches(dir: string, version: string): Promise<void> {
  const store = (await import(pathToFileURL(join(dir, 'dist/sqs/sqsStore.js')).href)) as {
    SqsQueue?: FauxQueueClass;
  };
  const SqsQueue = store.SqsQueue;
  const fail = (what: string) =>
    new Error(
      `fauxqs ${version} does not have the internals local/sqs-local.ts patches (${what}); ` +
        'pin fauxqs to 2.4.1 or update the patch',
    );
  if (typeof SqsQueue !== 'function') throw fail('no SqsQueue class in dist/sqs/sqsStore.js');
  const proto = SqsQueue.prototype as FauxQueueClass['prototype'] & { [PATCHED]?: boolean };
  if (proto[PATCHED]) return;
  if (typeof proto.dequeueFifo !== 'function') throw fail('no SqsQueue.prototype.dequeueFifo');
  if (typeof proto.processTimers !== 'function') throw fail('no SqsQueue.prototype.processTimers');
  const probe = new SqsQueue('probe.fifo', 'http://probe', 'arn:probe', { FifoQueue: 'true' });
  for (const field of ['fifoMessages', 'fifoLockedGroups', 'inflightMessages'] as const) {
    if (!(probe[field] instanceof Map)) throw fail(`SqsQueue#${field} is not a Map`);
  }

  const original = proto.dequeueFifo;
  proto.dequeueFifo = function dequeueFifoGroupBatches(maxCount, visibilityTimeoutOverride, dlqResolver) {
    // Timers once, then the order fixed, then the original's own timer pass suppressed: one that
    // ran in between could requeue (and reverse) messages again just before they are handed out.
    this.processTimers();
    restoreGroupOrder(this);
    this.processTimers = () => undefined;
    try {
      return groupBatches.call(this, maxCount, visibilityTimeoutOverride, dlqResolver);
    } finally {
      delete (this as Partial<FauxQueue>).processTimers;
    }
  };
  proto[PATCHED] = true;

  function groupBatches(
    this: FauxQueue,
    maxCount: number,
    visibilityTimeoutOverride?: number,
    dlqResolver?: unknown,
  ): Array<{ ReceiptHandle: string }> {
    const result = original.call(this, maxCount, visibilityTimeoutOverride, dlqResolver);
    const limit = Math.min(maxCount, 10);
    const visibility = visibilityTimeoutOverride ?? Number(this.attributes.VisibilityTimeout);
    // A zero visibility timeout expires what was just handed out: the next call would hand it again.
    if (!(visibility > 0)) return result;
    const groupOf = (handle: string) =>
      this.inflightMessages.get(handle)?.message.messageGroupId ?? DEFAULT_GROUP;
    while (result.length < limit) {
      const inBatch = new Map<string, number>();
      for (const m of result) {
        const group = groupOf(m.ReceiptHandle);
        inBatch.set(group, (inBatch.get(group) ?? 0) + 1);
      }
      const inFlight = new Map<string, number>();
      for (const entry of this.inflightMessages.values()) {
        const group = entry.message.messageGroupId ?? DEFAULT_GROUP;
        inFlight.set(group, (inFlight.get(group) ?? 0) + 1);
      }
      const extendable = [...inBatch].filter(
        ([group, n]) => inFlight.get(group) === n && (this.fifoMessages.get(group)?.length ?? 0) > 0,
      );
      if (extendable.length === 0) break;
      const saved = new Map(extendable.map(([group]) => [group, this.fifoLockedGroups.get(group) ?? 0]));
      for (const group of saved.keys()) this.fifoLockedGroups.delete(group);
      const more = original.call(this, limit - result.length, visibilityTimeoutOverride, dlqResolver);
      for (const [group, before] of saved) {
        const total = before + (this.fifoLockedGroups.get(group) ?? 0);
        if (total > 0) this.fifoLockedGroups.set(group, total);
      }
      if (more.length === 0) break;
      result.push(...more);
    }
    // Each group's messages together and in order, as SQS returns as many of one group as it can.
    const firstSeen = new Map<string, number>();
    result.forEach((m, i) => {
      const group = groupOf(m.ReceiptHandle);
      if (!firstSeen.has(group)) firstSeen.set(group, i);
    });
    return result
      .map((m, i) => ({ m, i, g: firstSeen.get(groupOf(m.ReceiptHandle)) ?? i }))
      .sort((a, b) => a.g - b.g || a.i - b.i)
      .map(({ m }) => m);
  }
}

/** Where a persistent emulator notes the port its queue URLs were made with. */
const PORT_FILE = 'port';

/** Whether a listener could bind the port where fauxqs binds it (all interfaces). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen({ port, host: '0.0.0.0' }, () => probe.close(() => resolvePort(true)));
  });
}

/**
 * With a dataDir, fauxqs keeps its queues and messages (ready, delayed and in flight with their
 * visibility deadlines) in SQLite, written through on every change, so a crash loses no queued
 * message, as on SQS; without one everything lives in memory. A kept queue keeps the URL it was
 * created with, port included, so a persistent emulator starts on that port again while it is
 * free; its deduplication ids are not kept (a re-send after a restart is delivered, which the
 * worker's pending check absorbs).
 */
export async function startSqsEmulator(opts: {
  port?: number;
  region: string;
  dataDir?: string;
}): Promise<SqsEmulator> {
  const dir = fauxqsDir();
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string })
    .version;
  await patchFauxqsGroupBatches(dir, version ?? '(unknown version)');
  let port = opts.port ?? 0;
  let queueUrlPort: number | undefined;
  if (opts.dataDir !== undefined && opts.port === undefined) {
    await mkdir(opts.dataDir, { recursive: true });
    const kept = Number(await readFile(join(opts.dataDir, PORT_FILE), 'utf8').catch(() => ''));
    if (Number.isInteger(kept) && kept > 0) {
      if (await portIsFree(kept)) port = kept;
      else queueUrlPort = kept;
    }
  }
  // fauxqs ships as an ES module only; a dynamic import loads it from CommonJS. By file URL from
  // the same directory, so the SqsQueue it uses is the one just patched.
  const { startFauxqs } = (await import(pathToFileURL(join(dir, 'dist/app.js')).href)) as FauxqsApp;
  const server = await startFauxqs({
    port,
    logger: false,
    defaultRegion: opts.region,
    dataDir: opts.dataDir,
  });
  if (opts.dataDir !== undefined && opts.port === undefined && queueUrlPort === undefined) {
    await writeFile(join(opts.dataDir, PORT_FILE), `${server.port}\n`);
  }
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    dataDir: opts.dataDir,
    queueUrlPort,
    stop: () => server.stop(),
  };
}

/** Creates moves.fifo and its DLQ (idempotent: CreateQueue with the same attributes is a no-op). */
export async function ensureMoveQueues(
  sqs: SQSClient,
  opts: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number; prefix?: string } = {},
): Promise<{ queueUrl: string; dlqUrl: string }> {
  const prefix = opts.prefix ?? '';
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `${prefix}${DLQ_NAME}`, Attributes: { FifoQueue: 'true' } }),
  );
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}${MOVE_QUEUE_NAME}`,
      Attributes: {
        FifoQueue: 'true',
        ContentBasedDeduplication: 'false',
        VisibilityTimeout: String(opts.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: opts.maxReceiveCount ?? MAX_RECEIVE_COUNT,
        }),
      },
    }),
  );
  if (!queue.QueueUrl || !dlq.QueueUrl) throw new Error('the SQS emulator returned no queue URL');
  return { queueUrl: queue.QueueUrl, dlqUrl: dlq.QueueUrl };
}
