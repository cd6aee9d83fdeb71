import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_CREDENTIALS } from '../../client/sigv4';
import { startSigningProxy, type SigningProxy } from '../../local/signing-proxy';
import { verifySigV4 } from '../../local/sigv4-verifier';

const CREDENTIALS = LOCAL_CREDENTIALS;
const REGION = 'us-west-2';

interface Echo {
  verified: boolean;
  reason?: string;
  caller?: { accessKey: string };
  method: string;
  path: string;
  query: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Stands in for the local gateway: verifies like it will, then echoes what arrived. */
function startEchoTarget(): Promise<http.Server> {
  const server = http.createServer((req, res) => void echoRequest(req, res));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function echoRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const [path = '', query = ''] = (req.url ?? '').split(/\?(.*)/s);
  const result = verifySigV4(
    { method: req.method ?? '', path, rawQuery: query, headers: req.headers, body },
    { credentials: { [CREDENTIALS.accessKeyId]: CREDENTIALS.secretAccessKey }, region: REGION },
  );
  const echo: Echo = {
    verified: result.ok,
    ...(result.ok ? { caller: result.caller } : { reason: result.reason }),
    method: req.method ?? '',
    path,
    query,
    body: body.toString('utf8'),
    headers: req.headers,
  };
  const status = !result.ok ? 403 : req.method === 'POST' ? 201 : 200;
  res.writeHead(status, { 'content-type': 'application/json', etag: '"v1"', 'x-echo': 'yes' });
  res.end(JSON.stringify(echo));
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return port;
}

describe('startSigningProxy', () => {
  let target: http.Server;
  let targetOrigin: string;
  let proxy: SigningProxy;
  let deadProxy: SigningProxy;
  let deadOrigin: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    target = await startEchoTarget();
    targetOrigin = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    proxy = await startSigningProxy({
      port: 0,
      targetUrl: targetOrigin,
      region: REGION,
      credentials: CREDENTIALS,
      log: (line) => logLines.push(line),
    });
    deadOrigin = `http://127.0.0.1:${await closedPort()}`;
    deadProxy = await startSigningProxy({
      port: 0,
      targetUrl: deadOrigin,
      region: REGION,
      credentials: CREDENTIALS,
    });
  });

  afterAll(async () => {
    await Promise.all([proxy?.close(), deadProxy?.close()]);
    await new Promise<void>((resolve) => {
      target.close(() => resolve());
      target.closeAllConnections();
    });
  });

  it('listens on the real port when asked for port 0', () => {
    expect(proxy.port).toBeGreaterThan(0);
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
  });

  it('forwards a signed GET with its query intact and streams the response back', async () => {
    const res = await fetch(
      `${proxy.url}/api/admin/appointments/board?date=2026-01-02&x=a%20b&plus=a+b&tag=%E2%98%95`,
      { headers: { accept: 'application/json', 'if-none-match': '"v0"' } },
    );
    const echo = (await res.json()) as Echo;

    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"v1"');
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(echo).toMatchObject({
      verified: true,
      caller: { accessKey: CREDENTIALS.accessKeyId },
      method: 'GET',
      path: '/api/admin/appointments/board',
      query: 'date=2026-01-02&x=a%20b&plus=a+b&tag=%E2%98%95',
      body: '',
    });
    expect(echo.headers).toMatchObject({
      host: targetOrigin.replace('http://', ''),
      accept: 'application/json',
      'if-none-match': '"v0"',
    });
  });

  it('forwards a signed POST with its body and content type and passes the status through', async () => {
    const payload = JSON.stringify({ to: 'in_progress', version: 3, note: 'caf\u00e9' });

    const res = await fetch(`${proxy.url}/api/admin/moves/abc-123`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    const echo = (await res.json()) as Echo;

    expect(res.status).toBe(201);
    expect(echo).toMatchObject({
      verified: true,
      method: 'POST',
      path: '/api/admin/moves/abc-123',
      query: '',
      body: payload,
    });
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs an encoded path segment the way the target canonicalizes it', async () => {
    const res = await fetch(`${proxy.url}/api/customers/o%27brien%20%26%20sons`);
    const echo = (await res.json()) as Echo;

    expect(echo).toMatchObject({ verified: true, path: '/api/customers/o%27brien%20%26%20sons' });
  });

  it('replaces the client’s Authorization and drops headers it does not forward', async () => {
    const res = await fetch(`${proxy.url}/api/me`, {
      headers: {
        authorization: 'Bearer not-for-the-target',
        cookie: 'session=1',
        'x-amz-date': '19700101T000000Z',
      },
    });
    const echo = (await res.json()) as Echo;

    expect(echo.verified).toBe(true);
    expect(echo.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/`),
    );
    expect(echo.headers.cookie).toBeUndefined();
    expect(echo.headers['x-amz-date']).not.toBe('19700101T000000Z');
  });

  it('answers 502 with the error envelope when the target is unreachable', async () => {
    const res = await fetch(`${deadProxy.url}/api/admin/appointments/board`);

    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      ok: false,
      error: {
        code: 'bad_gateway',
        message: expect.stringMatching(/^could not reach the target: .*ECONNREFUSED/),
        details: { target: deadOrigin },
      },
    });
  });

  it('logs one line per request once the response is complete', async () => {
    await (await fetch(`${proxy.url}/api/ping?probe=1`)).text();

    // The line is written when the response closes, which can trail the client's last byte slightly.
    const deadline = Date.now() + 2000;
    while (!logLines.some((l) => l.startsWith('GET /api/ping?probe=1')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(logLines).toContainEqual(expect.stringMatching(/^GET \/api\/ping\?probe=1 -> 200 \d+ ms$/));
  });

  it('refuses a target URL with a path, since the prefix would be neither signed nor forwarded', async () => {
    await expect(
      startSigningProxy({
        port: 0,
        targetUrl: `${targetOrigin}/prod`,
        region: REGION,
        credentials: CREDENTIALS,
      }),
    ).rejects.toThrow('targetUrl must be an origin without path or query');
  });
});
