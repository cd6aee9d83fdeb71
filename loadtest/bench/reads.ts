/**
 * Board and stats: the API's latency, and the floor under it, the same index queries issued with
 * the SDK directly (what DynamoDbShopRepository.boardItems and statsItems send, pages followed).
 */
import {
  BatchWriteCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { daysBetween, monthsBetween } from '../../domain/days';
import { boardDayQuery, statsSliceQuery, statsSlices } from '../../infra/dynamodb/dynamodb-shop-repository';
import { BENCH_TIME_ZONE } from './seed';
import { storedDaysQuery } from '../../infra/dynamodb/dynamodb-stats-day-store';
import { keys } from '../../infra/dynamodb/table';
import type { ApiClient, ApiResponse } from '../../client/api-client';
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
  return queryAll(doc, { TableName: tableName, ...boardDayQuery(day) });
}

/** Runs the queries side by side; the number of items they returned. */
async function countAll(doc: DynamoDBDocumentClient, inputs: QueryCommandInput[]): Promise<number> {
  const counts = await Promise.all(inputs.map((input) => queryAll(doc, input)));
  return counts.reduce((a, b) => a + b, 0);
}

/** What a cold stats request reads: week-long slices of each month on by_month, all in flight. */
export function statsQuery(doc: DynamoDBDocumentClient, tableName: string, from: string, to: string) {
  return countAll(
    doc,
    statsSlices(from, to).map((slice) => ({
      TableName: tableName,
      ...statsSliceQuery(slice, BENCH_TIME_ZONE),
    })),
  );
}

/** What a warm stats request reads: the range's stored days, one strongly consistent Query a month. */
export function storedDaysRead(doc: DynamoDBDocumentClient, tableName: string, from: string, to: string) {
  return countAll(
    doc,
    monthsBetween(from, to).map((month) => storedDaysQuery(tableName, month, from, to)),
  );
}

/** Deletes the range's stored figures, so the next stats request is cold. */
async function forgetStoredDays(doc: DynamoDBDocumentClient, tableName: string, from: string, to: string) {
  const days = daysBetween(from, to);
  for (let i = 0; i < days.length; i += 25) {
    let requests: Record<string, unknown[]> | undefined = {
      [tableName]: days
        .slice(i, i + 25)
        .map((day) => ({ DeleteRequest: { Key: keys.statsDayFigures(day) } })),
    };
    while (requests && Object.keys(requests).length > 0) {
      const res = await doc.send(new BatchWriteCommand({ RequestItems: requests as never }));
      requests = res.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }
}

export interface StatsReadResult {
  /** Requests with no stored day in the range: each reads the index and stores every day. */
  cold: Latency;
  /** Requests once the range's settled days are stored. */
  warm: Latency;
  /** The index queries a cold request makes. */
  indexFloor: Latency;
  /** The stored-days queries a warm request makes. */
  storedFloor: Latency;
  items: number;
  storedDays: number;
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
  coldN: number,
): Promise<StatsReadResult> {
  const ask = async () => {
    const res = await client.stats({ from, to });
    expect200(`stats ${from}..${to}`, res);
  };
  const cold = await timeSequential(coldN, 0, ask, () => forgetStoredDays(doc, tableName, from, to));
  const warmup = n >= 10 ? 2 : 1;
  const warm = await timeSequential(n, warmup, ask);
  let items = 0;
  const indexFloor = await timeSequential(n, warmup, async () => {
    items = await statsQuery(doc, tableName, from, to);
  });
  let storedDays = 0;
  const storedFloor = await timeSequential(n, warmup, async () => {
    storedDays = await storedDaysRead(doc, tableName, from, to);
  });
  return { cold, warm, indexFloor, storedFloor, items, storedDays };
}
