/**
 * Board and stats: the API's latency, and the floor under it, the same index queries issued with
 * the SDK directly (what DynamoDbShopRepository.boardItems and statsItems send, pages followed).
 */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { addDays } from '../../domain/days';
import { statsSlices } from '../../infra/dynamodb/dynamodb-shop-repository';
import { INDEX_BY_DAY, INDEX_BY_MONTH, keys } from '../../infra/dynamodb/table';
import type { ApiClient, ApiResponse } from '../../scripts/lib/api-client';
import { timeSequential, type Latency } from './latency';

async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    count += res.Items?.length ?? 0;
    start = res.LastEvaluatedKey;
  } while (start);
  return count;
}

/** The board's query of one day (by_day index, the board's projection). */
export function boardQuery(doc: DynamoDBDocumentClient, tableName: string, day: string): Promise<number> {
  return queryAll(doc, {
    TableName: tableName,
    IndexName: INDEX_BY_DAY,
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.dayPartition(day) },
    ProjectionExpression:
      'id, #s, version, appt_start, appt_end, customer_id, vehicle_id, customer_name, vehicle_label, service_codes, notes',
    ExpressionAttributeNames: { '#s': 'status' },
  });
}

/** The stats' queries: week-long slices of each month on by_month, all in flight together. */
export async function statsQuery(
  doc: DynamoDBDocumentClient,
  tableName: string,
  from: string,
  to: string,
): Promise<number> {
  const counts = await Promise.all(
    statsSlices(from, to).map((slice) =>
      queryAll(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_MONTH,
        KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': keys.monthPartition(slice.from.slice(0, 7)),
          ':lo': `${slice.from}T`,
          ':hi': `${addDays(slice.to, 1)}T`,
        },
      }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

export interface ReadResult {
  api: Latency;
  floor: Latency;
  items: number;
  bytes: number;
}

function expect200(what: string, res: ApiResponse): void {
  if (res.status !== 200) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
}

export async function benchBoard(
  client: ApiClient,
  doc: DynamoDBDocumentClient,
  tableName: string,
  day: string,
  n: number,
): Promise<ReadResult> {
  let bytes = 0;
  const api = await timeSequential(n, 3, async () => {
    const res = await client.board({ date: day });
    expect200(`board ${day}`, res);
    bytes = res.text.length;
  });
  let items = 0;
  const floor = await timeSequential(n, 3, async () => {
    items = await boardQuery(doc, tableName, day);
  });
  return { api, floor, items, bytes };
}

export async function benchStats(
  client: ApiClient,
  doc: DynamoDBDocumentClient,
  tableName: string,
  from: string,
  to: string,
  n: number,
): Promise<ReadResult> {
  let bytes = 0;
  const warmup = n >= 10 ? 2 : 1;
  const api = await timeSequential(n, warmup, async () => {
    const res = await client.stats({ from, to });
    expect200(`stats ${from}..${to}`, res);
    bytes = res.text.length;
  });
  let items = 0;
  const floor = await timeSequential(n, warmup, async () => {
    items = await statsQuery(doc, tableName, from, to);
  });
  return { api, floor, items, bytes };
}
