/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls the queue, hands each
 * batch to the worker as a real SQS event, deletes what succeeded and leaves reported failures
 * (or the whole batch, if the worker throws) to come back after the visibility timeout.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  region: string;
  /** Concurrent pollers (Lambda scales these; here they are a fixed number). */
  concurrency?: number;
  batchSize?: number;
  waitTimeSeconds?: number;
  onError?: (err: unknown) => void;
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

export async function startPoller(opts: PollerOptions): Promise<Poller> {
  const { sqs, queueUrl } = opts;
  const arn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const queueArn = arn ?? queueUrl;
  const abort = new AbortController();
  let running = true;

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
        const response = await opts.handler(event);
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
    },
  };
}
