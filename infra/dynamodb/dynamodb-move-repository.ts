/**
 * MoveRepository on the single table. Every write is conditional, so a redelivered message can
 * neither apply a move twice nor overwrite a settled outcome.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Appointment } from '../../domain/appointment';
import type { HistoryEntry } from '../../domain/history';
import type { FailureReason, MoveRecord } from '../../domain/move';
import type { CommitResult, MoveRepository, RecordMoveResult } from '../../domain/ports';
import { historyPut } from './history-items';
import { appointmentItem, fromItem } from './items';
import { INDEX_PENDING_MOVES, PENDING_SHARDS, keys } from './table';

/** The pending index's sort key: the moment the sweeper should next look at the move. */
const sweepSortKey = (dueAt: string, moveId: string) => `${dueAt}#${moveId}`;

function moveItem(record: MoveRecord): Record<string, unknown> {
  const { sweep_due_at: dueAt, ...fields } = record;
  return {
    ...keys.move(record.move_id),
    type: 'move',
    // Only pending moves sit in the sparse pending index, which the sweeper reads by due time.
    ...(record.status === 'pending'
      ? {
          GSI3PK: keys.pendingPartition(record.move_id),
          GSI3SK: sweepSortKey(dueAt ?? record.submitted_at, record.move_id),
        }
      : {}),
    ...fields,
  };
}

/** The stored item back as a move record (the due time lives only in the index key). */
function moveFromItem(item: Record<string, unknown>): MoveRecord {
  const record = fromItem<MoveRecord>(item);
  const sk = item.GSI3SK;
  if (record.status === 'pending' && typeof sk === 'string') record.sweep_due_at = sk.split('#')[0];
  return record;
}

const reasonCode = (r: CancellationReason | undefined) => r?.Code ?? 'None';

export class DynamoDbMoveRepository implements MoveRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The shop's time zone: the local days a card's index keys are of. */
    private readonly timeZone: string,
  ) {}

  async recordPendingMove(record: MoveRecord): Promise<RecordMoveResult> {
    // The card check and the move's creation run side by side: one round trip of latency, and no
    // transaction on the card, which would conflict with the worker's writes to a busy card.
    const [card, created] = await Promise.all([
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: keys.appointment(record.appointment_id),
          ConsistentRead: true,
          ProjectionExpression: 'PK',
        }),
      ),
      this.putNewMove(record),
    ]);
    if (!card.Item) {
      // No such card: take back the move we just wrote (only if it is still ours and pending).
      if (created.kind === 'created') await this.deletePendingMove(record.move_id);
      return { kind: 'appointment_not_found' };
    }
    return created;
  }

  private async putNewMove(
    record: MoveRecord,
  ): Promise<{ kind: 'created' } | { kind: 'exists'; record: MoveRecord }> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: moveItem(record),
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'created' };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = err.Item
        ? moveFromItem(unmarshall(err.Item as never))
        : await this.getMove(record.move_id, true);
      if (!existing) throw err;
      return { kind: 'exists', record: existing };
    }
  }

  private async deletePendingMove(moveId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.move(moveId),
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async getMove(moveId: string, consistent = false): Promise<MoveRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.move(moveId), ConsistentRead: consistent }),
    );
    return res.Item ? moveFromItem(res.Item) : undefined;
  }

  async getMoveAndCard(
    moveId: string,
    appointmentId: string,
  ): Promise<{ move?: MoveRecord; card?: Appointment }> {
    let pending: Record<string, string>[] = [keys.move(moveId), keys.appointment(appointmentId)];
    const found: Record<string, unknown>[] = [];
    // BatchGet may return some keys as unprocessed under load; ask again for those.
    while (pending.length > 0) {
      const res = await this.doc.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(res.Responses?.[this.tableName] ?? []));
      pending = (res.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, string>[] | undefined) ?? [];
    }
    const move = found.find((i) => i.type === 'move');
    const card = found.find((i) => i.type === 'appointment');
    return {
      move: move ? moveFromItem(move) : undefined,
      card: card ? fromItem<Appointment>(card) : undefined,
    };
  }

  async commitAppliedMove(
    card: Appointment,
    readVersion: number,
    settled: MoveRecord,
    entry: HistoryEntry,
  ): Promise<CommitResult> {
    try {
      await this.doc.send(
        // No ClientRequestToken of our own: the SDK makes one per command and keeps it across its
        // retries, which is what makes a retried transaction idempotent. A fixed token would make a
        // later attempt that writes other timestamps fail with IdempotentParameterMismatch.
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: appointmentItem(card, this.timeZone),
                // The seed's `WHERE id=? AND version=?`.
                ConditionExpression: 'attribute_exists(PK) AND version = :v',
                ExpressionAttributeValues: { ':v': readVersion },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: moveItem(settled),
                ConditionExpression: '#s = :pending',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':pending': 'pending' },
              },
            },
            // The card's entry for its new version: a new item of its own, so no move of another
            // card and no reader contends with it (one more item: 2 WCU per KB, like the others).
            historyPut(this.tableName, card.id, entry),
          ],
        }),
      );
      return { kind: 'committed' };
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      // An entry that already exists while the card is still at readVersion cannot happen (the two
      // are written together); if it ever did, the error below fails the record, loudly.
      const [cardReason, moveReason, entryReason] = err.CancellationReasons ?? [];
      if (reasonCode(moveReason) === 'ConditionalCheckFailed') return { kind: 'already_settled' };
      // A PATCH is a transaction on the card and its entry too: when the two meet, DynamoDB cancels
      // one. The card is being changed under us, so read it again and decide again rather than
      // fail the record and wait out a visibility timeout.
      if ([cardReason, entryReason].some((r) => reasonCode(r) === 'TransactionConflict')) {
        return { kind: 'card_changed' };
      }
      if (reasonCode(cardReason) === 'ConditionalCheckFailed') {
        const item = cardReason?.Item
          ? fromItem<Appointment>(unmarshall(cardReason.Item as never))
          : undefined;
        return { kind: 'card_changed', card: item };
      }
      throw err;
    }
  }

  async settleMove(settled: MoveRecord): Promise<'settled' | 'already_settled'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: moveItem(settled),
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      );
      return 'settled';
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return 'already_settled';
      throw err;
    }
  }

  async failPendingMove(
    moveId: string,
    reason: FailureReason,
    at: string,
  ): Promise<'settled' | 'already_settled'> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.move(moveId),
          UpdateExpression: 'SET #s = :failed, reason = :reason, decided_at = :at REMOVE GSI3PK, GSI3SK',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':failed': 'failed',
            ':reason': reason,
            ':at': at,
          },
        }),
      );
      return 'settled';
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return 'already_settled';
      throw err;
    }
  }

  async markResent(moveId: string, at: string, sweepDueAt: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.move(moveId),
          UpdateExpression: 'SET resent_at = :at, GSI3SK = :sk ADD resends :one',
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':at': at,
            ':sk': sweepSortKey(sweepDueAt, moveId),
            ':one': 1,
          },
        }),
      );
    } catch (err) {
      // Settled meanwhile: it has already left the pending index.
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async listDueMoves(now: string, limit: number): Promise<MoveRecord[]> {
    const shards = await Promise.all(
      Array.from({ length: PENDING_SHARDS }, (_, i) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEX_PENDING_MOVES,
            KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK < :now',
            ExpressionAttributeValues: { ':pk': keys.pendingShard(i), ':now': now },
            Limit: limit,
          }),
        ),
      ),
    );
    return shards
      .flatMap((res) => (res.Items ?? []).map((item) => moveFromItem(item)))
      .sort((a, b) => ((a.sweep_due_at ?? '') < (b.sweep_due_at ?? '') ? -1 : 1))
      .slice(0, limit);
  }
}
