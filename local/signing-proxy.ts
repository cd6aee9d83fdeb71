/**
 * Developer signing proxy: lets curl, a browser or a load tool call an AWS_IAM-protected function URL
 * (or the local gateway that imitates one) without knowing SigV4. Each request is buffered (the
 * signature covers the body hash), signed by client/sigv4.ts exactly as the API client signs, forwarded
 * to the target, and the response is streamed back untouched.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { createFunctionUrlSigner, type CredentialSource } from '../client/sigv4';

/** Static `{ accessKeyId, secretAccessKey, sessionToken? }` or a provider. */
export type SigningCredentials = CredentialSource;

export interface SigningProxyOptions {
  port: number;
  /** Interface to listen on; loopback by default since anyone reaching the proxy acts with your credentials. */
  host?: string;
  /** Origin of the function URL or local gateway, e.g. https://abc.lambda-url.us-west-2.on.aws */
  targetUrl: string;
  region: string;
  /** Function URLs are signed for 'lambda'. */
  service?: string;
  /** Defaults to the SDK's chain (env, SSO, profile, …), as the AWS CLI would resolve them. */
  credentials?: SigningCredentials;
  log?: (line: string) => void;
}

export interface SigningProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Only end-to-end headers the API uses travel to the target. An allow-list rather than a deny-list,
 * so a client's own Authorization, cookies or x-amz-* headers never reach the target or get signed.
 */
const FORWARDED_REQUEST_HEADERS = [
  'content-type',
  'accept',
  'accept-encoding',
  'accept-language',
  'if-none-match',
  'if-match',
];

/** RFC 9110 §7.6.1: connection-specific headers belong to one hop and are not relayed. */
const HOP_BY_HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export async function startSigningProxy(opts: SigningProxyOptions): Promise<SigningProxy> {
  const target = parseTarget(opts.targetUrl);
  const log = opts.log ?? (() => undefined);
  // One signer and one keep-alive agent for the proxy's lifetime: the provider chain memoizes
  // credentials, and reusing connections keeps TLS handshakes off every request.
  const signer = createFunctionUrlSigner({
    service: opts.service ?? 'lambda',
    region: opts.region,
    credentials: opts.credentials ?? fromNodeProviderChain(),
  });
  const client = target.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true });

  const server = http.createServer((req, res) => {
    const started = Date.now();
    handle(req, res).then(
      () => log(`${req.method} ${req.url} -> ${res.statusCode} ${Date.now() - started} ms`),
      (err: unknown) => {
        log(`${req.method} ${req.url} failed: ${errorMessage(err)}`);
        if (!res.headersSent) sendError(res, 500, 'proxy_error', 'signing proxy failed', {});
        else res.destroy();
      },
    );
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const { path, rawQuery } = splitUrl(req.url ?? '/');
    const body = await readBody(req);

    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    if (body.length > 0) headers['content-length'] = String(body.length);

    let signed: Record<string, string>;
    try {
      // The raw path and query: forwarded as received, so the target decodes them as the signer did.
      signed = await signer.sign({ method, origin: target, path, rawQuery, headers, body });
    } catch (err) {
      sendError(res, 500, 'signing_failed', `could not sign the request: ${errorMessage(err)}`, {});
      return;
    }

    await new Promise<void>((resolve) => {
      const upstream = client.request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port === '' ? undefined : target.port,
          method,
          // Forwarded exactly as received: the target decodes it the same way the signer did.
          path: rawQuery === '' ? path : `${path}?${rawQuery}`,
          headers: signed,
          agent,
        },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, endToEndHeaders(upstreamRes.headers));
          upstreamRes.on('error', () => res.destroy());
          upstreamRes.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendError(res, 502, 'bad_gateway', `could not reach the target: ${errorMessage(err)}`, {
          target: target.origin,
        });
      });
      res.on('close', () => {
        // The client went away before the answer was complete: stop the target's work too.
        if (!res.writableFinished) upstream.destroy();
        resolve();
      });
      upstream.end(body);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          agent.destroy();
          if (err) reject(err);
          else resolve();
        });
        // Idle keep-alive sockets from clients would otherwise hold close() open; a request still
        // in flight (a browser's poll, a long-poll) gets a second to finish, then its socket goes.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      }),
  };
}

function parseTarget(targetUrl: string): URL {
  const url = new URL(targetUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`targetUrl must be http or https, got "${url.protocol}"`);
  }
  // A path prefix would change what gets signed and forwarded; refuse it rather than drop it silently.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new Error(`targetUrl must be an origin without path or query, got "${targetUrl}"`);
  }
  return url;
}

/** req.url is origin-form ("/p?q") normally, absolute-form when a client uses us as an HTTP proxy. */
function splitUrl(url: string): { path: string; rawQuery: string } {
  let originForm = url;
  if (!url.startsWith('/')) {
    const parsed = new URL(url);
    originForm = `${parsed.pathname}${parsed.search}`;
  }
  const q = originForm.indexOf('?');
  if (q < 0) return { path: originForm, rawQuery: '' };
  return { path: originForm.slice(0, q), rawQuery: originForm.slice(q + 1) };
}

function endToEndHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP_HEADERS.has(name) || named.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown>,
): void {
  // Same envelope as the API's own errors (handlers/http/response.ts), so clients parse one shape.
  const body = JSON.stringify({ ok: false, error: { code, message, details } });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Connection errors to a host with several addresses arrive as an AggregateError with an empty message.
  const code = (err as NodeJS.ErrnoException).code;
  if (err.message === '') return code ?? err.name;
  return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
