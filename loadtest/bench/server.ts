/**
 * The benchmark's server process: a throwaway local stack (startThrowawayStack, in memory) run in its
 * own process, so the load generator's CPU never shares the event loop that serves the API, the
 * poller and the SQS emulator. Counts the SDK calls the app makes and reports them, its CPU time,
 * its event-loop delay and DynamoDB Local's CPU time to the parent over the IPC channel.
 *
 * Started by scripts/bench.ts with child_process.fork (tsx's loader travels in execArgv).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startThrowawayStack } from '../../local/run-local-stack';

export interface ServerReady {
  type: 'ready';
  apiUrl: string;
  region: string;
  tableName: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  moveQueueUrl: string;
  pollers: number;
}

export interface ServerSample {
  type: 'sample';
  id: number;
  /** SDK commands the app sent since start, by name (GetCommand, TransactWriteCommand, ReceiveMessageCommand…). */
  calls: Record<string, number>;
  /** CPU time of this process (API, worker, poller, SQS emulator) and of DynamoDB Local, in ms. */
  nodeCpuMs: number;
  javaCpuMs: number;
  /** Event-loop delay since the previous sample, in ms. */
  loopDelay: { p50: number; p99: number; max: number };
}

/** A CPU profile of this process started or written (to `path`, a .cpuprofile file). */
export interface ServerProfiled {
  type: 'profiled';
  id: number;
}

export type ServerRequest =
  | { type: 'sample'; id: number }
  | { type: 'profile-start'; id: number }
  | { type: 'profile-stop'; id: number; path: string }
  | { type: 'stop' };

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in ms, from /proc (0 where /proc is unavailable). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** DynamoDB Local's JVM: the `java` child of this process. */
function findJavaChild(): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (comm === 'java' && ppid === process.pid) return Number(entry);
      } catch {
        // the process went away while we looked
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

/** The part of an SDK client's middleware stack used here (typed structurally, not via @smithy/types). */
export interface CountableStack {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string },
  ): void;
}

/** Counts the client's commands by name into `calls`, and its failed ones again by error ("Cmd!reason"). */
export function countCalls(stack: CountableStack, calls: Record<string, number>): void {
  stack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? 'unknown';
      calls[name] = (calls[name] ?? 0) + 1;
      // Failed calls by error, and a cancelled transaction by its items' reasons
      // ("TransactWriteItemsCommand!None,TransactionConflict"), so a fallback's cause can be counted.
      // A plain .catch, not an async wrapper: this runs on every call of the profiled process.
      return next(args).catch((err: unknown) => {
        const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
        const reasons = e.CancellationReasons?.map((r) => r.Code ?? 'None').join(',');
        const key = `${name}!${reasons ?? e.name ?? 'Error'}`;
        calls[key] = (calls[key] ?? 0) + 1;
        throw err;
      });
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
}

async function serve(): Promise<void> {
  const pollers = Number(process.env.BENCH_POLLERS ?? 2);
  const stack = await startThrowawayStack({ tableName: 'edgar-auto-shop-bench', pollers });
  const { container } = stack.app;
  const calls: Record<string, number> = {};
  countCalls(container.doc.middlewareStack as unknown as CountableStack, calls);
  countCalls(container.sqs.middlewareStack as unknown as CountableStack, calls);
  const javaPid = findJavaChild();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();

  const send = (message: ServerReady | ServerSample | ServerProfiled) => process.send?.(message);
  let profiler: Session | undefined;
  process.on('message', (message: ServerRequest) => {
    if (message.type === 'profile-start') {
      // The V8 sampling profiler of this process, as --cpu-prof would run it, but only around the
      // run the parent measures (not the start, the seeding, the warm-up).
      profiler = new Session();
      profiler.connect();
      void profiler
        .post('Profiler.enable')
        .then(() => profiler?.post('Profiler.start'))
        .then(() => send({ type: 'profiled', id: message.id }));
    } else if (message.type === 'profile-stop') {
      const session = profiler;
      profiler = undefined;
      void (async () => {
        if (session) {
          const { profile } = await session.post('Profiler.stop');
          await writeFile(message.path, JSON.stringify(profile));
          session.disconnect();
        }
        send({ type: 'profiled', id: message.id });
      })();
    } else if (message.type === 'sample') {
      const usage = process.cpuUsage();
      send({
        type: 'sample',
        id: message.id,
        calls: { ...calls },
        nodeCpuMs: (usage.user + usage.system) / 1000,
        javaCpuMs: javaPid ? processCpuMs(javaPid) : 0,
        loopDelay: {
          p50: loop.percentile(50) / 1e6,
          p99: loop.percentile(99) / 1e6,
          max: loop.max / 1e6,
        },
      });
      loop.reset();
    } else if (message.type === 'stop') {
      void stack.stop().finally(() => process.exit(0));
    }
  });
  // The parent went away without saying stop: do not leave DynamoDB Local behind.
  process.on('disconnect', () => void stack.stop().finally(() => process.exit(0)));

  send({
    type: 'ready',
    apiUrl: stack.apiUrl,
    region: container.config.AWS_REGION,
    tableName: container.config.TABLE_NAME,
    dynamodbEndpoint: container.config.DYNAMODB_ENDPOINT ?? '',
    sqsEndpoint: container.config.SQS_ENDPOINT ?? '',
    moveQueueUrl: container.config.MOVE_QUEUE_URL,
    pollers,
  });
}

if (require.main === module) {
  serve().catch((err: unknown) => {
    process.stderr.write(`bench server: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
