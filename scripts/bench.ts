/**
 * `npm run bench`: how fast the move pipeline, the board and the stats are on this machine, next to
 * the floor (the store's and the queue's own round trips), in one run on one fresh local stack.
 *
 * This is the CLI: options, the run (loadtest/bench/runs.ts, which lists its steps), the report
 * (loadtest/bench/report.ts), printed and written into docs/PERFORMANCE.md between the bench
 * markers, keeping the hand-written analysis around them. Not run in CI; takes about 8 minutes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { plan } from '../loadtest/bench/plan';
import { report, spliceReport } from '../loadtest/bench/report';
import { runBench, runMovesAt } from '../loadtest/bench/runs';
import { intOption, parseOptions } from './lib/cli';

const HELP = `Usage: npm run bench [-- options]

Benchmarks a fresh in-memory local stack: the floor (DynamoDB UpdateItem, GetItem, a 2-item
TransactWriteItems, SQS send/receive/delete), moves at 1, 10 and 50 a second and the highest
sustained rate, board and stats latency by data size, and conflicts under contention.
Prints a markdown report and writes it into docs/PERFORMANCE.md (between the bench markers).

Options:
  --quick        shorter runs and a smaller data set (a smoke test of the bench; figures are rough)
  --no-write     print only; leave docs/PERFORMANCE.md alone
  --reads-only   only the floor, the board (also with a technician filter) and the stats; prints
                 only (a partial report never overwrites docs/PERFORMANCE.md)
  --pollers N    concurrent queue pollers of the stack (default 2, as npm start)
  --moves-at R   only one open-loop move run at R moves/s (after the warm-up); prints its latencies,
                 the decision's distribution after the submit's answer, the calls per move (failed
                 ones by error or cancellation reasons) and the CPU per move; writes nothing
  --seconds S    length of the --moves-at run (default 20)
  --cpu-prof-dir DIR
                 with --moves-at: the stack process's V8 CPU profile of that run, written to
                 DIR/stack-<R>per-s-<time>.cpuprofile (open it in Chrome's DevTools, or
                 "npm run cpu-profile-top -- FILE" for the top self-time functions)
  -h, --help     this text`;

const DOC_PATH = join(resolve(__dirname, '..'), 'docs', 'PERFORMANCE.md');

async function writeDoc(generated: string): Promise<void> {
  const doc = await readFile(DOC_PATH, 'utf8').catch(() => undefined);
  await writeFile(DOC_PATH, spliceReport(doc, generated));
}

export async function run(argv: string[]): Promise<number> {
  let values;
  let pollers;
  let movesAt;
  let seconds;
  try {
    values = parseOptions(argv, {
      quick: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      'reads-only': { type: 'boolean' },
      pollers: { type: 'string' },
      'moves-at': { type: 'string' },
      seconds: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    pollers = intOption('pollers', values.pollers, 2, { min: 1, max: 32 });
    movesAt =
      values['moves-at'] === undefined
        ? undefined
        : intOption('moves-at', values['moves-at'], 10, { min: 1, max: 1000 });
    seconds = intOption('seconds', values.seconds, 20, { min: 1, max: 600 });
    if (values['cpu-prof-dir'] !== undefined && movesAt === undefined) {
      throw new Error('--cpu-prof-dir needs --moves-at');
    }
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\nTry \`npm run bench -- --help\`.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (movesAt !== undefined) {
    const dir = values['cpu-prof-dir'] as string | undefined;
    const lines = await runMovesAt(pollers, movesAt, seconds, dir ? resolve(dir) : undefined);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  const readsOnly = values['reads-only'] === true;
  const p = plan(values.quick === true, values['no-write'] !== true && !readsOnly, pollers, readsOnly);
  const command = ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
  const markdown = report(await runBench(p, command));
  process.stdout.write(`${markdown}\n`);
  if (p.write) {
    await writeDoc(markdown);
    process.stderr.write(`bench: wrote ${DOC_PATH}\n`);
  }
  return 0;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(2);
    },
  );
}
