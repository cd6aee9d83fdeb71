/**
 * MoveQueue on SQS FIFO: one message group per appointment. The first send is deduplicated by
 * move_id (so the SDK's own retries of it are one message); every later send has an id of its own.
 */
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MoveRecord } from '../domain/move';
import type { MoveQueue } from '../domain/ports';
import type { MoveMessage } from '../domain/schemas';

export function moveMessage(record: MoveRecord): MoveMessage {
  return {
    move_id: record.move_id,
    appointment_id: record.appointment_id,
    to_status: record.to_status,
    expected_version: record.expected_version,
    ...(record.from_status && record.status === 'pending' ? { from_status: record.from_status } : {}),
    submitted_at: record.submitted_at,
  };
}

export class SqsMoveQueue implements MoveQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async sendMove(record: MoveRecord, opts: { resend?: boolean } = {}): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(moveMessage(record)),
        // FIFO order per card; moves of different cards run in parallel.
        MessageGroupId: record.appointment_id,
        // SQS drops, within 5 minutes, any message whose deduplication id it has seen, even after
        // delivering and deleting it (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html).
        // A re-send (re-POST, sweeper) must be delivered, so it gets a fresh id; the worker's
        // pending check makes any extra copy harmless. At most 128 characters.
        MessageDeduplicationId: opts.resend ? `${record.move_id}.${randomUUID()}` : record.move_id,
      }),
    );
  }

  async ping(): Promise<void> {
    await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['QueueArn'] }),
    );
  }
}
