/** The bench's report (loadtest/bench/report.ts): markdown from results, spliced into PERFORMANCE.md. */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  BEGIN_MARKER,
  END_MARKER,
  capacityLine,
  overloadLine,
  report,
  spliceReport,
  targets,
} from '../../loadtest/bench/report';
import type { Results } from '../../loadtest/bench/results';
import { aBoardRead, aLatency, aRateRun, aStatsRead, benchResults } from '../support/bench-results';

const ROOT = resolve(__dirname, '../..');

/** The cells of the table row whose first cell is `first`. */
function row(markdown: string, first: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${first} |`));
  expect(line).toBeDefined();
  return (line as string).split(' | ').map((c) => c.replace(/^\| | \|$/g, ''));
}

describe('report', () => {
  it('opens with the command, the start time in UTC and the duration', () => {
    const markdown = report(benchResults());

    expect(markdown.split('\n')[0]).toBe(
      'Measured by `npm run bench` on 2026-11-29 09:35 UTC, 317 s in all.',
    );
  });

  it('has the sections of docs/PERFORMANCE.md in their order, a blank line between them', () => {
    const markdown = report(benchResults());

    const headings = markdown.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '### Floor (SDK directly, one call at a time)',
      '### Moves at a fixed rate (open loop, every move on a card nobody else moves)',
      '### Board (one day, sequential GETs: without If-None-Match, then with the ETag of the last 200)',
      '### Stats (200 appointments a day)',
      '### Conflicts under contention (20 staff, think time 0–600 ms, one retry after a conflict)',
      '### Targets',
    ]);
    for (const heading of headings) expect(markdown).toContain(`\n\n${heading}\n\n`);
  });

  it('describes the machine and the load around the run', () => {
    const markdown = report(benchResults());

    expect(row(markdown, 'CPU')).toEqual(['CPU', '2 × Test CPU']);
    expect(row(markdown, 'load average (1 min) before / after')[1]).toBe(
      '0.50 / 1.75 (other work on the machine shows here)',
    );
    expect(row(markdown, 'stack')[1]).toContain('2 pollers');
  });

  it('sums the floor of a move from the floor p50s', () => {
    const markdown = report(benchResults());

    expect(row(markdown, 'conditional UpdateItem (card, version check)')).toEqual([
      'conditional UpdateItem (card, version check)',
      '100',
      '4.0',
      '6.0',
      '8.0',
      '1.5 / 0.0',
    ]);
    expect(row(markdown, 'SQS SendMessage (FIFO)')[5]).toBe('');
    expect(markdown).toContain('= **5.0 ms**; end-to-end = submit');
    expect(markdown).toContain('(the poll that sees the outcome) = **17.0 ms**.');
  });

  it('lists the fixed rates and the steps by rate, marks the steps, and divides by the floor', () => {
    const markdown = report(benchResults());

    const rates = markdown
      .split('\n')
      .filter((l) => /^\| \d+\/s/.test(l))
      .map((l) => l.split(' | ')[0]);
    expect(rates).toEqual(['| 1/s', '| 10/s', '| 20/s (step)', '| 30/s (step)', '| 50/s']);
    expect(row(markdown, '10/s')).toEqual([
      '10/s',
      '100',
      '10.0 / 15.0',
      '2.0×',
      '40.0 / 60.0',
      '2.4×',
      '0',
      '6.0 (2.0)',
      '8 + 4 + 3',
      '25.0 %',
      '12.0',
    ]);
  });

  it('shows the first error of a run beside its error count', () => {
    const markdown = report(benchResults());

    expect(row(markdown, '30/s (step)')[6]).toBe('2 (timeout)');
  });

  it('writes n/a for a ratio to a floor of zero', () => {
    const markdown = report(benchResults({ moveFloor: { submit: 0, e2e: 0 } }));

    expect(row(markdown, '1/s')[3]).toBe('n/a');
    expect(row(markdown, '1/s')[5]).toBe('n/a');
  });

  it('states the highest sustained rate and why the search stopped', () => {
    const markdown = report(benchResults());

    expect(markdown).toContain(
      'Highest sustained rate with zero errors and end-to-end p95 ≤ 1000 ms: **20 moves/s** ' +
        '(the next rate tried: 30/s had 2 errors and an end-to-end p95 of 1350 ms).',
    );
    expect(markdown).toContain("Rows marked (step) are that search's own runs, 10 s each;");
  });

  it('shows the board against its index query, with the body size', () => {
    const markdown = report(benchResults());

    expect(row(markdown, '200')).toEqual([
      '200',
      '',
      '200',
      '40',
      '20.0 / 30.0',
      '4.0 / 6.0',
      '0.2×',
      '10.0 / 15.0',
      '2.0×',
      '2.0×',
      '200 KiB',
    ]);
  });

  it('shows the board of one technician in its own row, with the cards it kept', () => {
    const markdown = report(benchResults());

    expect(row(markdown, '200 | bench-t1')).toEqual([
      '200',
      'bench-t1',
      '40',
      '40',
      '16.0 / 24.0',
      '3.2 / 4.8',
      '0.2×',
      '8.0 / 12.0',
      '2.0×',
      '2.0×',
      '200 KiB',
    ]);
  });

  it('shows cold and warm stats against their floors', () => {
    const markdown = report(benchResults());

    expect(markdown).toContain('| cold p50 ms (n=3) |');
    expect(row(markdown, '31 days')).toEqual([
      '31 days',
      '6200',
      '100.0',
      '30',
      '10.0 / 15.0',
      '50.0 / 75.0',
      '5.0 / 7.5 (31 days)',
      '2.0×',
      '2.0×',
      '4030 / $62.50 / 95.0 % / 5',
    ]);
  });

  it('gives conflict rates over all attempts, first attempts, and the journeys that gave up', () => {
    const markdown = report(benchResults());

    expect(row(markdown, '5')).toEqual([
      '5',
      '20',
      '120',
      '25.0 %',
      '20.0 %',
      '10.0 %',
      '5',
      '0',
      '50.0 / 75.0',
      '8.0',
    ]);
  });

  it('ends with the DynamoDB calls per move of each fixed rate from 10/s, most first', () => {
    const markdown = report(benchResults());

    const lines = markdown.split('\n\n').slice(-2);
    expect(lines).toEqual([
      'DynamoDB calls per move at 10/s: GetItem 3.00, TransactWriteItems 1.00, BatchGetItem 1.00.',
      'DynamoDB calls per move at 50/s: GetItem 3.00, TransactWriteItems 1.00, BatchGetItem 1.00.',
    ]);
  });
});

describe('capacityLine', () => {
  it('estimates the moves a second the cores allow from the CPU per move of the highest sustained rate', () => {
    // 8 + 4 + 3 = 15 ms a move; (2 cores × 1000 - 30 ms/s idle) / 15 = 131.
    const line = capacityLine(benchResults());

    expect(line).toMatch(/^At 20\/s a move costs about 15 ms of CPU beyond the idle burn/);
    expect(line).toContain('so 2 cores (less 30 ms/s idle load) top out near **131 moves/s**');
  });

  it('falls back to the 10/s run when no run had the highest rate', () => {
    const line = capacityLine(benchResults({ highestRate: 0, steps: [] }));

    expect(line).toMatch(/^At 10\/s /);
  });

  it('is empty when neither run exists', () => {
    const line = capacityLine(benchResults({ highestRate: 0, steps: [], rates: [aRateRun(1)] }));

    expect(line).toBe('');
  });
});

describe('targets', () => {
  it('meets every target with the factory figures', () => {
    const rows = targets(benchResults());

    expect(rows.map((t) => t.met)).toEqual([true, true, true, true, true]);
    expect(rows[0]?.measured).toBe('1/s: 2.4×, 10/s: 2.4×, 50/s: 2.4×');
    expect(rows[2]?.measured).toBe('30.0 ms, 24.0 ms (technician_id=bench-t1)');
    expect(rows[3]?.measured).toBe(
      '15.0 ms (past 31 days), 30.0 ms (31 days up to today, today live); a cold request (no stored day): 100.0 ms',
    );
  });

  it.each<[string, Partial<Results>, number]>([
    [
      'an end-to-end p50 over 3 × floor',
      { rates: [aRateRun(1), aRateRun(10, { e2e: aLatency(60) }), aRateRun(50)] },
      0,
    ],
    ['errors at 50/s', { rates: [aRateRun(1), aRateRun(10), aRateRun(50, { errors: 1 })] }, 1],
    [
      'a board p95 of 60 ms',
      {
        board: [
          { perDay: 200, read: aBoardRead(40) },
          { perDay: 1000, read: aBoardRead(60) },
        ],
      },
      2,
    ],
    [
      "one technician's board at a p95 of 60 ms",
      {
        board: [
          { perDay: 200, read: aBoardRead(20) },
          { perDay: 1000, read: aBoardRead(60) },
          { perDay: 200, read: aBoardRead(40, { technician: 'bench-t1' }) },
        ],
      },
      2,
    ],
    [
      'a slow 31 days up to today',
      {
        stats: [
          { label: '31 days', days: 31, read: aStatsRead(10) },
          { label: '31 days up to today (today read live)', days: 31, read: aStatsRead(70) },
        ],
      },
      3,
    ],
    [
      'a board 304 at half the 200',
      {
        board: [
          { perDay: 200, read: aBoardRead(20) },
          { perDay: 1000, read: aBoardRead(60, { notModified: aLatency(30, 40) }) },
        ],
      },
      4,
    ],
  ])('misses a target with %s', (_name, overrides, index) => {
    const rows = targets(benchResults(overrides));

    expect(rows.map((t) => t.met)).toEqual([0, 1, 2, 3, 4].map((i) => i !== index));
    expect(report(benchResults(overrides))).toContain(
      `| ${rows[index]?.target} | ${rows[index]?.measured} | **no** |`,
    );
  });

  it('names the new stats figures in the stats target, and shows n/a for figures with nothing to divide', () => {
    const none = { car_count: 0, average_repair_order_cents: null, show_rate: null, technicianRows: 1 };
    const markdown = report(
      benchResults({ stats: [{ label: '31 days', days: 31, read: aStatsRead(10, { figures: none }) }] }),
    );

    expect(targets(benchResults())[3]?.target).toContain(
      'car_count, average_repair_order_cents, show_rate, by_technician',
    );
    expect(row(markdown, '31 days').at(-1)).toBe('0 / n/a / n/a / 1');
  });

  it('says not run, and not met, for a figure the run did not measure', () => {
    const rows = targets(benchResults({ rates: [aRateRun(1)], board: [], stats: [] }));

    expect(targets(benchResults({ rates: [] }))[0]).toMatchObject({ measured: 'not run', met: false });
    expect(rows.slice(1)).toEqual([
      expect.objectContaining({ measured: 'not run', met: false }),
      expect.objectContaining({ measured: 'not run', met: false }),
      expect.objectContaining({ measured: 'not run', met: false }),
      expect.objectContaining({ measured: 'not run', met: false }),
    ]);
  });
});

describe('spliceReport', () => {
  const block = (text: string) => `${BEGIN_MARKER}\n${text}\n${END_MARKER}`;

  it('replaces what is between the markers and keeps the text around them', () => {
    const doc = `# Performance\n\nintro\n\n${block('old figures')}\n\n## Analysis\n\nhand-written\n`;

    const next = spliceReport(doc, 'new figures');

    expect(next).toBe(`# Performance\n\nintro\n\n${block('new figures')}\n\n## Analysis\n\nhand-written\n`);
  });

  it('gives the same document when spliced twice with the same report', () => {
    const doc = `intro\n\n${block('old')}\n\nafter\n`;

    const once = spliceReport(doc, 'new');

    expect(spliceReport(once, 'new')).toBe(once);
  });

  it('appends the block to a document without markers', () => {
    const next = spliceReport('# Performance\n\nnotes\n\n\n', 'figures');

    expect(next).toBe(`# Performance\n\nnotes\n\n${block('figures')}\n`);
  });

  it('starts a document when there is none', () => {
    const next = spliceReport(undefined, 'figures');

    expect(next).toBe(`# Performance\n\n${block('figures')}\n`);
  });

  it('finds the markers once each, in order, in docs/PERFORMANCE.md', async () => {
    const doc = await readFile(join(ROOT, 'docs', 'PERFORMANCE.md'), 'utf8');

    expect(doc.split(BEGIN_MARKER)).toHaveLength(2);
    expect(doc.split(END_MARKER)).toHaveLength(2);
    expect(doc.indexOf(BEGIN_MARKER)).toBeLessThan(doc.indexOf(END_MARKER));
  });
});

describe('overloadLine', () => {
  it('says how many accepted moves the run did not see decided, and how many were decided when asked again', () => {
    const run = aRateRun(80, { undecided: 3, decidedAfter: 2, stillUndecided: 1, shed: 40, refused: 5 });

    const line = overloadLine(benchResults({ overload: { seconds: 20, run } }));

    expect(line).toContain('Overload, 80/s for 20 s');
    expect(line).toContain('3 accepted moves not seen decided in the run');
    expect(line).toContain('asked again once the backlog had cleared: 2 decided, 1 not');
    expect(line).toContain('40 429s waited out by the clients');
    expect(line).toContain('5 moves still refused');
  });

  it('is empty when no burst ran', () => {
    expect(overloadLine(benchResults())).toBe('');
  });
});
