/**
 * The bench's runs, in order, on one fresh local stack in its own process (server-process.ts):
 *
 * 1. the idle stack's CPU burn (5 s), subtracted from every per-move CPU figure;
 * 2. cards for the move runs (a pool on a day to come, and the contention days);
 * 3. a warm-up (DynamoDB Local's JIT), not measured;
 * 4. the floor: the SDK's own round trips (floor.ts);
 * 5. moves at the plan's fixed rates (open loop), then stepping the rate up until the first error
 *    or an end-to-end p95 over the limit: the highest sustained rate;
 * 6. contention: 20 staff on 5, 50 and 200 cards;
 * 7. the technicians, a history of appointments (days × per day, most given to a technician) and
 *    the board days, then the board's latency (also with a technician filter) and the stats'
 *    (with car_count, average repair order, show rate and by_technician) against their index queries.
 *
 * With `readsOnly` (--reads-only) steps 2-6 are skipped: a quick check of the read runs alone.
 *
 * The queue is drained after every move run, so one run's backlog never weighs on the next.
 */
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addDays } from '../../domain/days';
import { createDocumentClient, createSqsClient } from '../../infra/aws-clients';
import { ApiClient } from '../../client/api-client';
import { measureFloor, moveFloor, type IdleCpu } from './floor';
import { fmt } from './latency';
import { describeMachine } from './machine';
import { contention, openLoop, type ContentionResult, type PoolCard } from './moves';
import { plan, type Plan } from './plan';
import { benchBoard, benchStats } from './reads';
import type { RateRun, Results } from './results';
import { BENCH_TECHNICIANS, makeAppointment, writeAppointments, writeTechnicians } from './seed';
import type { ServerReady } from './server';
import { isFailureKey, serverCost } from './server-cost';
import { ServerProcess } from './server-process';

export type Say = (line: string) => void;

const stderrSay: Say = (line) => process.stderr.write(`bench: ${line}\n`);

/** The last day of the stats history; far enough back that every day of it is settled. */
const HISTORY_LAST_DAY = '2026-01-01';
/** First of the board days that are not history days (one day per board size). */
const BOARD_FIRST_DAY = '2004-02-01';

/** What every run needs: the stack, the clients on it, the plan, the idle burn, the progress line. */
interface Bench {
  server: ServerProcess;
  info: ServerReady;
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  client: ApiClient;
  plan: Plan;
  idle: IdleCpu;
  say: Say;
}

/** A fresh stack in its own process, and the clients the runs use on it. */
async function startStack(pollers: number, say: Say) {
  say(`starting a fresh in-memory local stack (${pollers} pollers)…`);
  const server = await ServerProcess.start(pollers);
  const { info } = server;
  return {
    server,
    info,
    doc: createDocumentClient({ region: info.region, endpoint: info.dynamodbEndpoint }),
    sqs: createSqsClient({ region: info.region, endpoint: info.sqsEndpoint }),
    client: new ApiClient({
      baseUrl: info.apiUrl,
      sign: { region: info.region, service: 'lambda' },
      timeoutMs: 15_000,
    }),
  };
}

/** Runs the whole bench (about 8 minutes; --quick about 2) and returns what it measured. */
export async function runBench(p: Plan, command: string, say: Say = stderrSay): Promise<Results> {
  const started = new Date();
  const loadBefore = loadavg();
  const { server, info, doc, sqs, client } = await startStack(p.pollers, say);
  try {
    const idle = await idleBaseline(server, say);
    const b: Bench = { server, info, doc, sqs, client, plan: p, idle, say };

    // Moves go to cards of days to come, as staff's do (today's board): a move on a settled day's
    // card also bumps that day's stats counter (domain/stats-days.ts), which is not the common case.
    const today = new Date().toISOString().slice(0, 10);
    const moves = p.readsOnly ? undefined : await moveRuns(b, today);
    say(`floor: ${p.floorN} calls each…`);
    const floor =
      moves?.floor ?? (await measureFloor(doc, sqs, info.tableName, p.floorN, 30, () => server.cpu(), idle));
    const boardDays = await seedHistory(b);
    const board = await boardReads(b, boardDays);
    const stats = await statsReads(b, today);

    return {
      started,
      finished: new Date(),
      command,
      machine: describeMachine(),
      loadBefore,
      loadAfter: loadavg(),
      plan: p,
      idle,
      floor,
      moveFloor: moveFloor(floor),
      rates: moves?.rates ?? [],
      steps: moves?.search.steps ?? [],
      highestRate: moves?.search.highestRate ?? 0,
      stepStop: moves?.search.stepStop ?? 'not run (--reads-only)',
      ...(moves?.overload ? { overload: moves.overload } : {}),
      contention: moves?.contention ?? [],
      board,
      stats,
    };
  } finally {
    doc.destroy();
    sqs.destroy();
    await server.stop();
  }
}

/**
 * A targeted run (--moves-at): the idle baseline, the pool, the warm-up, then one open-loop run at
 * `rate` for `seconds`, with the stack process's CPU profile written into `profileDir` when given.
 * Prints a few lines (no report, nothing written into the docs): quicker than the whole bench on a
 * busy machine when one figure is wanted.
 */
export async function runMovesAt(
  pollers: number,
  rate: number,
  seconds: number,
  profileDir: string | undefined,
  say: Say = stderrSay,
): Promise<string[]> {
  const loadBefore = loadavg();
  const { server, info, doc, sqs, client } = await startStack(pollers, say);
  try {
    const idle = await idleBaseline(server, say);
    const quick = plan(true, false, pollers);
    const p = { ...quick, contention: { ...quick.contention, cards: [] } };
    const b: Bench = { server, info, doc, sqs, client, plan: p, idle, say };
    const today = new Date().toISOString().slice(0, 10);
    const cards = await seedMoveCards(b, addDays(today, 2), []);
    b.say('warming up (100 moves at 20/s, not measured)…');
    await openLoop(b.client, cards, 20, 5);
    await drainQueue(b);
    const profile = profileDir ? join(profileDir, `stack-${rate}per-s-${Date.now()}.cpuprofile`) : undefined;
    if (profile) {
      await mkdir(profileDir as string, { recursive: true });
      await server.startProfile();
    }
    b.say(`moves at ${rate}/s for ${seconds} s…`);
    const run = await rateRun(b, cards, rate, seconds);
    if (profile) await server.stopProfile(profile);
    return movesAtLines(run, loadBefore, loadavg(), profile);
  } finally {
    doc.destroy();
    sqs.destroy();
    await server.stop();
  }
}

function movesAtLines(run: RateRun, loadBefore: number[], loadAfter: number[], profile?: string): string[] {
  const x = run.result;
  const c = run.cost;
  const moves = x.offered - x.starved;
  const perMove = (failures: boolean) =>
    Object.entries(c.calls)
      .filter(([k]) => isFailureKey(k) === failures)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k.replace('Command', '')} ${(n / moves).toFixed(2)}`)
      .join(', ');
  const la = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  return [
    `moves at ${x.rate}/s for ${x.seconds} s: ${moves} submitted, ${x.errors} errors, outcomes ${JSON.stringify(x.outcomes)}`,
    `submit p50 ${fmt(x.submit.p50)} ms; end-to-end p50 ${fmt(x.e2e.p50)} p95 ${fmt(x.e2e.p95)} ms`,
    `429s waited out ${x.shed}, submits still refused ${x.refused}; accepted moves not seen decided ${x.undecided} (asked again after the run: ${x.decidedAfter} decided, ${x.stillUndecided} not)`,
    `decision after the submit's answer: p50 ${fmt(x.decision.p50)} p95 ${fmt(x.decision.p95)} p99 ${fmt(x.decision.p99)} max ${fmt(x.decision.max)} ms (n=${x.decision.n})`,
    `DynamoDB calls per move ${c.dynamoCallsPerMove.toFixed(2)}, SQS ${c.sqsCallsPerMove.toFixed(2)}; every call per move: ${perMove(false)}`,
    `failed calls per move: ${perMove(true) || 'none'}`,
    `CPU per move: stack ${fmt(c.nodeCpuMsPerMove)} ms, DynamoDB Local ${fmt(c.javaCpuMsPerMove)} ms, client ${fmt(run.clientCpuMsPerMove)} ms`,
    `load average before ${la(loadBefore)}, after ${la(loadAfter)}`,
    ...(profile
      ? [`CPU profile of the stack process: ${profile} (npm run cpu-profile-top -- ${profile})`]
      : []),
  ];
}

/** Steps 2-6: the move runs' cards, the warm-up, the floor, the move rates and the contention runs. */
async function moveRuns(b: Bench, today: string) {
  const p = b.plan;
  const contentionDays = p.contention.cards.map((_, i) => addDays(today, 3 + i));
  const cards = await seedMoveCards(b, addDays(today, 2), contentionDays);

  // DynamoDB Local's JIT compiles its hot paths during the first thousands of calls.
  b.say('warming up (100 moves at 20/s, not measured)…');
  await openLoop(b.client, cards, 20, 5);
  await drainQueue(b);

  b.say(`floor: ${p.floorN} calls each…`);
  const floor = await measureFloor(
    b.doc,
    b.sqs,
    b.info.tableName,
    p.floorN,
    30,
    () => b.server.cpu(),
    b.idle,
  );

  const rates: RateRun[] = [];
  for (const { rate, seconds } of p.rates) {
    b.say(`moves at ${rate}/s for ${seconds} s…`);
    rates.push(await rateRun(b, cards, rate, seconds));
  }
  const search = await highestSustainedRate(b, cards, rates);
  const overload = await overloadRun(b, cards, search.highestRate);
  const contention = await contentionRuns(b, contentionDays);
  return { floor, rates, search, overload, contention };
}

/** CPU ms per second the idle stack burns, over 5 s. */
async function idleBaseline(server: ServerProcess, say: Say): Promise<IdleCpu> {
  say('idle baseline (5 s)…');
  const idle0 = await server.cpu();
  await sleep(5000);
  const idle1 = await server.cpu();
  return { java: (idle1.java - idle0.java) / 5, node: (idle1.node - idle0.node) / 5 };
}

/** 1200 scheduled cards on `poolDay` for the open-loop runs, and each contention run's cards on its day. */
async function seedMoveCards(b: Bench, poolDay: string, contentionDays: string[]): Promise<PoolCard[]> {
  const pool = Array.from({ length: 1200 }, (_, i) => makeAppointment(poolDay, i, 'pool'));
  b.say('seeding cards for the move runs…');
  await writeAppointments(b.doc, b.info.tableName, pool);
  for (const [i, n] of b.plan.contention.cards.entries()) {
    await writeAppointments(
      b.doc,
      b.info.tableName,
      Array.from({ length: n }, (_, k) => makeAppointment(contentionDays[i] as string, k, 'busy')),
    );
  }
  return pool.map((c) => ({ id: c.id, status: c.status, version: c.version, busy: false }));
}

/**
 * Waits until the move queue is empty: after an overloaded run the worker is still deciding moves
 * whose clients gave up, and they would weigh on the next run.
 */
async function drainQueue(b: Bench, limitMs = 90_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    const res = await b.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: b.info.moveQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const a = res.Attributes ?? {};
    if (
      Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) ===
      0
    )
      return;
    await sleep(500);
  }
  b.say('  the move queue did not drain within 90 s; carrying on');
}

/** One open-loop run at `rate` for `seconds`, with the server's and the client's cost per move; then drains. */
async function rateRun(b: Bench, cards: PoolCard[], rate: number, seconds: number): Promise<RateRun> {
  const before = await b.server.sample();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await openLoop(b.client, cards, rate, seconds);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = await b.server.sample();
  const submitted = result.offered - result.starved;
  const run: RateRun = {
    result,
    cost: serverCost(before, after, submitted, elapsed, b.idle),
    clientCpuMsPerMove: submitted ? (cpu.user + cpu.system) / 1000 / submitted : NaN,
  };
  b.say(
    `  e2e p50 ${fmt(run.result.e2e.p50)} p95 ${fmt(run.result.e2e.p95)} ms, ${run.result.errors} errors`,
  );
  await drainQueue(b);
  return run;
}

/** Past capacity: twice the highest sustained rate, for 20 s (the quick plan: one step). */
const OVERLOAD_SECONDS = 20;
async function overloadRun(
  b: Bench,
  cards: PoolCard[],
  highestRate: number,
): Promise<{ seconds: number; run: RateRun } | undefined> {
  if (highestRate <= 0) return undefined;
  // The quick plan's runs are one step long; the full plan's burst is the issue's 20 s.
  const seconds = b.plan.stepSeconds >= 10 ? OVERLOAD_SECONDS : b.plan.stepSeconds;
  b.say(`overload: ${2 * highestRate}/s for ${seconds} s (twice the highest sustained rate)…`);
  const run = await rateRun(b, cards, 2 * highestRate, seconds);
  b.say(
    `  ${run.result.shed} 429s waited out, ${run.result.refused} refused, backlog cleared in ${fmt(run.result.drainMs)} ms`,
  );
  return { seconds, run };
}

/**
 * The highest sustained rate: walks up the fixed rates' results and the ladder of step rates, and
 * stops at the first rate with an error or an end-to-end p95 over the limit. Rates already run are
 * not run again.
 */
async function highestSustainedRate(
  b: Bench,
  cards: PoolCard[],
  rates: RateRun[],
): Promise<{ steps: RateRun[]; highestRate: number; stepStop: string }> {
  const p = b.plan;
  const steps: RateRun[] = [];
  const sustained = (run: RateRun) => run.result.errors === 0 && run.result.e2e.p95 <= p.maxE2eP95Ms;
  const describe = (run: RateRun) =>
    `${run.result.rate}/s had ${run.result.errors} errors and an end-to-end p95 of ${fmt(run.result.e2e.p95, 0)} ms`;
  let highestRate = 0;
  let stepStop = '';
  const ladder = [...new Set([...p.rates.map((r) => r.rate), ...p.stepRates])].sort((x, y) => x - y);
  for (const rate of ladder) {
    let run = rates.find((r) => r.result.rate === rate);
    if (!run) {
      b.say(`step: ${rate}/s for ${p.stepSeconds} s…`);
      run = await rateRun(b, cards, rate, p.stepSeconds);
      steps.push(run);
    }
    if (!sustained(run)) {
      stepStop = `the next rate tried: ${describe(run)}`;
      break;
    }
    highestRate = rate;
  }
  if (!stepStop) stepStop = `every rate up to ${ladder.at(-1)}/s passed`;
  return { steps, highestRate, stepStop };
}

async function contentionRuns(b: Bench, days: string[]): Promise<ContentionResult[]> {
  const c = b.plan.contention;
  const results: ContentionResult[] = [];
  for (const [i, n] of c.cards.entries()) {
    b.say(`contention: ${n} cards, ${c.staff} staff, ${c.seconds} s…`);
    results.push(await contention(b.client, days[i] as string, n, c.staff, c.seconds, c.thinkMs));
  }
  return results;
}

/**
 * The stats history (statsDays × statsPerDay settled appointments up to HISTORY_LAST_DAY), and a day
 * of each other board size; returns the day to read for each board size.
 */
async function seedHistory(b: Bench): Promise<Record<number, string>> {
  const p = b.plan;
  const firstDay = addDays(HISTORY_LAST_DAY, -(p.statsDays - 1));
  const total = p.statsDays * p.statsPerDay;
  await writeTechnicians(b.doc, b.info.tableName);
  b.say(`seeding ${total} appointments (${p.statsDays} days × ${p.statsPerDay})…`);
  let reported = 0;
  const history = [];
  for (let d = 0; d < p.statsDays; d++) {
    const day = addDays(firstDay, d);
    for (let i = 0; i < p.statsPerDay; i++) history.push(makeAppointment(day, i, 'hist', true));
  }
  const seedStarted = performance.now();
  await writeAppointments(b.doc, b.info.tableName, history, 4, (n) => {
    if (n - reported >= 10_000) {
      reported = n;
      b.say(`  ${n} written`);
    }
  });
  b.say(`  done in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);
  // A history day is the 200-a-day board (statsPerDay is 200 in every plan).
  const boardDays: Record<number, string> = { 200: HISTORY_LAST_DAY };
  for (const [i, perDay] of p.boardPerDay.filter((n) => n !== p.statsPerDay).entries()) {
    const day = addDays(BOARD_FIRST_DAY, i);
    boardDays[perDay] = day;
    await writeAppointments(
      b.doc,
      b.info.tableName,
      Array.from({ length: perDay }, (_, k) => makeAppointment(day, k, 'board', true)),
    );
  }
  return boardDays;
}

/** Each board size, then the 200-a-day board of one technician (the filter the page offers). */
async function boardReads(b: Bench, boardDays: Record<number, string>): Promise<Results['board']> {
  const board: Results['board'] = [];
  const runs: Array<[number, string | undefined]> = [
    ...b.plan.boardPerDay.map((perDay) => [perDay, undefined] as [number, undefined]),
    [b.plan.statsPerDay, (BENCH_TECHNICIANS[0] as (typeof BENCH_TECHNICIANS)[number]).id],
  ];
  for (const [perDay, technician] of runs) {
    b.say(`board: ${perDay} a day${technician ? `, technician_id=${technician}` : ''}…`);
    const day = boardDays[perDay] as string;
    board.push({
      perDay,
      read: await benchBoard(b.client, b.doc, b.info.tableName, day, b.plan.readN.board, technician),
    });
  }
  return board;
}

/** Stats of 7, 31 and statsDays past days, and of the 31 days up to today (today's cards seeded first). */
async function statsReads(b: Bench, today: string): Promise<Results['stats']> {
  const p = b.plan;
  // The dashboard's usual question, the last 31 days up to today: 30 stored days and today live.
  await writeAppointments(
    b.doc,
    b.info.tableName,
    Array.from({ length: p.statsPerDay }, (_, i) => makeAppointment(today, i, 'today', true)),
  );
  const stats: Results['stats'] = [];
  for (const [label, days, to, n] of [
    ['7 days', 7, HISTORY_LAST_DAY, p.readN.stats7],
    ['31 days', 31, HISTORY_LAST_DAY, p.readN.stats31],
    [`${p.statsDays} days`, p.statsDays, HISTORY_LAST_DAY, p.readN.stats366],
    ['31 days up to today (today read live)', 31, today, p.readN.stats31],
  ] as const) {
    b.say(`stats: ${label}…`);
    const from = addDays(to, -(days - 1));
    stats.push({
      label,
      days,
      read: await benchStats(b.client, b.doc, b.info.tableName, from, to, n, p.statsColdN),
    });
  }
  return stats;
}
