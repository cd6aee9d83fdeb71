/**
 * The import direction between top-level folders (README, "Layout") is enforced by
 * eslint.config.mjs: a deliberate violation in each folder fails lint, and an allowed import does not.
 * It needs no services, but it runs ESLint in a child process, which the unit project never does.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/**
 * Lints each probe as if it were a file at that path, in a plain Node process: ESLint loads its
 * config with a dynamic import, which Jest's module sandbox does not allow.
 */
function directionErrors(probes: Array<[string, string]>): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const probes = JSON.parse(process.argv[1]);
    (async () => {
      // The probes exist nowhere on disk, so no TypeScript project has them: lint them without the
      // typed rules (the direction rule needs no types).
      const eslint = new ESLint({
        cwd: process.cwd(),
        overrideConfig: {
          languageOptions: { parserOptions: { projectService: false } },
          rules: {
            '@typescript-eslint/no-floating-promises': 'off',
            '@typescript-eslint/no-misused-promises': 'off',
            '@typescript-eslint/await-thenable': 'off',
          },
        },
      });
      const out = [];
      for (const [file, code] of probes) {
        const [result] = await eslint.lintText(code, { filePath: file });
        out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const stdout = execFileSync(process.execPath, ['-e', script, JSON.stringify(probes)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as string[][];
}

const REFUSED: Array<[string, string]> = [
  ['domain/probe.ts', "import { serviceConfig } from '../infra/config';\nexport const c = serviceConfig;\n"],
  ['domain/use-cases/probe.ts', "import { handler } from '../../handlers/api';\nexport const h = handler;\n"],
  ['domain/probe.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n"],
  ['domain/probe.ts', "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const s = SQSClient;\n"],
  ['infra/probe.ts', "import { router } from '../handlers/api';\nexport const r = router;\n"],
  [
    'infra/dynamodb/probe.ts',
    "import { startGateway } from '../../local/gateway';\nexport const g = startGateway;\n",
  ],
  ['handlers/probe.ts', "import { startGateway } from '../local/gateway';\nexport const g = startGateway;\n"],
  ['client/probe.ts', "import { serviceConfig } from '../infra/config';\nexport const c = serviceConfig;\n"],
  ['local/probe.ts', "import { run } from '../scripts/smoke';\nexport const r = run;\n"],
  ['loadtest/probe.ts', "import { run } from '../scripts/smoke';\nexport const r = run;\n"],
  [
    'web/src/probe.ts',
    "import { serviceConfig } from '../../infra/config';\nexport const c = serviceConfig;\n",
  ],
];
const ALLOWED: Array<[string, string]> = [
  [
    'domain/probe.ts',
    "import { z } from 'zod';\nimport { STATUSES } from './status';\nexport const s = [z, STATUSES];\n",
  ],
  ['infra/probe.ts', "import { STATUSES } from '../domain/status';\nexport const s = STATUSES;\n"],
  [
    'handlers/probe.ts',
    "import { serviceConfig } from '../infra/config';\nexport const c = serviceConfig;\n",
  ],
  ['local/probe.ts', "import { router } from '../handlers/api';\nexport const r = router;\n"],
  ['client/probe.ts', "import { STATUSES } from '../domain/status';\nexport const s = STATUSES;\n"],
];

describe('npm run lint keeps imports pointing one way', () => {
  let refused: string[][];
  let allowed: string[][];
  beforeAll(() => {
    const all = directionErrors([...REFUSED, ...ALLOWED]);
    refused = all.slice(0, REFUSED.length);
    allowed = all.slice(REFUSED.length);
  });

  it.each(REFUSED.map(([file, code], i) => [file, code.split('\n')[0], i] as const))(
    'refuses in %s: %s',
    (_file, _code, i) => {
      expect(refused[i]).toEqual([expect.stringMatching(/may import only|is pure/)]);
    },
  );

  it.each(ALLOWED.map(([file, code], i) => [file, code.split('\n')[0], i] as const))(
    'allows in %s: %s',
    (_file, _code, i) => {
      expect(allowed[i]).toEqual([]);
    },
  );
});
