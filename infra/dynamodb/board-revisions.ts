/**
 * The days' board revisions on the single table (domain/board-revision.ts has the rules). A day
 * has up to BOARD_REV_SHARDS items `REV#<yyyy-mm>` / `BOARD#<day>#<shard>` holding `rev` and
 * `changed_at_ms`. Card writes bump one shard, picked at random, inside their own transaction:
 * the card and its revision change together or not at all, so no crash leaves a board stale, and
 * writes of one day rarely meet on a shard; when they do (TransactionConflict on a shard), the
 * write is sent again with other shards.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DayRevision, RevisionShard } from '../../domain/board-revision';
import type { BoardRevisionStore } from '../../domain/ports';
import { BOARD_REV_SHARDS, BOARD_REV_SK_PREFIX, keys } from './table';

/** Attempts of a card write whose only trouble is another write on the same revision shard. */
const REV_ATTEMPTS = 4;

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** The transaction item that bumps a random shard of `day`'s revision. */
export function boardRevBump(
  tableName: string,
  day: string,
  nowMs: number,
  shard = Math.floor(Math.random() * BOARD_REV_SHARDS),
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.boardRev(day, shard),
      UpdateExpression: 'ADD #rev :one SET #at = :at',
      ExpressionAttributeNames: { '#rev': 'rev', '#at': 'changed_at_ms' },
      ExpressionAttributeValues: { ':one': 1, ':at': nowMs },
    },
  };
}

/**
 * Sends a card write's transaction with a revision bump of each of `days` after `items` (so the
 * callers' cancellation reasons keep their indexes). A cancellation whose only conflict is on a
 * revision shard is retried with fresh shards; anything else is the caller's to read.
 */
export async function sendCardTransaction(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: readonly TransactItem[],
  days: readonly string[],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const bumps = [...new Set(days)].map((day) => boardRevBump(tableName, day, Date.now()));
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: [...items, ...bumps] }));
      return;
    } catch (err) {
      if (attempt < REV_ATTEMPTS && conflictOnRevisionsOnly(err, items.length)) continue;
      throw err;
    }
  }
}

function conflictOnRevisionsOnly(err: unknown, cardItems: number): boolean {
  if (!(err instanceof TransactionCanceledException)) return false;
  const codes = (err.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return (
    codes.slice(0, cardItems).every((c) => c === 'None') &&
    codes.slice(cardItems).some((c) => c === 'TransactionConflict')
  );
}

/** Runs of consecutive days within one month: one Query each. */
function monthRuns(days: readonly string[]): Array<{ from: string; to: string }> {
  const runs: Array<{ from: string; to: string }> = [];
  for (const day of [...days].sort()) {
    const last = runs.at(-1);
    if (last && last.from.slice(0, 7) === day.slice(0, 7)) last.to = day;
    else runs.push({ from: day, to: day });
  }
  return runs;
}

export class DynamoDbBoardRevisions implements BoardRevisionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readDays(days: readonly string[]): Promise<DayRevision[]> {
    const wanted = new Set(days);
    const byDay = new Map<string, RevisionShard[]>(days.map((d) => [d, []]));
    await Promise.all(
      monthRuns(days).map(async (run) => {
        let start: Record<string, unknown> | undefined;
        do {
          const res = await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
              ExpressionAttributeValues: {
                ':pk': keys.revMonthPartition(run.from.slice(0, 7)),
                ':lo': `${BOARD_REV_SK_PREFIX}${run.from}#`,
                ':hi': `${BOARD_REV_SK_PREFIX}${run.to}#~`,
              },
              // A bump committed before this read must be seen, or a 304 could hide it.
              ConsistentRead: true,
              ExclusiveStartKey: start,
            }),
          );
          for (const item of res.Items ?? []) {
            const [day, shard] = String(item.SK).slice(BOARD_REV_SK_PREFIX.length).split('#');
            if (!day || !wanted.has(day)) continue;
            byDay.get(day)?.push({
              shard: Number(shard),
              rev: Number(item.rev ?? 0),
              changedAtMs: Number(item.changed_at_ms ?? 0),
            });
          }
          start = res.LastEvaluatedKey;
        } while (start);
      }),
    );
    return [...byDay].map(([day, shards]) => ({ day, shards }));
  }
}
