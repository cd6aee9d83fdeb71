/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls the queue, hands each
 * batch to the worker as a real SQS event, deletes what succeeded and leaves reported failures
 * (or the whole batch, if the worker throws or runs past its function timeout) to come back
 * after the visibility timeout.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_FUNCTION_NAMES, localLambdaContext } from './lambda-context';

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** Lambda's longest function timeout, the bound when none is given. */
const MAX_FUNCTION_TIMEOUT_MS = 900_000;

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  region: string;
  /** Concurrent pollers (Lambda scales these; here they are a fixed number). */
  concurrency?: number;
  batchSize?: number;
  waitTimeSeconds?: number;
  /**
   * The function timeout: a handler that has not returned by then has failed its whole batch, as
   * in Lambda (default 900 s, Lambda's maximum).
   */
  functionTimeoutMs?: number;
  /** Reported in the context (functionName, ARN); default: the local worker function. */
  functionName?: string;
  onError?: (err: unknown) => void;
  /** A timed-out invocation; nothing of its batch was deleted. */
  onTimeout?: (info: { timeoutMs: number; messageIds: string[] }) => void;
}

export interface Poller {
  stop(): Promise<void>;
}

export function toSqsRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
      ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

const TIMED_OUT = Symbol('timed out');

export async function startPoller(opts: PollerOptions): Promise<Poller> {
  const { sqs, queueUrl } = opts;
  const arn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const queueArn = arn ?? queueUrl;
  const abort = new AbortController();
  let running = true;
  const timeoutMs = opts.functionTimeoutMs ?? MAX_FUNCTION_TIMEOUT_MS;
  const functionName = opts.functionName ?? LOCAL_FUNCTION_NAMES.worker;
  // Handlers still running past their timeout: Lambda would have frozen them; here they finish
  // in the background, their result ignored, and stop() waits for them.
  const overrunning = new Set<Promise<unknown>>();

  /** One invocation: the handler's response, or TIMED_OUT if it ran past the function timeout. */
  const invoke = async (event: SQSEvent): Promise<SQSBatchResponse | void | typeof TIMED_OUT> => {
    const context = localLambdaContext({ functionName, region: opts.region, timeoutMs });
    const call = opts.handler(event, context);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    });
    try {
      const result = await Promise.race([call, timeout]);
      if (result === TIMED_OUT) {
        const settled = call.then(
          () => undefined,
          () => undefined,
        );
        overrunning.add(settled);
        void settled.finally(() => overrunning.delete(settled));
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  };

  const loop = async () => {
    while (running) {
      let messages: Message[];
      try {
        const res = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: opts.batchSize ?? 10,
            WaitTimeSeconds: opts.waitTimeSeconds ?? 20,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = res.Messages ?? [];
      } catch (err) {
        if (!running) return;
        opts.onError?.(err);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (messages.length === 0) continue;
      const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, queueArn, opts.region)) };
      let failed: Set<string>;
      try {
        const response = await invoke(event);
        if (response === TIMED_OUT) {
          // As in Lambda: a timed-out invocation failed its whole batch, whatever it did later.
          opts.onTimeout?.({ timeoutMs, messageIds: messages.map((m) => m.MessageId ?? '') });
          continue;
        }
        failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (err) {
        // A throwing function fails its whole batch: nothing is deleted.
        opts.onError?.(err);
        continue;
      }
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
      if (done.length === 0) continue;
      try {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      } catch (err) {
        opts.onError?.(err);
      }
    }
  };

  const loops = Array.from({ length: opts.concurrency ?? 2 }, () => loop());
  return {
    stop: async () => {
      running = false;
      abort.abort();
      await Promise.allSettled(loops);
      await Promise.allSettled([...overrunning]);
    },
  };
}
