/**
 * `npm run health-check`: the daily production probe. Reads only (it creates nothing): healthz, the
 * latency of the board and the stats against their SLOs over a few sequential samples, and the move
 * queues' depths. Prints a table (check, value, limit, status). Exit 0 when every check is ok or
 * skipped, 1 when one failed, 2 when the probe could not run (bad arguments, a queue it may not read).
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { addDays } from '../domain/days';
import { findLocalStack } from './lib/local-stack';
import { sqsClientFor, urlOption } from './lib/queues';
import {
  ApiUnreachableError,
  describeResponse,
  type ApiClient,
  type ApiResponse,
} from '../client/api-client';
import {
  COMMON_HELP,
  clientFor,
  intOption,
  main,
  parseCli,
  processIo,
  runScript,
  stringOption,
  type ScriptIo,
} from './lib/cli';

/** The seed's SLOs: p95 of the board and the stats as the client sees them (the defaults). */
export const SLO_P95_MS = { board: 800, stats: 500 } as const;
const DEFAULT_SAMPLES = 20;
const DEFAULT_MAX_BACKLOG = 50;
/** The dashboard's usual window. */
const STATS_DAYS = 30;

const HELP = `Usage: npm run health-check [-- options]

The daily probe of a running API. Creates nothing. Checks:
  healthz          200 and every dependency ok
  board p95        GET the board of today, --samples times one after another: p95 <= --board-slo-ms
  stats p95        GET the stats of the last ${STATS_DAYS} days, the same way: p95 <= --stats-slo-ms
  dlq depth        ApproximateNumberOfMessages of the dead-letter queue: 0
  move backlog     visible + in-flight + delayed messages on moves.fifo: <= --max-backlog
  oldest move age  not measurable here: SQS has no attribute for it. In AWS read the CloudWatch metric
                   AWS/SQS ApproximateAgeOfOldestMessage of moves.fifo; here it is reported as skipped. Peeking (ReceiveMessage) would hide the message from the
                   worker for its visibility timeout and, on a FIFO queue, block its whole group.
Queue checks need the queue URLs: from the options, the environment, or else the endpoints file
of a running \`npm start\` (DATA_DIR/endpoints.json, DATA_DIR default .data); without any they are
reported as skipped, not failed. An endpoints file left by a stack that is no longer running is an
error (exit 2): start the stack again, or give the URLs.
p50/p95 are nearest-rank over the samples (with 20 samples, p95 is the 19th fastest).

Exit 0: all ok or skipped. 1: a check failed. 2: the probe could not run.

Options:
  --samples N           latency samples per endpoint (default ${DEFAULT_SAMPLES})
  --max-backlog N       limit for messages waiting on moves.fifo (default ${DEFAULT_MAX_BACKLOG})
  --board-slo-ms N      board p95 limit (default ${SLO_P95_MS.board}, the seed's SLO; ours are tighter)
  --stats-slo-ms N      stats p95 limit (default ${SLO_P95_MS.stats}, the seed's SLO)
  --move-queue-url URL  moves.fifo (env MOVE_QUEUE_URL)
  --dlq-url URL         moves-dlq.fifo (env DLQ_URL)
  --sqs-endpoint URL    an SQS endpoint other than AWS's, e.g. the local emulator (env SQS_ENDPOINT);
                        for queue URLs on localhost it defaults to http://127.0.0.1:<their port>

Against \`npm start\`, nothing to give: the queues come from .data/endpoints.json.

${COMMON_HELP}`;

export type CheckStatus = 'ok' | 'FAIL' | 'skipped' | 'error';

export interface CheckRow {
  check: string;
  value: string;
  limit: string;
  status: CheckStatus;
}

/** Nearest-rank percentile: the smallest sample with at least p % of the samples at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

async function latency(
  name: string,
  sample: () => Promise<ApiResponse>,
  samples: number,
  sloMs: number,
): Promise<CheckRow> {
  const times: number[] = [];
  const failures: string[] = [];
  for (let i = 0; i < samples; i++) {
    try {
      const res = await sample();
      if (res.status === 200) times.push(res.ms);
      else failures.push(describeResponse(res));
    } catch (err) {
      failures.push(err instanceof ApiUnreachableError ? err.reason : (err as Error).message);
    }
  }
  const limit = `p95 <= ${sloMs} ms`;
  if (times.length === 0) {
    return {
      check: `${name} p95`,
      value: `no answer: ${failures[0] ?? 'no samples'}`,
      limit,
      status: 'FAIL',
    };
  }
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);
  const errors = failures.length > 0 ? `, ${failures.length}/${samples} failed (${failures[0]})` : '';
  return {
    check: `${name} p95`,
    value: `p50 ${p50} ms, p95 ${p95} ms (${times.length} samples${errors})`,
    limit,
    status: p95 <= sloMs && failures.length === 0 ? 'ok' : 'FAIL',
  };
}

async function healthz(client: ApiClient): Promise<CheckRow> {
  const limit = '200, all dependencies ok';
  try {
    const res = await client.health();
    if (res.status === 200 && res.body?.ok) {
      const checks = Object.entries(res.body.data.checks)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      return { check: 'healthz', value: `200 in ${res.ms} ms (${checks})`, limit, status: 'ok' };
    }
    return { check: 'healthz', value: describeResponse(res), limit, status: 'FAIL' };
  } catch (err) {
    return { check: 'healthz', value: (err as Error).message, limit, status: 'FAIL' };
  }
}

const QUEUE_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
] as const;

async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<Record<string, number>> {
  const res = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...QUEUE_ATTRIBUTES] }),
  );
  return Object.fromEntries(QUEUE_ATTRIBUTES.map((name) => [name, Number(res.Attributes?.[name] ?? 0)]));
}

function sqsError(err: unknown): string {
  const e = err as Error & { Code?: string };
  return `${e.name ?? 'Error'}: ${e.message}`;
}

async function queueChecks(
  sqs: SQSClient | undefined,
  urls: { moveQueueUrl?: string; dlqUrl?: string },
  maxBacklog: number,
): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const skippedRow = (check: string, limit: string, why: string): CheckRow => ({
    check,
    value: why,
    limit,
    status: 'skipped',
  });

  const dlqLimit = '0';
  if (!sqs || !urls.dlqUrl) {
    rows.push(skippedRow('dlq depth', dlqLimit, 'no DLQ URL (--dlq-url or DLQ_URL)'));
  } else {
    try {
      const counts = await queueCounts(sqs, urls.dlqUrl);
      const depth = counts.ApproximateNumberOfMessages ?? 0;
      rows.push({
        check: 'dlq depth',
        value: `${depth} message(s)${depth > 0 ? ': moves the worker gave up on; inspect and redrive' : ''}`,
        limit: dlqLimit,
        status: depth === 0 ? 'ok' : 'FAIL',
      });
    } catch (err) {
      rows.push({ check: 'dlq depth', value: sqsError(err), limit: dlqLimit, status: 'error' });
    }
  }

  const backlogLimit = `<= ${maxBacklog}`;
  if (!sqs || !urls.moveQueueUrl) {
    rows.push(
      skippedRow('move backlog', backlogLimit, 'no move queue URL (--move-queue-url or MOVE_QUEUE_URL)'),
    );
  } else {
    try {
      const counts = await queueCounts(sqs, urls.moveQueueUrl);
      const visible = counts.ApproximateNumberOfMessages ?? 0;
      const inFlight = counts.ApproximateNumberOfMessagesNotVisible ?? 0;
      const delayed = counts.ApproximateNumberOfMessagesDelayed ?? 0;
      const total = visible + inFlight + delayed;
      rows.push({
        check: 'move backlog',
        value: `${total} (${visible} waiting, ${inFlight} in flight, ${delayed} delayed)`,
        limit: backlogLimit,
        status: total <= maxBacklog ? 'ok' : 'FAIL',
      });
    } catch (err) {
      rows.push({ check: 'move backlog', value: sqsError(err), limit: backlogLimit, status: 'error' });
    }
  }

  rows.push(
    skippedRow(
      'oldest move age',
      'n/a',
      'CloudWatch only: AWS/SQS ApproximateAgeOfOldestMessage (see --help)',
    ),
  );
  return rows;
}

export function formatTable(rows: readonly CheckRow[]): string[] {
  const header: CheckRow = {
    check: 'check',
    value: 'value',
    limit: 'limit',
    status: 'status' as CheckStatus,
  };
  const all = [header, ...rows];
  const width = (key: keyof CheckRow) => Math.max(...all.map((r) => r[key].length));
  const w = { check: width('check'), value: width('value'), limit: width('limit') };
  const line = (r: CheckRow) =>
    `${r.check.padEnd(w.check)}  ${r.value.padEnd(w.value)}  ${r.limit.padEnd(w.limit)}  ${r.status}`;
  return [
    line(header),
    `${'-'.repeat(w.check)}  ${'-'.repeat(w.value)}  ${'-'.repeat(w.limit)}  ------`,
    ...rows.map(line),
  ];
}

export function exitCodeFor(rows: readonly CheckRow[]): number {
  if (rows.some((r) => r.status === 'FAIL')) return 1;
  if (rows.some((r) => r.status === 'error')) return 2;
  return 0;
}

export async function run(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript('health-check', io, async () => {
    const { values, common, help } = parseCli(
      argv,
      {
        samples: { type: 'string' },
        'max-backlog': { type: 'string' },
        'board-slo-ms': { type: 'string' },
        'stats-slo-ms': { type: 'string' },
        'move-queue-url': { type: 'string' },
        'dlq-url': { type: 'string' },
        'sqs-endpoint': { type: 'string' },
      },
      io.env,
    );
    if (help) {
      io.out(HELP);
      return 0;
    }
    const samples = intOption('samples', values.samples, DEFAULT_SAMPLES, { min: 1, max: 1000 });
    const maxBacklog = intOption('max-backlog', values['max-backlog'], DEFAULT_MAX_BACKLOG, {
      min: 0,
      max: 1_000_000,
    });
    const slo = {
      board: intOption('board-slo-ms', values['board-slo-ms'], SLO_P95_MS.board, { min: 0, max: 600_000 }),
      stats: intOption('stats-slo-ms', values['stats-slo-ms'], SLO_P95_MS.stats, { min: 0, max: 600_000 }),
    };
    let moveQueueUrl = urlOption(
      '--move-queue-url',
      stringOption(values, 'move-queue-url') ?? io.env.MOVE_QUEUE_URL,
    );
    let dlqUrl = urlOption('--dlq-url', stringOption(values, 'dlq-url') ?? io.env.DLQ_URL);
    let sqsEndpoint = urlOption(
      '--sqs-endpoint',
      stringOption(values, 'sqs-endpoint') ?? io.env.SQS_ENDPOINT,
    );
    // No queue named: the queues of the running npm start, if there is one.
    const local =
      moveQueueUrl || dlqUrl ? undefined : await findLocalStack(io.env, '--move-queue-url and --dlq-url');
    if (local) {
      moveQueueUrl = local.endpoints.move_queue_url;
      dlqUrl = local.endpoints.dlq_url;
      sqsEndpoint ??= local.endpoints.sqs_endpoint;
    }
    const { client, description } = clientFor(common, io.env);

    const today = new Date().toISOString().slice(0, 10);
    io.out(`health-check: ${description}; ${samples} sample(s) per endpoint`);
    if (local) io.out(`health-check: queues of the local stack in ${local.path}`);
    const rows: CheckRow[] = [await healthz(client)];
    rows.push(await latency('board', () => client.board({ date: today }), samples, slo.board));
    rows.push(
      await latency(
        'stats',
        () => client.stats({ from: addDays(today, -(STATS_DAYS - 1)), to: today }),
        samples,
        slo.stats,
      ),
    );
    const queueUrl = moveQueueUrl ?? dlqUrl;
    const sqs = queueUrl ? sqsClientFor(queueUrl, sqsEndpoint, common.region) : undefined;
    try {
      rows.push(...(await queueChecks(sqs, { moveQueueUrl, dlqUrl }, maxBacklog)));
    } finally {
      sqs?.destroy();
    }

    for (const line of formatTable(rows)) io.out(line);
    const code = exitCodeFor(rows);
    io.out(
      `health-check: ${code === 0 ? 'all ok' : code === 1 ? 'a check FAILED' : 'some checks could not run'}`,
    );
    return code;
  });
}

if (require.main === module) main(run);
