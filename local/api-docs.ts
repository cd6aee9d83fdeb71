/**
 * The rendered API reference at /api/docs on the local gateway: Redoc's static build of the
 * OpenAPI document (`npm run docs:api`, Redocly's build-docs with its scripts inlined), one HTML
 * file with nothing to fetch. Like the board page it sits behind the signature check, so it is
 * reached through the signing proxy. `npm start` builds it when it is missing or older than the
 * document it was built from.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { ServerResponse } from 'node:http';
import { buildOpenApiDocument } from '../handlers/http/openapi';
import type { StaticFiles } from './gateway';

const REPO_ROOT = resolve(__dirname, '..');
export const API_DOCUMENT_FILE = join(REPO_ROOT, 'build', 'openapi.json');
export const API_DOCS_FILE = join(REPO_ROOT, 'build', 'api-docs', 'index.html');
export const API_DOCS_PATHS = ['/api/docs', '/api/docs/'];

/**
 * Redoc renders in the page with inline scripts and styles and workers from blob: URLs; it may
 * call only its own origin (the download button fetches /api/openapi.json), so no CDN is reached.
 */
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function send(res: ServerResponse, status: number, body: Buffer, type: string, extra = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(body.length),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

/** A hook for the gateway's apiDocs option, serving `file`. */
export function createApiDocs(file: string = API_DOCS_FILE): StaticFiles {
  return async (path, res) => {
    if (!API_DOCS_PATHS.includes(path)) return false;
    const html = await readFile(file).catch(() => undefined);
    if (!html) {
      send(
        res,
        503,
        Buffer.from('The API reference is not built yet: run npm run docs:api (npm start builds it).\n'),
        'text/plain; charset=utf-8',
      );
      return true;
    }
    send(res, 200, html, 'text/html; charset=utf-8', {
      'content-security-policy': DOCS_CSP,
      'referrer-policy': 'no-referrer',
    });
    return true;
  };
}

/** Writes the document and renders it with Redocly, unless the page is newer than the document. */
export async function ensureApiDocs(opts: { log?: (line: string) => void } = {}): Promise<'fresh' | 'built'> {
  const json = `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
  const current = await readFile(API_DOCUMENT_FILE, 'utf8').catch(() => undefined);
  const built = await stat(API_DOCS_FILE).catch(() => undefined);
  if (current === json && built) return 'fresh';
  opts.log?.('API reference    building build/api-docs');
  await mkdir(dirname(API_DOCUMENT_FILE), { recursive: true });
  await writeFile(API_DOCUMENT_FILE, json);
  const cli = join(dirname(createRequire(__filename).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
  await new Promise<void>((done, fail) => {
    const child = spawn(
      process.execPath,
      [cli, 'build-docs', API_DOCUMENT_FILE, '--inlineBundle', '--output', API_DOCS_FILE],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`building the API reference failed (${code}):\n${output.trim()}`)),
    );
  });
  return 'built';
}
