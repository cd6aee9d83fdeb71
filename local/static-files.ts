/**
 * The staff board page on the local gateway: serves the Vite build in web/dist, and builds it when
 * it is missing or older than its sources. The gateway verifies the signature first, so the page
 * is reached through the signing proxy, on the same origin as the API it calls.
 *
 * `/` and any path that is not a file get index.html (the page reads its state from the query
 * string); hashed files under /assets/ are cached for good; index.html is revalidated on every load
 * so a rebuild shows at once. Paths are resolved inside the root and nowhere else.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { StaticFiles } from './gateway';

const REPO_ROOT = resolve(__dirname, '..');
export const WEB_DIR = join(REPO_ROOT, 'web');
export const WEB_DIST = join(WEB_DIR, 'dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite puts a content hash in every file name under assets/: a new build means new names. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/** The page loads its own script and style and calls only its own origin. */
const PAGE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = 'text/plain; charset=utf-8',
): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(body.length),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

async function fileStat(path: string) {
  try {
    const s = await stat(path);
    return s.isFile() ? s : undefined;
  } catch {
    return undefined;
  }
}

/** A StaticFiles hook for the gateway, serving `root` (web/dist by default). */
export function createStaticFiles(root: string = WEB_DIST): StaticFiles {
  const base = resolve(root);
  const index = join(base, 'index.html');

  return async (urlPath, res) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      sendText(res, 400, 'bad path encoding');
      return true;
    }
    const file = resolve(base, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
    if (decoded.includes('\0') || (file !== base && !file.startsWith(base + sep))) {
      sendText(res, 404, 'not found');
      return true;
    }

    let path = file;
    let info = file === base ? undefined : await fileStat(file);
    if (!info) {
      // A missing file (a name with an extension, or anything under assets/) is a 404, not the
      // page: a browser must never run index.html as a script.
      if (decoded.startsWith('/assets/') || extname(decoded) !== '') {
        sendText(res, 404, 'not found');
        return true;
      }
      path = index;
      info = await fileStat(index);
      if (!info) {
        sendText(
          res,
          503,
          '<!doctype html><title>Board not built</title><p>The board page is not built yet: run ' +
            '<code>npm run build:web</code> (<code>npm start</code> builds it when it is missing).</p>',
          'text/html; charset=utf-8',
        );
        return true;
      }
    }

    const isPage = path === index;
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': path.startsWith(join(base, 'assets') + sep) ? IMMUTABLE : REVALIDATE,
      etag,
      'x-content-type-options': 'nosniff',
      ...(isPage ? { 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer' } : {}),
    };
    const ifNoneMatch = res.req?.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag)) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': String(info.size) });
    await new Promise<void>((done, fail) => {
      const stream = createReadStream(path);
      stream.on('error', (err) => {
        res.destroy();
        fail(err);
      });
      res.on('close', () => done());
      stream.pipe(res);
    });
    return true;
  };
}

/** The newest modification time of the files under `dir` (0 when there are none). */
async function newestMtime(dir: string, skip: ReadonlySet<string>): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? await newestMtime(path, skip) : (await stat(path)).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

/**
 * Builds web/dist with Vite when index.html is missing or older than the page's sources (web/ and
 * the domain/ rules it bundles). Vite runs in a child process: it is an ES module, and neither
 * tsx's CommonJS nor Jest's module registry can import it in-process.
 */
export async function ensureWebBuild(
  opts: { webDir?: string; log?: (line: string) => void } = {},
): Promise<'fresh' | 'built'> {
  const webDir = opts.webDir ?? WEB_DIR;
  const built = await fileStat(join(webDir, 'dist', 'index.html'));
  const skip = new Set(['dist', 'node_modules']);
  if (built) {
    const sources = Math.max(
      await newestMtime(webDir, skip),
      await newestMtime(join(REPO_ROOT, 'domain'), skip),
    );
    if (sources <= built.mtimeMs) return 'fresh';
  }
  opts.log?.(
    built ? 'Web page         sources changed: rebuilding web/dist' : 'Web page         building web/dist',
  );
  const viteBin = join(dirname(createRequire(__filename).resolve('vite/package.json')), 'bin', 'vite.js');
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [viteBin, 'build', webDir, '--logLevel', 'warn'], {
      cwd: REPO_ROOT,
      // Jest sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      if (code === 0) done();
      else fail(new Error(`building the web page failed (vite exited with ${code}):\n${output.trim()}`));
    });
  });
  return 'built';
}
