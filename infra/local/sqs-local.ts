/**
 * The SQS emulator (fauxqs) in-process, speaking the real SQS wire protocol, and the move queues
 * created on it exactly as serverless.yml declares them on AWS.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export const MOVE_QUEUE_NAME = 'moves.fifo';
export const DLQ_NAME = 'moves-dlq.fifo';
export const MAX_RECEIVE_COUNT = 5;

export interface SqsEmulator {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startSqsEmulator(opts: { port?: number; region: string }): Promise<SqsEmulator> {
  // fauxqs ships as an ES module only; a dynamic import loads it from CommonJS.
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port: opts.port ?? 0, logger: false, defaultRegion: opts.region });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    stop: () => server.stop(),
  };
}

/** Creates moves.fifo and its DLQ (idempotent: CreateQueue with the same attributes is a no-op). */
export async function ensureMoveQueues(
  sqs: SQSClient,
  opts: { visibilityTimeoutSeconds?: number; prefix?: string } = {},
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
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
      },
    }),
  );
  if (!queue.QueueUrl || !dlq.QueueUrl) throw new Error('the SQS emulator returned no queue URL');
  return { queueUrl: queue.QueueUrl, dlqUrl: dlq.QueueUrl };
}
