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
  /** The dashboard figures of the last answer, checked present (by_technician: how many rows). */
  figures: StatsFigures;
}

export interface StatsFigures {
  car_count: number;
  average_repair_order_cents: number | null;
  show_rate: number | null;
  technicianRows: number;
}

export interface ReadResult {
  /** The technician filter of the board's requests, if any. */
  technician?: string;
  api: Latency;
  /** The same GET with the ETag of the last 200 in If-None-Match: each answered 304. */
  notModified: Latency;
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
  technician?: string,
): Promise<ReadResult> {
  let bytes = 0;
  let shown = 0;
  let etag: string | undefined;
  const query = { date: day, ...(technician ? { technician_id: technician } : {}) };
  const api = await timeSequential(n, 3, async () => {
    const res = await client.board(query);
    expect200(`board ${day}${technician ? ` of ${technician}` : ''}`, res);
    bytes = res.text.length;
    shown = res.body?.ok ? Object.values(res.body.data.columns).reduce((a, c) => a + c.items.length, 0) : 0;
    etag = res.headers.etag;
  });
  // In the same run as the 200s, so the two are compared at the same load.
  const notModified = await timeSequential(n, 3, async () => {
    const res = await client.board(query, etag);
    if (res.status !== 304) throw new Error(`board ${day} with its ETag: HTTP ${res.status}, not 304`);
  });
  // A filter that keeps nothing (or everything) measures nothing of its own.
  if (technician && shown === 0) throw new Error(`board ${day} of ${technician}: no cards`);
  let items = 0;
  // The filter is applied to the day's cards after this query, so the floor is the same with one.
  const floor = await timeSequential(n, 3, async () => {
    items = await boardQuery(doc, tableName, day);
  });
  if (technician && shown >= items) throw new Error(`board ${day} of ${technician}: every card shown`);
  return {
    ...(technician ? { technician } : {}),
    api,
    notModified,
    floor,
    items: technician ? shown : items,
    bytes,
  };
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
  let figures: StatsFigures | undefined;
  const ask = async () => {
    const res = await client.stats({ from, to });
    expect200(`stats ${from}..${to}`, res);
    if (!res.body?.ok) throw new Error(`stats ${from}..${to}: no body`);
    const d = res.body.data;
    figures = {
      car_count: d.car_count,
      average_repair_order_cents: d.average_repair_order_cents,
      show_rate: d.show_rate,
      technicianRows: Object.keys(d.by_technician).length,
    };
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
  if (!figures || figures.technicianRows < 2) {
    throw new Error(`stats ${from}..${to}: by_technician has no technician rows`);
  }
  return { cold, warm, indexFloor, storedFloor, items, storedDays, figures };
}
