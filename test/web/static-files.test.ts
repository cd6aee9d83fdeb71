/** The local gateway's file server for the board page: types, caching, the page fallback, no way out of the root. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticFiles } from '../../local/static-files';

let root: string;
let server: Server;
let base: string;

/** A raw GET: the path goes on the wire exactly as given (fetch would normalise `..`). */
function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = request(`${base}/`, { path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(dir: string) {
  const staticFiles = createStaticFiles(dir);
  server = createServer((req, res) => {
    void staticFiles((req.url ?? '/').split('?')[0] ?? '/', res).then((handled) => {
      // What the gateway does next: the API's own answer.
      if (!handled) res.writeHead(404, { 'content-type': 'application/json' }).end('{"api":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const top = await mkdtemp(join(tmpdir(), 'static-files-'));
  root = join(top, 'dist');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>board</title>');
  await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(join(root, 'assets', 'index-abc123.css'), 'body{}');
  await writeFile(join(top, 'secret.txt'), 'do not serve');
  await serve(root);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(join(root, '..'), { recursive: true, force: true });
});

describe('createStaticFiles', () => {
  it('serves index.html at / with no-cache and the page headers', async () => {
    const res = await get('/');

    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>board</title>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
  });

  it.each([
    ['/assets/index-abc123.js', 'text/javascript; charset=utf-8'],
    ['/assets/index-abc123.css', 'text/css; charset=utf-8'],
  ])('serves %s as %s, cached for good', async (path, type) => {
    const res = await get(path);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers 304 when the browser already has the file', async () => {
    const first = await get('/');

    const again = await get('/', { 'if-none-match': String(first.headers.etag) });

    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves the page for a path that is not a file', async () => {
    const res = await get('/board/today');

    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>board</title>');
  });

  it.each(['/assets/missing.js', '/missing.css'])(
    'answers 404 for a missing file %s, never the page',
    async (path) => {
      const res = await get(path);

      expect(res.status).toBe(404);
      expect(res.body).not.toContain('<title>');
    },
  );

  it.each(['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00'])(
    'does not leave its root for %s',
    async (path) => {
      const res = await get(path);

      expect(res.status).toBe(404);
      expect(res.body).not.toContain('do not serve');
    },
  );

  it('says how to build the page when it is not built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'static-empty-'));
    const staticFiles = createStaticFiles(empty);
    const sent: { status?: number; body?: string } = {};
    const res = {
      req: { headers: {} },
      writeHead(status: number) {
        sent.status = status;
        return this;
      },
      end(body: Buffer) {
        sent.body = body.toString();
      },
    };

    await expect(staticFiles('/', res as never)).resolves.toBe(true);

    expect(sent.status).toBe(503);
    expect(sent.body).toContain('npm run build:web');
    await rm(empty, { recursive: true, force: true });
  });
});
