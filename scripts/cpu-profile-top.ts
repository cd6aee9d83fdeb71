/**
 * `npm run cpu-profile-top -- FILE.cpuprofile [--top N]`: the functions with the most self time in
 * a V8 CPU profile (node --cpu-prof, or `npm run bench -- --moves-at R --cpu-prof-dir DIR`), as a
 * markdown table. Self time of a function is the samples taken while it was on top of the stack;
 * nodes of one function (same name, file, line) are summed. Pure apart from reading the file.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { intOption } from './lib/cli';

const HELP = `Usage: npm run cpu-profile-top -- FILE.cpuprofile [--top N]

Prints the top N (default 10) functions by self time of a V8 CPU profile as a markdown table:
share of the samples, milliseconds, function, and where it is (node_modules package or file:line).`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeRow {
  functionName: string;
  where: string;
  ms: number;
  share: number;
}

/** Where a frame is: "pkg (node_modules)" for a dependency, else the path relative to `root`, with its line. */
function whereOf(url: string, line: number, root: string): string {
  if (!url) return '(native or V8)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return `${pkg} (${rest.slice(pkg?.startsWith('@') ? 2 : 1).join('/')}:${line + 1})`;
  }
  return path.startsWith('/') ? `${relative(root, path)}:${line + 1}` : `${path}:${line + 1}`;
}

/** Self time by function, most first: from the samples' time deltas, or hit counts × the mean interval. */
export function selfTimes(profile: CpuProfile, root = process.cwd()): SelfTimeRow[] {
  const byNode = new Map<number, number>();
  if (profile.samples && profile.timeDeltas && profile.samples.length === profile.timeDeltas.length) {
    // timeDeltas[i] is the time before sample i; the sample's own interval is the next delta.
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas?.[i + 1] ?? profile.timeDeltas?.[i] ?? 0;
      byNode.set(id, (byNode.get(id) ?? 0) + us);
    });
  } else {
    const hits = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
    const interval = hits ? (profile.endTime - profile.startTime) / hits : 0;
    for (const n of profile.nodes) byNode.set(n.id, (n.hitCount ?? 0) * interval);
  }
  const total = [...byNode.values()].reduce((a, b) => a + b, 0);
  const rows = new Map<string, SelfTimeRow>();
  for (const n of profile.nodes) {
    const us = byNode.get(n.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    const key = `${name}\u0000${url}\u0000${lineNumber}`;
    const row = rows.get(key) ?? {
      functionName: name,
      where: whereOf(url, lineNumber, root),
      ms: 0,
      share: 0,
    };
    row.ms += us / 1000;
    rows.set(key, row);
  }
  return [...rows.values()]
    .map((r) => ({ ...r, share: total ? (r.ms * 1000) / total : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

export function topTable(rows: SelfTimeRow[], n: number, profile: CpuProfile): string {
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  return [
    `Profile of ${seconds.toFixed(1)} s; top ${n} functions by self time:`,
    '',
    '| # | self | ms | function | where |',
    '|---|---|---|---|---|',
    ...rows
      .slice(0, n)
      .map(
        (r, i) =>
          `| ${i + 1} | ${(r.share * 100).toFixed(1)} % | ${r.ms.toFixed(0)} | \`${r.functionName}\` | ${r.where} |`,
      ),
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  let values;
  let positionals;
  let top;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { top: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    }));
    top = intOption('top', values.top, 10, { min: 1, max: 1000 });
  } catch (err) {
    process.stderr.write(`cpu-profile-top: ${(err as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const file = positionals[0];
  if (!file) {
    process.stderr.write(`cpu-profile-top: a .cpuprofile file is needed\n${HELP}\n`);
    return 2;
  }
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${topTable(selfTimes(profile), top, profile)}\n`);
  return 0;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`cpu-profile-top: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(2);
    },
  );
}
