/**
 * StatsDayStore on the single table (domain/stats-days.ts has the rules). Each day has up to two
 * items in its month's partition `STATS#<yyyy-mm>`:
 * - `DAY#<day>#REV`: `rev` and `changed_at`, bumped by writers (UpdateItem ADD), and one attribute
 *   `card#<id>` per card a write recorded: a number set of the versions those writes produced.
 *   A set, added to with ADD, because bumps of one card race (a slow after-bump of version 4 can
 *   land after both bumps of version 5): a union never loses the higher version, where a SET of a
 *   single value would put 4 back;
 * - `DAY#<day>#FIG`: the stored figures with the `figures_rev` they were computed at, written by
 *   readers with plain puts in batches. A bump landing after the reader's read leaves `figures_rev`
 *   behind `rev`, so the figures are not used: no condition is needed, and a cold request stores a
 *   month of days in two BatchWriteItem calls instead of one conditional write per day.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { monthsBetween } from '../../domain/days';
import type { CardVersion, StatsDayEntry, StatsDayStore, WarnLog } from '../../domain/ports';
import type { StatsFigures } from '../../domain/stats';
import type { StatsCard, StoredDayStats } from '../../domain/stats-days';
import { keys } from './table';

/** BatchWriteItem takes at most 25 puts; a cold 366-day range stores 15 batches, this many at once. */
const BATCH_SIZE = 25;
const BATCH_CONCURRENCY = 4;
/** Attempts at a batch's unprocessed items (DynamoDB hands back what it throttled). */
const BATCH_ATTEMPTS = 4;
/** BatchGetItem takes at most 100 keys. */
const GET_BATCH_SIZE = 100;
/** The rev item's attribute recording a card's versions. */
const CARD_PREFIX = 'card#';
/** What the stats read of a card, and its version (`status` is a reserved word). */
const CARD_PROJECTION = {
  ProjectionExpression: 'id, #status, #version, appt_start, service_codes, status_entered_at, technician_id',
  ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
};

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
        const cards = recordedCards(item);
        if (cards.size > 0) entry.cards = cards;
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

  async readCards(ids: readonly string[]): Promise<Map<string, StatsCard>> {
    const unique = [...new Set(ids)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += GET_BATCH_SIZE) chunks.push(unique.slice(i, i + GET_BATCH_SIZE));
    const cards = new Map<string, StatsCard>();
    await Promise.all(
      chunks.map(async (chunk) => {
        let keysLeft: Record<string, unknown>[] = chunk.map((id) => keys.appointment(id));
        for (let attempt = 1; keysLeft.length > 0; attempt++) {
          if (attempt > BATCH_ATTEMPTS) throw new Error(`cards unread after ${BATCH_ATTEMPTS} attempts`);
          if (attempt > 1) await this.sleep(25 * 2 ** attempt * Math.random());
          const res = await this.doc.send(
            new BatchGetCommand({
              RequestItems: {
                [this.tableName]: { Keys: keysLeft, ConsistentRead: true, ...CARD_PROJECTION },
              },
            }),
          );
          for (const item of res.Responses?.[this.tableName] ?? []) {
            cards.set(item.id as string, item as StatsCard);
          }
          keysLeft = (res.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
        }
      }),
    );
    return cards;
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

  async touchDays(days: readonly string[], at: string, card: CardVersion): Promise<void> {
    await Promise.all(
      days.map((day) =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.statsDayRev(day),
            UpdateExpression:
              'ADD #rev :one, #card :version SET #changed_at = :at, #day = :day, #kind = :kind, #type = :type',
            // Names throughout: several plain words (day, type) are DynamoDB reserved words.
            ExpressionAttributeNames: {
              '#rev': 'rev',
              '#card': `${CARD_PREFIX}${card.id}`,
              '#day': 'day',
              '#changed_at': 'changed_at',
              '#kind': 'kind',
              '#type': 'type',
            },
            ExpressionAttributeValues: {
              ':one': 1,
              ':version': new Set([card.version]),
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

/** The rev item's recorded cards: id → the highest version recorded. */
function recordedCards(item: Record<string, unknown>): Map<string, number> {
  const cards = new Map<string, number>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(CARD_PREFIX) || !(value instanceof Set)) continue;
    cards.set(name.slice(CARD_PREFIX.length), Math.max(...[...value].map(Number)));
  }
  return cards;
}
