/** The top self-time functions of a V8 CPU profile (scripts/cpu-profile-top.ts). */
import { selfTimes, topTable, type CpuProfile } from '../../scripts/cpu-profile-top';

const ROOT = '/repo';

/** root → handler (file:///repo/handlers/api.ts) → hmac (node_modules/@smithy/x), and a second handler node. */
function aProfile(): CpuProfile {
  return {
    startTime: 0,
    endTime: 10_000,
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: 'handle', url: 'file:///repo/handlers/api.ts', lineNumber: 9 } },
      {
        id: 3,
        callFrame: {
          functionName: 'hmac',
          url: 'file:///repo/node_modules/@smithy/signature-v4/dist-cjs/index.js',
          lineNumber: 324,
        },
      },
      // The same function reached by another path: summed with node 2.
      { id: 4, callFrame: { functionName: 'handle', url: 'file:///repo/handlers/api.ts', lineNumber: 9 } },
    ],
    // Sample i lasts timeDeltas[i + 1] (the last one its own delta): node 3 4 ms, node 2 2 ms,
    // node 4 2 ms, node 3 again 2 ms.
    samples: [3, 2, 4, 3],
    timeDeltas: [0, 4000, 2000, 2000],
  };
}

describe('selfTimes', () => {
  it('sums the samples of each function, most first, with their share', () => {
    const rows = selfTimes(aProfile(), ROOT);

    expect(rows).toEqual([
      {
        functionName: 'hmac',
        where: '@smithy/signature-v4 (dist-cjs/index.js:325)',
        ms: 6,
        share: 0.6,
      },
      { functionName: 'handle', where: 'handlers/api.ts:10', ms: 4, share: 0.4 },
    ]);
  });

  it('falls back on hit counts over the profile span when there are no samples', () => {
    const profile = aProfile();
    delete profile.samples;
    delete profile.timeDeltas;
    (profile.nodes[1] as { hitCount?: number }).hitCount = 3;
    (profile.nodes[2] as { hitCount?: number }).hitCount = 1;

    const rows = selfTimes(profile, ROOT);

    expect(rows.map((r) => [r.functionName, r.ms])).toEqual([
      ['handle', 7.5],
      ['hmac', 2.5],
    ]);
  });
});

describe('topTable', () => {
  it('prints the top N rows as a markdown table', () => {
    const profile = aProfile();

    const table = topTable(selfTimes(profile, ROOT), 1, profile);

    expect(table.split('\n')).toEqual([
      'Profile of 0.0 s; top 1 functions by self time:',
      '',
      '| # | self | ms | function | where |',
      '|---|---|---|---|---|',
      '| 1 | 60.0 % | 6 | `hmac` | @smithy/signature-v4 (dist-cjs/index.js:325) |',
    ]);
  });
});
