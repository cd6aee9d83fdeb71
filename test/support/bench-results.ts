/**
 * Factories for the bench's results (loadtest/bench/results.ts), with round, made-up figures: a
 * report test names only the figures it checks.
 */
import type { Latency } from '../../loadtest/bench/latency';
import type { ContentionResult, OpenLoopResult } from '../../loadtest/bench/moves';
import { plan } from '../../loadtest/bench/plan';
import type { ReadResult, StatsReadResult } from '../../loadtest/bench/reads';
import type { RateRun, Results } from '../../loadtest/bench/results';
import type { ServerCost } from '../../loadtest/bench/server-cost';

/** A latency whose percentiles are p50, 1.5 × p50 (p95) and 2 × p50 (p99). */
export function aLatency(p50: number, n = 100): Latency {
  return { n, p50, p95: p50 * 1.5, p99: p50 * 2, max: p50 * 3, mean: p50 * 1.1 };
}

export function aServerCost(overrides: Partial<ServerCost> = {}): ServerCost {
  return {
    dynamoCallsPerMove: 6,
    pollReadsPerMove: 2,
    sqsCallsPerMove: 3,
    nodeCpuMsPerMove: 4,
    javaCpuMsPerMove: 8,
    cpuShare: 0.25,
    loopDelayP99: 12,
    calls: {
      GetItemCommand: 300,
      TransactWriteItemsCommand: 100,
      BatchGetItemCommand: 100,
      SendMessageCommand: 100,
    },
    ...overrides,
  };
}

/** A run at `rate` moves/s: 100 moves, submit p50 10 ms, end-to-end p50 40 ms, no errors. */
export function aRateRun(
  rate: number,
  result: Partial<OpenLoopResult> = {},
  cost: Partial<ServerCost> = {},
): RateRun {
  return {
    result: {
      rate,
      seconds: 10,
      offered: 100,
      submit: aLatency(10),
      e2e: aLatency(40),
      decision: aLatency(25),
      shed: 0,
      refused: 0,
      undecided: 0,
      decidedAfter: 0,
      stillUndecided: 0,
      drainMs: 0,
      outcomes: {
        applied: 100,
        noop: 0,
        conflict: 0,
        rejected: 0,
        failed: 0,
        http_error: 0,
        network_error: 0,
        timeout: 0,
      },
      errors: 0,
      achieved: rate,
      maxLagMs: 1,
      starved: 0,
      firstErrors: [],
      ...result,
    },
    cost: aServerCost(cost),
    clientCpuMsPerMove: 3,
  };
}

export function aContention(cards: number, overrides: Partial<ContentionResult> = {}): ContentionResult {
  return {
    cards,
    staff: 20,
    seconds: 15,
    journeys: 100,
    decided: 120,
    conflicts: 30,
    conflictsFirst: 20,
    conflictsRetry: 10,
    decidedFirst: 100,
    noops: 5,
    errors: 0,
    e2e: aLatency(50),
    movesPerSecond: 8,
    ...overrides,
  };
}

export function aBoardRead(apiP50: number, overrides: Partial<ReadResult> = {}): ReadResult {
  return {
    api: aLatency(apiP50, 40),
    notModified: aLatency(apiP50 / 5, 40),
    floor: aLatency(apiP50 / 2, 40),
    items: 200,
    bytes: 204_800,
    ...overrides,
  };
}

export function aStatsRead(warmP50: number, overrides: Partial<StatsReadResult> = {}): StatsReadResult {
  return {
    cold: aLatency(warmP50 * 10, 3),
    warm: aLatency(warmP50, 30),
    indexFloor: aLatency(warmP50 * 5),
    storedFloor: aLatency(warmP50 / 2),
    items: 6200,
    storedDays: 31,
    figures: { car_count: 4030, average_repair_order_cents: 6250, show_rate: 0.95, technicianRows: 5 },
    ...overrides,
  };
}

/** A full run: the fixed rates 1, 10 and 50/s, steps 20 (passed) and 30/s (failed), every read. */
export function benchResults(overrides: Partial<Results> = {}): Results {
  const p = plan(false, true, 2);
  return {
    started: new Date('2026-11-29T09:35:00.000Z'),
    finished: new Date('2026-11-29T09:40:17.000Z'),
    command: 'npm run bench',
    machine: {
      cpus: '2 × Test CPU',
      cores: 2,
      memory: '7.8 GiB (3.0 GiB free at start)',
      node: 'v24.11.0',
      java: 'openjdk version "17.0.12"',
      os: 'linux x64',
    },
    loadBefore: [0.5, 0.4, 0.3],
    loadAfter: [1.75, 1, 0.5],
    plan: p,
    idle: { java: 20, node: 10 },
    floor: {
      updateItem: aLatency(4),
      getItem: aLatency(2),
      transactWrite: aLatency(6),
      sqsSend: aLatency(1),
      sqsReceive: aLatency(1),
      sqsDelete: aLatency(1),
      sqsCycle: aLatency(3),
      cpu: {
        updateItem: { java: 1.5, node: 0 },
        getItem: { java: 0.5, node: 0 },
        transactWrite: { java: 2, node: 0 },
        sqsCycle: { java: 0, node: 1 },
      },
    },
    // submit = 4 + 1 = 5 ms; end-to-end = 5 + 1 + 2 + 6 + 1 + 2 = 17 ms.
    moveFloor: { submit: 5, e2e: 17 },
    rates: [aRateRun(1), aRateRun(10), aRateRun(50)],
    steps: [
      aRateRun(20),
      aRateRun(30, { errors: 2, firstErrors: ['timeout', 'timeout'], e2e: aLatency(900) }),
    ],
    highestRate: 20,
    stepStop: 'the next rate tried: 30/s had 2 errors and an end-to-end p95 of 1350 ms',
    contention: [aContention(5), aContention(50), aContention(200)],
    board: [
      { perDay: 50, read: aBoardRead(10) },
      { perDay: 200, read: aBoardRead(20) },
      { perDay: 1000, read: aBoardRead(60) },
      { perDay: 200, read: aBoardRead(16, { technician: 'bench-t1', items: 40 }) },
    ],
    stats: [
      { label: '7 days', days: 7, read: aStatsRead(5) },
      { label: '31 days', days: 31, read: aStatsRead(10) },
      { label: '366 days', days: 366, read: aStatsRead(30) },
      { label: '31 days up to today (today read live)', days: 31, read: aStatsRead(20) },
    ],
    ...overrides,
  };
}
