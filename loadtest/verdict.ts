/**
 * Reads artillery's JSON reports of the scenarios and judges them against the seed's
 * acceptance. move, board and stats are judged together (one error rate over their requests); p4,
 * the seed's own scenario on its five cards, is judged on its own rows, so asking for it beside the
 * others never changes their verdict. Pure: no I/O beyond what the caller passes in, so tests feed it fabricated reports.
 *
 * What counts as what:
 * - an error is a 5xx, a refused signature (401/403: the run itself is broken), a network error or
 *   client timeout (artillery's `errors.*`), or a move still pending when the client gave up
 *   (`move.timeout`). A version conflict is an outcome of a move, never an error.
 * - the conflict rate is conflicts over decided moves, counting both the first attempt and the
 *   one retry after a conflict (a retry is a move too); the first-attempt rate is shown beside it.
 */

/** One of artillery's summaries (a DDSketch digest: percentiles within about 1 %). */
export interface Summary {
  min: number;
  max: number;
  count: number;
  mean: number;
  p50: number;
  median: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999?: number;
}

export interface ArtilleryReport {
  aggregate: {
    counters: Record<string, number>;
    summaries: Record<string, Summary>;
    firstMetricAt?: number;
    lastMetricAt?: number;
  };
}

export const ACCEPTANCE = {
  /** Errors over requests, all three scenarios together. */
  maxErrorRate: 0.01,
  submitP95Ms: 400,
  e2eP95Ms: 400,
  maxConflictRate: 0.1,
  boardP95Ms: 800,
  statsP95Ms: 500,
} as const;

export interface TrafficFigures {
  requests: number;
  /** By status code, e.g. { '200': 10, '304': 3 }. */
  codes: Record<string, number>;
  serverErrors: number;
  authFailures: number;
  /** 4xx other than 401/403: none is expected; listed, not counted as errors. */
  otherClientErrors: number;
  /** artillery's errors.* (ETIMEDOUT, ECONNREFUSED…), by code. */
  networkErrors: Record<string, number>;
  failedVusers: number;
}

export interface MoveFigures {
  submitted: number;
  applied: number;
  noop: number;
  conflicts: number;
  conflictsFirst: number;
  conflictsRetry: number;
  rejected: number;
  failed: number;
  timedOut: number;
  retried: number;
  decided: number;
  decidedFirst: number;
  noCard: number;
  /** Retries not sent: the refreshed card was already in the column, or could no longer move. */
  retryMoot: number;
  submit?: Summary;
  e2e?: Summary;
}

export interface Row {
  check: string;
  target: string;
  value: string;
  ok: boolean;
}

const sumMatching = (counters: Record<string, number>, test: (name: string) => boolean) =>
  Object.entries(counters).reduce((acc, [name, n]) => (test(name) ? acc + n : acc), 0);

export function traffic(report: ArtilleryReport): TrafficFigures {
  const c = report.aggregate.counters;
  const codes: Record<string, number> = {};
  const networkErrors: Record<string, number> = {};
  for (const [name, n] of Object.entries(c)) {
    const code = /^http\.codes\.(\d{3})$/.exec(name)?.[1];
    if (code) codes[code] = n;
    const err = /^errors\.(.+)$/.exec(name)?.[1];
    if (err) networkErrors[err] = n;
  }
  const byClass = (test: (code: number) => boolean) => sumMatching(codes, (code) => test(Number(code)));
  return {
    requests: c['http.requests'] ?? 0,
    codes,
    serverErrors: byClass((s) => s >= 500),
    authFailures: byClass((s) => s === 401 || s === 403),
    otherClientErrors: byClass((s) => s >= 400 && s < 500 && s !== 401 && s !== 403),
    networkErrors,
    failedVusers: c['vusers.failed'] ?? 0,
  };
}

export function moves(report: ArtilleryReport): MoveFigures {
  const c = report.aggregate.counters;
  const n = (name: string) => c[`move.${name}`] ?? 0;
  const applied = n('applied');
  const noop = n('noop');
  const conflicts = n('conflict');
  const rejected = n('rejected');
  const failed = n('failed');
  return {
    submitted: n('submitted'),
    applied,
    noop,
    conflicts,
    conflictsFirst: n('conflict_first'),
    conflictsRetry: n('conflict_retry'),
    rejected,
    failed,
    timedOut: n('timeout'),
    retried: n('retried'),
    decided: applied + noop + conflicts + rejected + failed,
    decidedFirst: n('decided_first'),
    noCard: n('no_card'),
    retryMoot: n('retry_moot'),
    submit: report.aggregate.summaries['move.submit_ms'],
    e2e: report.aggregate.summaries['move.e2e_ms'],
  };
}

export const errorCount = (t: TrafficFigures) =>
  t.serverErrors + t.authFailures + Object.values(t.networkErrors).reduce((a, b) => a + b, 0);

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const ms = (x: number | undefined) => (x === undefined ? 'no data' : `${x.toFixed(1)} ms`);

export interface Reports {
  move: ArtilleryReport;
  board: ArtilleryReport;
  stats: ArtilleryReport;
  p4: ArtilleryReport;
}

/** Said under the verdict whenever p4 ran: what its conflict row measures. */
export const P4_NOTE =
  "p4 moves the seed's five cards only, so two staff journeys in flight at once touch the same card " +
  'often: its conflict rate measures that contention (it rises with the rate and falls with more cards), ' +
  'a property of the scenario, not of the server; a conflict is an outcome, the page refetches and says so ' +
  '(docs/PERFORMANCE.md, "The seed\'s P4 scenario").';

const below = (x: number | undefined, limit: number) => x !== undefined && x < limit;
const atMost = (x: number | undefined, limit: number) => x !== undefined && x <= limit;

function errorRow(label: string, reports: ArtilleryReport[], timedOut: number): Row {
  const requests = reports.reduce((a, r) => a + traffic(r).requests, 0);
  const errors = reports.reduce((a, r) => a + errorCount(traffic(r)), 0) + timedOut;
  const errorRate = requests > 0 ? errors / requests : 1;
  return {
    check: `${label}error rate (5xx, 401/403, network errors, timeouts)`,
    target: `< ${pct(ACCEPTANCE.maxErrorRate)}`,
    value: `${pct(errorRate)} (${errors} of ${requests} requests)`,
    ok: requests > 0 && errorRate < ACCEPTANCE.maxErrorRate,
  };
}

function moveRows(label: string, m: MoveFigures): Row[] {
  const conflictRate = m.decided > 0 ? m.conflicts / m.decided : 1;
  const firstRate = m.decidedFirst > 0 ? m.conflictsFirst / m.decidedFirst : 0;
  return [
    {
      check: `${label}move submit p95`,
      target: `< ${ACCEPTANCE.submitP95Ms} ms`,
      value: ms(m.submit?.p95),
      ok: below(m.submit?.p95, ACCEPTANCE.submitP95Ms),
    },
    {
      check: `${label}move end-to-end p95 (submit → outcome)`,
      target: `< ${ACCEPTANCE.e2eP95Ms} ms`,
      value: ms(m.e2e?.p95),
      ok: below(m.e2e?.p95, ACCEPTANCE.e2eP95Ms),
    },
    {
      check: `${label}conflict rate (first attempts and retries)`,
      target: `< ${pct(ACCEPTANCE.maxConflictRate)}`,
      value: `${pct(conflictRate)} (${m.conflicts} of ${m.decided}; first attempts ${pct(firstRate)})`,
      ok: m.decided > 0 && conflictRate < ACCEPTANCE.maxConflictRate,
    },
  ];
}

/** The verdict table: one row per acceptance criterion of the scenarios that ran. */
export function verdict(reports: Partial<Reports>): Row[] {
  const ran = [reports.move, reports.board, reports.stats].filter((r): r is ArtilleryReport => !!r);
  const m = reports.move ? moves(reports.move) : undefined;
  const rows: Row[] = [];
  if (ran.length > 0) rows.push(errorRow('', ran, m?.timedOut ?? 0));
  if (m) rows.push(...moveRows('', m));
  if (reports.board) {
    const board = reports.board.aggregate.summaries['http.response_time'];
    rows.push({
      check: 'board p95',
      target: `≤ ${ACCEPTANCE.boardP95Ms} ms`,
      value: ms(board?.p95),
      ok: atMost(board?.p95, ACCEPTANCE.boardP95Ms),
    });
  }
  if (reports.stats) {
    const stats = reports.stats.aggregate.summaries['http.response_time'];
    rows.push({
      check: 'stats p95 (7 and 31 days)',
      target: `≤ ${ACCEPTANCE.statsP95Ms} ms`,
      value: ms(stats?.p95),
      ok: atMost(stats?.p95, ACCEPTANCE.statsP95Ms),
    });
  }
  if (reports.p4) {
    const p4 = moves(reports.p4);
    rows.push(errorRow('p4: ', [reports.p4], p4.timedOut), ...moveRows('p4: ', p4));
  }
  return rows;
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function verdictTable(rows: Row[]): string {
  return markdownTable(
    ['check', 'target', 'measured', 'verdict'],
    rows.map((r) => [r.check, r.target, r.value, r.ok ? 'pass' : '**FAIL**']),
  );
}

/** Per-scenario detail for the summary: requests, codes, errors and latency of each named request. */
export function detailTable(reports: Partial<Reports>): string {
  const rows: string[][] = [];
  for (const [name, report] of Object.entries(reports) as Array<[string, ArtilleryReport]>) {
    const t = traffic(report);
    const codes = Object.entries(t.codes)
      .map(([code, n]) => `${code}×${n}`)
      .join(' ');
    const errs = Object.entries(t.networkErrors)
      .map(([code, n]) => `${code}×${n}`)
      .join(' ');
    const prefix = 'plugins.metrics-by-endpoint.response_time.';
    for (const [metric, s] of Object.entries(report.aggregate.summaries)) {
      if (!metric.startsWith(prefix)) continue;
      rows.push([
        name,
        metric.slice(prefix.length),
        String(s.count),
        s.p50.toFixed(1),
        s.p95.toFixed(1),
        s.p99.toFixed(1),
        s.max.toFixed(1),
        '',
      ]);
    }
    rows.push([
      name,
      '(all requests)',
      String(t.requests),
      '',
      '',
      '',
      '',
      `${codes}${errs ? ` ${errs}` : ''}`,
    ]);
  }
  return markdownTable(
    ['scenario', 'request', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'status codes / errors'],
    rows,
  );
}

export function moveTable(m: MoveFigures): string {
  const s = (x: Summary | undefined) =>
    x ? `p50 ${x.p50.toFixed(1)} / p95 ${x.p95.toFixed(1)} / p99 ${x.p99.toFixed(1)} ms` : 'no data';
  return markdownTable(
    ['moves', 'count'],
    [
      ['submitted (first attempts and retries)', String(m.submitted)],
      ['applied', String(m.applied)],
      ['no-op (already in that column)', String(m.noop)],
      ['conflict: first attempt / after the retry', `${m.conflictsFirst} / ${m.conflictsRetry}`],
      ['rejected', String(m.rejected)],
      ['failed', String(m.failed)],
      ['still pending when the client gave up', String(m.timedOut)],
      ['no movable card on the board', String(m.noCard)],
      ['retry not sent (card already there, or completed)', String(m.retryMoot)],
      ['submit latency', s(m.submit)],
      ['end-to-end latency', s(m.e2e)],
    ],
  );
}
