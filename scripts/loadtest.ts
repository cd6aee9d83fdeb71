/**
 * `npm run loadtest`: the artillery scenarios of loadtest/ against a fresh in-memory local stack
 * (or BASE_URL), judged against the seed's acceptance.
 *
 * Steps: start the stack (DynamoDB Local, SQS emulator, gateway with SigV4, poller) on free ports;
 * run loadtest/move.yml, then board.yml, then stats.yml (and, only when asked, p4.yml after running
 * `npm run seed`'s own code against the target), each as its own artillery process writing a
 * JSON report to loadtest/reports/; read the reports, print the verdict table, write a markdown
 * summary beside them; stop the stack. Exit 0 when every check passes, 1 when one falls short,
 * 2 when the run itself could not happen.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { startThrowawayStack, type RunningStack } from '../local/run-local-stack';
import { ApiClient, isLoopback, resolveCredentials } from '../client/api-client';
import { addDays } from '../domain/days';
import { SEED_CUSTOMER, seed } from './seed';
import { UsageError, intOption, parseOptions, stringOption } from './lib/cli';
import {
  ACCEPTANCE,
  detailTable,
  moveTable,
  moves,
  P4_NOTE,
  verdict,
  verdictTable,
  type ArtilleryReport,
  type Reports,
} from '../loadtest/verdict';

const HELP = `Usage: npm run loadtest [-- options]

Starts a fresh in-memory local stack (or uses --base-url), runs the artillery scenarios
loadtest/move.yml, then board.yml and stats.yml, and prints a verdict against the seed's
acceptance: error rate < ${ACCEPTANCE.maxErrorRate * 100} %, move submit and end-to-end p95 < ${ACCEPTANCE.submitP95Ms} ms,
conflict rate < ${ACCEPTANCE.maxConflictRate * 100} %, board p95 ≤ ${ACCEPTANCE.boardP95Ms} ms, stats p95 ≤ ${ACCEPTANCE.statsP95Ms} ms.
Reports: loadtest/reports/<time>-{move,board,stats,p4}.json, .log, and <time>-summary.md.
Exit 0 when all pass, 1 when one falls short, 2 when the run could not happen.

p4, the seed's own scenario, runs only when named in --only (e.g. --only p4): it runs
\`npm run seed\`'s code against the target (five cards tomorrow, UTC), then staff move those five
cards; it is judged on its own rows by the same acceptance, and its conflict rate is expected to
miss (five hot cards: docs/PERFORMANCE.md).

Options:
  --quick            the CI profile: shorter phases, under two minutes in all
  --base-url URL     target a running API instead of starting a stack (env BASE_URL); requests
                     are signed (SigV4, service lambda) with AWS_* credentials or the default
                     chain, or the local keys against 127.0.0.1
  --unsigned         send requests unsigned (when --base-url is a signing proxy)
  --via-proxy        (local stack) go through the stack's signing proxy instead of signing
  --region NAME      region of the signatures (default: from a function URL, else AWS_REGION,
                     else us-west-2)
  --cards N          cards the move scenario seeds (default 50)
  --history N        appointments a day the stats scenario seeds over 31 days (default 10, quick 5)
  --pollers N        (local stack) concurrent queue pollers, the worker's concurrency (default 2)
  --only LIST        run only some scenarios: move,board,stats,p4 (default move,board,stats; the
                     verdict then covers only those)
  --verbose          stream artillery's own output
  -h, --help         this text`;

type Scenario = 'move' | 'board' | 'stats' | 'p4';
const SCENARIOS: Scenario[] = ['move', 'board', 'stats', 'p4'];
/** What runs without --only: p4's verdict is known to miss, so it runs only when asked. */
const DEFAULT_SCENARIOS: Scenario[] = ['move', 'board', 'stats'];

interface Options {
  quick: boolean;
  baseUrl?: string;
  sign: boolean;
  viaProxy: boolean;
  region: string;
  cards: number;
  history: number;
  pollers: number;
  only: Scenario[];
  verbose: boolean;
}

const ROOT = resolve(__dirname, '..');
const LOADTEST_DIR = join(ROOT, 'loadtest');
const REPORT_DIR = join(LOADTEST_DIR, 'reports');
const ARTILLERY = join(ROOT, 'node_modules', 'artillery', 'bin', 'run');
/** An artillery run that takes longer than this is stopped: the load must stay bounded. */
const RUN_LIMIT_MS = { quick: 3 * 60_000, full: 10 * 60_000 };

const err = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

const intArg = (name: string, raw: unknown, fallback: number, max: number) =>
  intOption(name, raw, fallback, { min: 1, max });

function parseLoadtestOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  const values = parseOptions(argv, {
    quick: { type: 'boolean' },
    'base-url': { type: 'string' },
    unsigned: { type: 'boolean' },
    'via-proxy': { type: 'boolean' },
    region: { type: 'string' },
    cards: { type: 'string' },
    history: { type: 'string' },
    pollers: { type: 'string' },
    only: { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const baseUrl = stringOption(values, 'base-url') ?? (env.BASE_URL || undefined);
  let host = '';
  if (baseUrl) {
    try {
      host = new URL(baseUrl).hostname;
    } catch {
      throw new UsageError(`--base-url "${baseUrl}" is not a URL`);
    }
  }
  if (baseUrl && values['via-proxy']) throw new UsageError('--via-proxy is for the local stack only');
  const only = (stringOption(values, 'only') ?? DEFAULT_SCENARIOS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((s) => !SCENARIOS.includes(s as Scenario));
  if (unknown.length > 0 || only.length === 0)
    throw new UsageError(`--only takes move, board, stats and p4, got "${values.only}"`);
  const quick = values.quick === true;
  const functionUrlRegion = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(host)?.[1];
  return {
    quick,
    baseUrl,
    sign: !values.unsigned && !values['via-proxy'],
    viaProxy: values['via-proxy'] === true,
    region: stringOption(values, 'region') ?? functionUrlRegion ?? env.AWS_REGION ?? 'us-west-2',
    cards: intArg('cards', values.cards, 50, 5000),
    history: intArg('history', values.history, quick ? 5 : 10, 500),
    pollers: intArg('pollers', values.pollers, Number(env.POLLERS) || 2, 32),
    only: SCENARIOS.filter((s) => only.includes(s)),
    verbose: values.verbose === true,
  };
}

/** The seed's day: tomorrow (UTC), as `npm run seed` takes it by default. */
const p4Day = () => addDays(new Date().toISOString().slice(0, 10), 1);

function apiClient(opts: Options, target: string): ApiClient {
  return new ApiClient({
    baseUrl: target,
    sign: opts.sign ? { region: opts.region, service: 'lambda' } : false,
  });
}

/** p4's data: `npm run seed`'s own code against the target (it skips what is already there). */
async function seedP4(opts: Options, target: string): Promise<void> {
  const io = { out: (line: string) => err(`  p4: ${line}`), err, env: process.env };
  await seed(apiClient(opts, target), p4Day(), io);
}

/** Where p4 left the seed's cards, e.g. `completed×3 ready×1 scheduled×1`. */
async function p4Columns(opts: Options, target: string): Promise<string> {
  const res = await apiClient(opts, target).board({ date: p4Day() });
  if (!res.body?.ok) return `board unreadable (${res.status})`;
  const counts = new Map<string, number>();
  for (const [column, { items }] of Object.entries(res.body.data.columns)) {
    const n = items.filter((c) => c.customer_id === SEED_CUSTOMER.id).length;
    if (n > 0) counts.set(column, n);
  }
  return [...counts].map(([column, n]) => `${column}×${n}`).join(' ');
}

function startStack(opts: Options): Promise<RunningStack> {
  return startThrowawayStack({
    tableName: 'edgar-auto-shop-loadtest',
    pollers: opts.pollers,
    logLevel: process.env.LOADTEST_LOG_LEVEL,
    startProxy: opts.viaProxy,
  });
}

/** The environment of the artillery processes: where to go, how to sign, how much to seed. */
async function artilleryEnv(opts: Options, target: string, runId: string): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ARTILLERY_DISABLE_TELEMETRY: 'true',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(LOADTEST_DIR, 'offline.js')}`.trim(),
    LOADTEST_SIGN: opts.sign ? '1' : '0',
    LOADTEST_REGION: opts.region,
    LOADTEST_CARDS: String(opts.cards),
    LOADTEST_HISTORY_PER_DAY: String(opts.history),
    LOADTEST_RUN_ID: runId,
    LOADTEST_DAY: new Date().toISOString().slice(0, 10),
    LOADTEST_P4_DAY: p4Day(),
    LOADTEST_P4_OWNER: SEED_CUSTOMER.id,
  };
  if (opts.sign && !isLoopback(target)) {
    // Resolved once here (profile, SSO…) and handed over as plain keys, so artillery's workers need no chain.
    const source = resolveCredentials(target, {}, process.env);
    const creds = typeof source === 'function' ? await source() : source;
    env.LOADTEST_ACCESS_KEY_ID = creds.accessKeyId;
    env.LOADTEST_SECRET_ACCESS_KEY = creds.secretAccessKey;
    if (creds.sessionToken) env.LOADTEST_SESSION_TOKEN = creds.sessionToken;
  }
  return env;
}

/** One artillery run; resolves with its exit code once the JSON report is written. */
function runArtillery(
  scenario: Scenario,
  target: string,
  env: NodeJS.ProcessEnv,
  files: { json: string; log: string },
  opts: Options,
): Promise<number> {
  const args = [
    ARTILLERY,
    'run',
    '--target',
    target,
    '--output',
    files.json,
    ...(opts.quick ? ['--environment', 'quick'] : []),
    join(LOADTEST_DIR, `${scenario}.yml`),
  ];
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(files.log);
    const limit = opts.quick ? RUN_LIMIT_MS.quick : RUN_LIMIT_MS.full;
    const timer = setTimeout(() => {
      err(`  ${scenario}: still running after ${limit / 1000} s; stopping it`);
      child.kill('SIGTERM');
    }, limit);
    const relay = (chunk: Buffer) => {
      log.write(chunk);
      if (opts.verbose) process.stderr.write(chunk);
      else {
        // Keep the phase lines, the seeding lines and the ensure checks; the rest is in the .log file.
        for (const line of chunk.toString().split('\n')) {
          if (/^(Phase (started|completed)|seeded |board of |ok: |fail: )/.test(line.trim()))
            err(`  ${scenario}: ${line.trim()}`);
        }
      }
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      log.end();
      resolveRun(code ?? 1);
    });
  });
}

async function readReport(path: string): Promise<ArtilleryReport> {
  return JSON.parse(await readFile(path, 'utf8')) as ArtilleryReport;
}

function summaryMarkdown(args: {
  opts: Options;
  target: string;
  started: Date;
  seconds: number;
  reports: Partial<Reports>;
  table: string;
  passed: boolean;
  files: string[];
  loadAtStart: number;
  p4End?: string;
}): string {
  const { opts, reports } = args;
  const lines = [
    `# Load test ${args.passed ? 'passed' : 'FAILED'} — ${args.started.toISOString()}`,
    '',
    `- target: ${opts.baseUrl ? args.target : `fresh in-memory local stack (${args.target}, ${opts.pollers} pollers)`}`,
    `- profile: ${opts.quick ? 'quick (CI)' : 'full'}; scenarios: ${opts.only.join(', ')}; ${args.seconds.toFixed(0)} s in all`,
    `- requests ${opts.sign ? 'signed with SigV4 by the artillery processor' : 'sent unsigned through a signing proxy'}`,
    `- machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; ` +
      `load average ${args.loadAtStart.toFixed(2)} at the start, ${loadavg()[0]?.toFixed(2)} at the end (other work competes for the same cores)`,
    '',
    '## Verdict',
    '',
    args.table,
    '',
    'Errors are 5xx, refused signatures (401/403), network errors, client timeouts and moves still',
    'pending when the client gave up. Conflicts are outcomes, not errors; the conflict rate counts',
    'first attempts and the one retry after a conflict alike.',
    '',
    ...(args.p4End !== undefined ? [P4_NOTE, `The seed's cards ended in: ${args.p4End}.`, ''] : []),
    ...(reports.move ? ['## Moves', '', moveTable(moves(reports.move)), ''] : []),
    ...(reports.p4 ? ["## Moves of the seed's five cards (p4)", '', moveTable(moves(reports.p4)), ''] : []),
    '## Requests',
    '',
    detailTable(reports),
    '',
    `Reports: ${args.files.join(', ')}`,
  ];
  return lines.join('\n') + '\n';
}

export async function run(argv: string[]): Promise<number> {
  let opts: Options;
  try {
    const parsed = parseLoadtestOptions(argv, process.env);
    if (parsed === 'help') {
      out(HELP);
      return 0;
    }
    opts = parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`loadtest: ${e.message}`);
    err('Try `npm run loadtest -- --help`.');
    return 2;
  }

  const started = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const t0 = performance.now();
  const stamp = started.toISOString().replace(/[:.]/g, '-').replace('Z', '');
  await mkdir(REPORT_DIR, { recursive: true });

  let stack: RunningStack | undefined;
  try {
    let target = opts.baseUrl ?? '';
    if (!opts.baseUrl) {
      err(`loadtest: starting a fresh in-memory local stack (${opts.pollers} pollers)…`);
      stack = await startStack(opts);
      target = opts.viaProxy && stack.proxyUrl ? stack.proxyUrl : stack.apiUrl;
    }
    err(
      `loadtest: ${opts.quick ? 'quick' : 'full'} profile against ${target} (${opts.sign ? 'signed' : 'unsigned'})`,
    );
    const env = await artilleryEnv(opts, target, stamp.slice(-12).replace(/-/g, ''));

    const reports: Partial<Reports> = {};
    const files: string[] = [];
    let p4End: string | undefined;
    for (const scenario of opts.only) {
      const json = join(REPORT_DIR, `${stamp}-${scenario}.json`);
      const log = join(REPORT_DIR, `${stamp}-${scenario}.log`);
      const s0 = performance.now();
      err(`loadtest: ${scenario}.yml…`);
      if (scenario === 'p4') await seedP4(opts, target);
      const code = await runArtillery(scenario, target, env, { json, log }, opts);
      try {
        reports[scenario] = await readReport(json);
      } catch {
        err(`loadtest: ${scenario}.yml wrote no report (artillery exit ${code}); see ${relative(ROOT, log)}`);
        return 2;
      }
      files.push(relative(ROOT, json));
      err(`loadtest: ${scenario}.yml done in ${((performance.now() - s0) / 1000).toFixed(0)} s`);
      if (scenario === 'p4') p4End = await p4Columns(opts, target);
    }

    const rows = verdict(reports);
    const passed = rows.every((r) => r.ok);
    const table = verdictTable(rows);
    const seconds = (performance.now() - t0) / 1000;
    const summaryPath = join(REPORT_DIR, `${stamp}-summary.md`);
    await writeFile(
      summaryPath,
      summaryMarkdown({
        opts,
        target,
        started,
        seconds,
        reports,
        table,
        passed,
        files,
        loadAtStart,
        p4End,
      }),
    );
    out('');
    out(table);
    out('');
    if (p4End !== undefined) out(`${P4_NOTE}\nThe seed's cards ended in: ${p4End}.\n`);
    out(
      `loadtest: ${passed ? 'PASS' : 'FAIL'} in ${seconds.toFixed(0)} s; summary ${relative(ROOT, summaryPath)}`,
    );
    return passed ? 0 : 1;
  } catch (e) {
    err(`loadtest: could not run: ${(e as Error).message ?? String(e)}`);
    return 2;
  } finally {
    await stack?.stop();
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      err(`loadtest: ${(e as Error).stack ?? String(e)}`);
      process.exit(2);
    },
  );
}
