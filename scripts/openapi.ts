/**
 * `npm run openapi`: writes the OpenAPI document generated from the zod schemas to
 * build/openapi.json and its TypeScript types to client/ and web/src/ (see lib/openapi-files.ts).
 * `npm run typecheck` and `npm run build:web` run it first, so a schema change a client no longer
 * fits fails them. `--check` writes nothing and exits 1 when a committed file is stale.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { DOCUMENT_FILE, REPO_ROOT, TYPES_FILES, documentJson, typesSource } from './lib/openapi-files';

const check = process.argv.includes('--check');
let stale = 0;

async function writeIfChanged(file: string, text: string): Promise<void> {
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (before === text) return;
  if (check) {
    stale += 1;
    console.error(`${relative(REPO_ROOT, file)} is not what the schemas generate: run npm run openapi`);
    return;
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  console.log(`wrote ${relative(REPO_ROOT, file)}`);
}

async function run(): Promise<void> {
  // build/ is not committed, so only the types can be stale.
  if (!check) await writeIfChanged(DOCUMENT_FILE, documentJson());
  const types = await typesSource();
  for (const file of TYPES_FILES) await writeIfChanged(file, types);
  if (stale > 0) process.exit(1);
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
