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
import { runBench } from '../loadtest/bench/runs';
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
  -h, --help     this text`;

const DOC_PATH = join(resolve(__dirname, '..'), 'docs', 'PERFORMANCE.md');

async function writeDoc(generated: string): Promise<void> {
  const doc = await readFile(DOC_PATH, 'utf8').catch(() => undefined);
  await writeFile(DOC_PATH, spliceReport(doc, generated));
}

export async function run(argv: string[]): Promise<number> {
  let values;
  let pollers;
  try {
    values = parseOptions(argv, {
      quick: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      'reads-only': { type: 'boolean' },
      pollers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    pollers = intOption('pollers', values.pollers, 2, { min: 1, max: 32 });
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\nTry \`npm run bench -- --help\`.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
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
