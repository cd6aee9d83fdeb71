/**
 * StatsDayStore on the single table: one item per settled day (`STATS#<month>` / `DAY#<day>`),
 * holding its stored figures and the change counter that retires them (domain/stats-days.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monthsBetween } from '../../domain/days';
import type { StatsDayEntry, StatsDayStore, WarnLog } from '../../domain/ports';
import type { StatsFigures } from '../../domain/stats';
import type { StoredDayStats } from '../../domain/stats-days';
import { keys } from './table';

/** How many figure writes one stats request keeps in flight (a cold 366-day range stores 366). */
const SAVE_CONCURRENCY = 16;

/** The Query of one month's stored days within [from, to]; the bench times the same request. */
export function storedDaysQuery(tableName: string, month: string, from: string, to: string) {
  return {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
    ExpressionAttributeValues: {
      ':pk': keys.statsMonthPartition(month),
      ':lo': `DAY#${from}`,
      ':hi': `DAY#${to}`,
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
  ) {}

  async readDays(from: string, to: string): Promise<Map<string, StoredDayStats>> {
    const perMonth = await Promise.all(
      monthsBetween(from, to).map(async (month) => {
        const items: StoredDayStats[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const res = await this.doc.send(
            new QueryCommand({
              ...storedDaysQuery(this.tableName, month, from, to),
              ExclusiveStartKey: start,
            }),
          );
          for (const item of res.Items ?? []) items.push(toStored(item));
          start = res.LastEvaluatedKey;
        } while (start);
        return items;
      }),
    );
    return new Map(perMonth.flat().map((s) => [s.day, s]));
  }

  async saveDays(entries: readonly StatsDayEntry[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < entries.length) {
        const entry = entries[next++] as (typeof entries)[number];
        try {
          await this.doc.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.statsDay(entry.day),
              UpdateExpression:
                'SET #figures = :f, #figures_rev = :rev, #computed_at = :at, #catalog = :catalog, #day = :day, #rev = if_not_exists(#rev, :zero)',
              // Only over the rev the figures were computed at: a write bumped it since? Then
              // these figures may miss that write, and the day stays live until the next request.
              ConditionExpression: 'attribute_not_exists(#rev) OR #rev = :rev',
              // Names throughout: several plain words (day, catalog) are DynamoDB reserved words.
              ExpressionAttributeNames: {
                '#figures': 'figures',
                '#figures_rev': 'figures_rev',
                '#computed_at': 'computed_at',
                '#catalog': 'catalog',
                '#rev': 'rev',
                '#day': 'day',
              },
              ExpressionAttributeValues: {
                ':f': entry.figures,
                ':rev': entry.rev,
                ':at': entry.computed_at,
                ':catalog': entry.catalog,
                ':day': entry.day,
                ':zero': 0,
              },
            }),
          );
        } catch (err) {
          if (err instanceof ConditionalCheckFailedException) continue;
          this.log.warn('stats figures of a day not stored; it will be read live', { day: entry.day, err });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SAVE_CONCURRENCY, entries.length) }, worker));
  }

  async touchDays(days: readonly string[], at: string): Promise<void> {
    await Promise.all(
      days.map((day) =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.statsDay(day),
            UpdateExpression: 'ADD #rev :one SET #changed_at = :at, #day = :day',
            ExpressionAttributeNames: { '#rev': 'rev', '#day': 'day', '#changed_at': 'changed_at' },
            ExpressionAttributeValues: { ':one': 1, ':at': at, ':day': day },
          }),
        ),
      ),
    );
  }
}

function toStored(item: Record<string, unknown>): StoredDayStats {
  return {
    day: item.day as string,
    rev: (item.rev as number | undefined) ?? 0,
    ...(typeof item.changed_at === 'string' ? { changed_at: item.changed_at } : {}),
    ...(item.figures ? { figures: item.figures as StatsFigures } : {}),
    ...(typeof item.figures_rev === 'number' ? { figures_rev: item.figures_rev } : {}),
    ...(typeof item.computed_at === 'string' ? { computed_at: item.computed_at } : {}),
    ...(typeof item.catalog === 'string' ? { catalog: item.catalog } : {}),
  };
}
