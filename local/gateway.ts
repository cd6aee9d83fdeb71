/**
 * The local stand-in for a Lambda function URL: turns Node HTTP requests into payload-format-2.0
 * events, runs the same handler Lambda runs, and writes its result back as HTTP. With an
 * authenticator it verifies SigV4 before any handler runs, like AuthType AWS_IAM.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { ApiEvent } from '../handlers/http/http-types';
import { LOCAL_FUNCTION_NAMES, localLambdaContext } from './lambda-context';
import type { SignedRequest, VerifyResult } from './sigv4-verifier';

/** Lambda's own limit on a function URL request payload. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
const TIMEOUT_MS = 30_000;

export type ApiHandler = (event: ApiEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
export type Authenticator = (req: SignedRequest) => VerifyResult;
export type StaticFiles = (path: string, res: ServerResponse) => Promise<boolean>;

export interface GatewayOptions {
  handler: ApiHandler;
  port?: number;
  host?: string;
  authenticate?: Authenticator;
  /** Serves non-API GET requests (the web page) before they reach the handler. */
  staticFiles?: StaticFiles;
  /** Serves the rendered API reference at /api/docs (local/api-docs.ts). */
  apiDocs?: StaticFiles;
  log?: (entry: { method: string; path: string; status: number; ms: number; caller?: string }) => void;
  /** In each invocation's context (its function name and ARN); default: the local API function, us-west-2. */
  functionName?: string;
  region?: string;
  /**
   * At most this many API requests run at once, like the function's reserved concurrency: one
   * more is answered 429 too_many_requests with Retry-After, as a function URL does when every
   * slot is busy. Unset: no limit.
   */
  concurrency?: number;
}

/** What a shed request is told to wait, in seconds. */
const RETRY_AFTER_SECONDS = 1;

export interface Gateway {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml|javascript)|text\/)/i;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(Object.assign(new Error('request too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headerMap(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function queryMap(rawQuery: string): Record<string, string> | undefined {
  if (!rawQuery) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) out[k] = k in out ? `${out[k]},${v}` : v;
  return out;
}

export function toEvent(req: IncomingMessage, body: Buffer, caller?: VerifyResult & { ok: true }): ApiEvent {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q >= 0 ? url.slice(0, q) : url;
  const rawQueryString = q >= 0 ? url.slice(q + 1) : '';
  const headers = headerMap(req);
  const textual = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  const cookies = req.headers.cookie?.split(';').map((c) => c.trim());
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    queryStringParameters: queryMap(rawQueryString),
    requestContext: {
      accountId: caller ? caller.caller.accountId : 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      authorizer: caller
        ? {
            iam: {
              accessKey: caller.caller.accessKey,
              accountId: caller.caller.accountId,
              callerId: caller.caller.callerId,
              cognitoIdentity: null as never,
              principalOrgId: null as never,
              userArn: caller.caller.userArn,
              userId: caller.caller.userId,
            },
          }
        : (undefined as never),
    },
    body: body.length === 0 ? undefined : textual ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !textual,
  } as ApiEvent;
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body
    ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  headers['content-length'] = String(body.length);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}

function envelope(status: number, code: string, message: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ ok: false, error: { code, message, details: {} } }),
  };
}

/** The requests a function URL would hand to the API function (not the page, not its docs). */
const reachesFunction = (path: string) =>
  path === '/healthz' || (path.startsWith('/api/') && !path.startsWith('/api/docs'));

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  let inFlight = 0;
  const server = createServer((req, res) => {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const counted = opts.concurrency !== undefined && reachesFunction(path);
    if (counted && inFlight >= (opts.concurrency as number)) {
      // Shed before reading the body or verifying the signature: the cheapest answer there is.
      req.resume();
      const shed = envelope(
        429,
        'too_many_requests',
        'every slot of the API is busy; retry after Retry-After seconds',
      );
      send(res, { ...shed, headers: { ...shed.headers, 'retry-after': String(RETRY_AFTER_SECONDS) } });
      opts.log?.({ method, path, status: 429, ms: Math.round(performance.now() - started) });
      return;
    }
    if (counted) {
      inFlight += 1;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlight -= 1;
      };
      res.once('finish', release);
      res.once('close', release);
    }
    let caller: string | undefined;
    const finish = (result: APIGatewayProxyStructuredResultV2) => {
      send(res, result);
      opts.log?.({
        method,
        path,
        status: result.statusCode ?? 200,
        ms: Math.round(performance.now() - started),
        caller,
      });
    };
    (async () => {
      const body = await readBody(req);
      let verified: (VerifyResult & { ok: true }) | undefined;
      if (opts.authenticate) {
        const q = (req.url ?? '/').indexOf('?');
        const result = opts.authenticate({
          method,
          path,
          rawQuery: q >= 0 ? (req.url ?? '').slice(q + 1) : '',
          headers: req.headers,
          body,
        });
        if (!result.ok)
          return finish(envelope(403, 'forbidden', `request signature rejected: ${result.reason}`));
        verified = result;
        caller = result.caller.userArn;
      }
      const files = path.startsWith('/api/')
        ? opts.apiDocs
        : path === '/healthz'
          ? undefined
          : opts.staticFiles;
      if (files && method === 'GET') {
        if (await files(path, res)) {
          opts.log?.({
            method,
            path,
            status: res.statusCode,
            ms: Math.round(performance.now() - started),
            caller,
          });
          return;
        }
      }
      const event = toEvent(req, body, verified);
      const context = localLambdaContext({
        functionName: opts.functionName ?? LOCAL_FUNCTION_NAMES.api,
        region: opts.region ?? 'us-west-2',
        timeoutMs: TIMEOUT_MS,
        requestId: event.requestContext.requestId,
      });
      finish(await opts.handler(event, context));
    })().catch((err: Error & { status?: number }) => {
      if (res.headersSent) return;
      finish(
        err.status === 413
          ? envelope(413, 'payload_too_large', 'the request is larger than 6 MB')
          : envelope(500, 'internal_error', 'internal error'),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
