/** MoveQueue on SQS FIFO: one message group per appointment, deduplicated by move_id. */
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

  async sendMove(record: MoveRecord): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(moveMessage(record)),
        // FIFO order per card; moves of different cards run in parallel.
        MessageGroupId: record.appointment_id,
        // A re-send within SQS's 5-minute dedup window (sweeper, client retry) is dropped by SQS.
        MessageDeduplicationId: record.move_id,
      }),
    );
  }

  async ping(): Promise<void> {
    await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['QueueArn'] }),
    );
  }
}
