/**
 * History entries on the single table: one item per (card, version) under the card's partition
 * (table.ts keys.historyEntry), put inside the transaction that makes that version, on the condition
 * that no entry of that version exists, so a retried or duplicated write can never add it twice.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HistoryEntry } from '../../domain/history';
import { fromItem } from './items';
import { HISTORY_SK_PREFIX, keys } from './table';

/** The transaction item that writes `entry` of card `appointmentId`. */
export function historyPut(tableName: string, appointmentId: string, entry: HistoryEntry) {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.historyEntry(appointmentId, entry.version), type: 'history', ...entry },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** A page of a card's entries, newest first, from below `beforeVersion` (or the newest). */
export async function queryHistory(
  doc: DynamoDBDocumentClient,
  tableName: string,
  appointmentId: string,
  limit: number,
  beforeVersion?: number,
): Promise<HistoryEntry[]> {
  const { PK } = keys.historyEntry(appointmentId, 0);
  const res = await doc.send(
    new QueryCommand({
      TableName: tableName,
      ...(beforeVersion === undefined
        ? {
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
            ExpressionAttributeValues: { ':pk': PK, ':prefix': HISTORY_SK_PREFIX },
          }
        : {
            KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
            ExpressionAttributeValues: {
              ':pk': PK,
              ':lo': keys.historyEntry(appointmentId, 0).SK,
              ':hi': keys.historyEntry(appointmentId, beforeVersion - 1).SK,
            },
          }),
      ScanIndexForward: false,
      Limit: limit,
      // Read after the write that made the version: a client reading its own change sees it.
      ConsistentRead: true,
    }),
  );
  return (res.Items ?? []).map((item) => fromItem<HistoryEntry>(item));
}
