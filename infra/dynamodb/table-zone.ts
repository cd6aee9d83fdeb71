/**
 * The table's time zone item: which zone's local days its day keys (by_day, by_month, STATS#)
 * are of. Written when the table is first used, rewritten only by scripts/reindex-days.ts once it
 * has re-keyed everything; the zone guard (infra/zone-guard.ts) compares it with SHOP_TIMEZONE.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './table';

/** The zone the table's day keys are of; undefined when no zone item was ever written. */
export async function readTableZone(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<string | undefined> {
  const res = await doc.send(
    new GetCommand({ TableName: tableName, Key: keys.tableZone, ConsistentRead: true }),
  );
  const zone = res.Item?.time_zone;
  return typeof zone === 'string' ? zone : undefined;
}

/**
 * The table's zone: the one stored, or `zone` written as it, if the table has none yet (its
 * first use). A conditional put, so two first users cannot both claim it.
 */
export async function claimTableZone(
  doc: DynamoDBDocumentClient,
  tableName: string,
  zone: string,
  now: string,
): Promise<string> {
  const stored = await readTableZone(doc, tableName);
  if (stored !== undefined) return stored;
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.tableZone, type: 'table_zone', time_zone: zone, updated_at: now },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return zone;
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    return (await readTableZone(doc, tableName)) ?? zone;
  }
}

/** Sets the table's zone: reindex-days's last step, after every day key is of `zone`. */
export async function writeTableZone(
  doc: DynamoDBDocumentClient,
  tableName: string,
  zone: string,
  now: string,
): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.tableZone, type: 'table_zone', time_zone: zone, updated_at: now },
    }),
  );
}
