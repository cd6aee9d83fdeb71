/**
 * StatsDayStore on the single table (domain/stats-days.ts has the rules). Each day has up to two
 * items in its month's partition `STATS#<yyyy-mm>`:
 * - `DAY#<day>#REV`: `rev` and `changed_at`, bumped by writers (UpdateItem ADD);
 * - `DAY#<day>#FIG`: the stored figures with the `figures_rev` they were computed at, written by
 *   readers with plain puts in batches. A bump landing after the reader's read leaves `figures_rev`
 *   behind `rev`, so the figures are not used: no condition is needed, and a cold request stores a
 *   month of days in two BatchWriteItem calls instead of one conditional write per day.
 */
import {
  BatchWriteCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { monthsBetween } from '../../domain/days';
import type { StatsDayEntry, StatsDayStore, WarnLog } from '../../domain/ports';
import type { StatsFigures } from '../../domain/stats';
import type { StoredDayStats } from '../../domain/stats-days';
import { keys } from './table';

/** BatchWriteItem takes at most 25 puts; a cold 366-day range stores 15 batches, this many at once. */
const BATCH_SIZE = 25;
const BATCH_CONCURRENCY = 4;
/** Attempts at a batch's unprocessed items (DynamoDB hands back what it throttled). */
const BATCH_ATTEMPTS = 4;

/** The Query of one month's stored days within [from, to], both items of each; the bench times it. */
export function storedDaysQuery(tableName: string, month: string, from: string, to: string) {
  return {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
    ExpressionAttributeValues: {
      ':pk': keys.statsMonthPartition(month),
      ':lo': `DAY#${from}#`,
      ':hi': `DAY#${to}#~`,
    },
    // A bump that landed before this read must be seen (stats-days.ts relies on it).
    ConsistentRead: true,
  };
}

export class DynamoDbStatsDayStore implements StatsDayStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly log: WarnLog,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async readDays(from: string, to: string): Promise<Map<string, StoredDayStats>> {
    const perMonth = await Promise.all(
      monthsBetween(from, to).map(async (month) => {
        const items: Record<string, unknown>[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const res = await this.doc.send(
            new QueryCommand({
              ...storedDaysQuery(this.tableName, month, from, to),
              ExclusiveStartKey: start,
            }),
          );
          items.push(...(res.Items ?? []));
          start = res.LastEvaluatedKey;
        } while (start);
        return items;
      }),
    );
    const days = new Map<string, StoredDayStats>();
    for (const item of perMonth.flat()) {
      const day = item.day as string;
      const entry = days.get(day) ?? { day, rev: 0 };
      if (item.kind === 'rev') {
        entry.rev = (item.rev as number | undefined) ?? 0;
        if (typeof item.changed_at === 'string') entry.changed_at = item.changed_at;
      } else if (item.kind === 'figures') {
        entry.figures = item.figures as StatsFigures;
        entry.figures_rev = item.figures_rev as number;
        entry.computed_at = item.computed_at as string;
        entry.catalog = item.catalog as string;
      }
      days.set(day, entry);
    }
    return days;
  }

  async saveDays(entries: readonly StatsDayEntry[]): Promise<void> {
    const batches: StatsDayEntry[][] = [];
    for (let i = 0; i < entries.length; i += BATCH_SIZE) batches.push(entries.slice(i, i + BATCH_SIZE));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++] as StatsDayEntry[];
        try {
          await this.writeBatch(batch);
        } catch (err) {
          this.log.warn('stats figures not stored; those days will be read live', {
            days: batch.map((e) => e.day),
            err,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, batches.length) }, worker));
  }

  private async writeBatch(batch: readonly StatsDayEntry[]): Promise<void> {
    let requests: Record<string, unknown[]> | undefined = {
      [this.tableName]: batch.map((entry) => ({
        PutRequest: {
          Item: {
            ...keys.statsDayFigures(entry.day),
            type: 'stats_day',
            kind: 'figures',
            day: entry.day,
            figures: entry.figures,
            figures_rev: entry.rev,
            computed_at: entry.computed_at,
            catalog: entry.catalog,
          },
        },
      })),
    };
    for (let attempt = 1; requests && Object.keys(requests).length > 0; attempt++) {
      if (attempt > BATCH_ATTEMPTS) throw new Error(`unprocessed after ${BATCH_ATTEMPTS} attempts`);
      if (attempt > 1) await this.sleep(25 * 2 ** attempt * Math.random());
      const res = await this.doc.send(new BatchWriteCommand({ RequestItems: requests as never }));
      requests = res.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }

  async touchDays(days: readonly string[], at: string): Promise<void> {
    await Promise.all(
      days.map((day) =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.statsDayRev(day),
            UpdateExpression:
              'ADD #rev :one SET #changed_at = :at, #day = :day, #kind = :kind, #type = :type',
            // Names throughout: several plain words (day, type) are DynamoDB reserved words.
            ExpressionAttributeNames: {
              '#rev': 'rev',
              '#day': 'day',
              '#changed_at': 'changed_at',
              '#kind': 'kind',
              '#type': 'type',
            },
            ExpressionAttributeValues: {
              ':one': 1,
              ':at': at,
              ':day': day,
              ':kind': 'rev',
              ':type': 'stats_day',
            },
          }),
        ),
      ),
    );
  }
}
