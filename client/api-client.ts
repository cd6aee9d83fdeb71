/**
 * A small typed client for the status-board API, shared by the operator scripts and the load test.
 * Talks to the signing proxy unsigned, or signs each request itself with SigV4 (service `lambda`),
 * as an AWS_IAM function URL (or the local gateway imitating one) requires. Every call returns the
 * status, headers, parsed body and elapsed time; nothing throws on an HTTP error status, so callers
 * decide what a 409 means. Network failures throw ApiUnreachableError.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Appointment } from '../domain/appointment';
import type { Board } from '../domain/board';
import type { Service } from '../domain/catalog';
import type { Customer, Vehicle } from '../domain/customer';
import type { MoveRecord } from '../domain/move';
import type {
  CreateAppointmentInput,
  CreateCustomerInput,
  CreateVehicleInput,
  SubmitMoveInput,
} from '../domain/schemas';
import type { DashboardStats } from '../domain/stats';

/** The admin key `npm start` accepts by default (client/local-keys.ts); only ever used against loopback. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'LOCALDEV', secretAccessKey: 'localdev-secret' } as const;

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type CredentialSource = StaticCredentials | (() => Promise<StaticCredentials>);

export interface SignConfig extends Partial<StaticCredentials> {
  region: string;
  service: 'lambda';
}

export interface ApiClientOptions {
  /** Origin of the proxy, the local gateway or the function URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Sign requests with SigV4; false (the default) sends them unsigned, for the signing proxy. */
  sign?: SignConfig | false;
  /** Per-request timeout; defaults to 30 s (a function URL's own limit is 15 minutes, ours 30 s). */
  timeoutMs?: number;
  /** For tests: the environment consulted for credentials. */
  env?: Record<string, string | undefined>;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ApiErrorBody };

export interface ApiResponse<T = unknown> {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined for an empty or non-JSON body (see `text`). */
  body: Envelope<T> | undefined;
  text: string;
  ms: number;
}

export type DayRange = { date: string } | { from: string; to: string };

export type MoveInput = Pick<SubmitMoveInput, 'to_status' | 'expected_version'> &
  Partial<Pick<SubmitMoveInput, 'from_status' | 'move_id'>>;

export type MoveView = Omit<MoveRecord, 'request_key'>;
export type PendingMove = Pick<MoveRecord, 'move_id' | 'appointment_id' | 'status'>;

/** The API could not be reached at all (connection refused, DNS, timeout). */
export class ApiUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`could not reach ${url}: ${reason}`);
    this.name = 'ApiUnreachableError';
  }
}

/** An answer other than the expected one, for callers that want to stop on it (see `expectStatus`). */
export class ApiStatusError extends Error {
  constructor(
    readonly what: string,
    readonly response: ApiResponse,
    expected: readonly number[],
  ) {
    super(`${what}: expected ${expected.join(' or ')}, got ${describeResponse(response)}`);
    this.name = 'ApiStatusError';
  }
}

/** `409 already_exists: customer 1 already exists`, or the status and the start of the text. */
export function describeResponse(res: ApiResponse): string {
  if (res.body && !res.body.ok) return `${res.status} ${res.body.error.code}: ${res.body.error.message}`;
  return `${res.status}${res.text ? ` ${res.text.slice(0, 200)}` : ''}`;
}

/** The response's data when its status is one of `expected`; otherwise an ApiStatusError. */
export function expectStatus<T>(what: string, res: ApiResponse<T>, ...expected: number[]): T {
  if (!expected.includes(res.status) || !res.body?.ok) throw new ApiStatusError(what, res, expected);
  return res.body.data;
}

export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

/**
 * Credentials in this order: the explicit ones; against loopback without AWS_ACCESS_KEY_ID in the
 * environment, the local defaults (a developer's AWS profile would only be refused by the local
 * gateway); otherwise the SDK's default chain (env, SSO, profile, instance role), memoized.
 */
export function resolveCredentials(
  baseUrl: string,
  explicit: Partial<StaticCredentials> = {},
  env: Record<string, string | undefined> = process.env,
): CredentialSource {
  if (explicit.accessKeyId && explicit.secretAccessKey) {
    return {
      accessKeyId: explicit.accessKeyId,
      secretAccessKey: explicit.secretAccessKey,
      ...(explicit.sessionToken ? { sessionToken: explicit.sessionToken } : {}),
    };
  }
  if (isLoopback(baseUrl) && !env.AWS_ACCESS_KEY_ID) return { ...LOCAL_CREDENTIALS };
  return fromNodeProviderChain();
}

/** Where the credentials come from, for the scripts' banners; never the secret itself. */
export function describeCredentials(source: CredentialSource): string {
  return typeof source === 'function'
    ? 'the AWS default credential chain'
    : `access key ${source.accessKeyId}`;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function queryRecord(search: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of search) {
    const existing = Object.hasOwn(query, name) ? query[name] : undefined;
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}

function rangeQuery(range: DayRange): string {
  return 'date' in range
    ? `date=${encodeURIComponent(range.date)}`
    : `from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ApiClient {
  readonly baseUrl: string;
  readonly signed: boolean;
  private readonly signer: SignatureV4 | undefined;
  private readonly timeoutMs: number;

  constructor(opts: ApiClientOptions) {
    const origin = new URL(opts.baseUrl);
    if (origin.protocol !== 'http:' && origin.protocol !== 'https:') {
      throw new Error(`base URL must be http or https, got "${opts.baseUrl}"`);
    }
    // A path prefix would be signed but not routed: function URLs serve from the root.
    if (origin.pathname !== '/' || origin.search !== '') {
      throw new Error(`base URL must be an origin without path or query, got "${opts.baseUrl}"`);
    }
    this.baseUrl = origin.origin;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.signed = Boolean(opts.sign);
    // One signer per client: the default chain memoizes credentials across requests.
    this.signer = opts.sign
      ? new SignatureV4({
          service: opts.sign.service,
          region: opts.sign.region,
          credentials: resolveCredentials(this.baseUrl, opts.sign, opts.env),
          sha256: Sha256,
        })
      : undefined;
  }

  /** One request. Node's fetch keeps connections alive between calls. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const url = new URL(path, this.baseUrl);
    const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    let sendHeaders: Record<string, string> = {
      accept: 'application/json',
      ...(bytes ? { 'content-type': 'application/json' } : {}),
      ...headers,
    };
    if (this.signer) {
      const signed = await this.signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        // Still percent-encoded; the signer encodes once more, as SigV4 wants for non-S3 services.
        path: url.pathname,
        query: queryRecord(url.searchParams),
        // `host` as fetch will send it (URL.host drops default ports the same way).
        headers: {
          ...sendHeaders,
          host: url.host,
          // The exact bytes sent; the verifier hashes what arrives and compares.
          'x-amz-content-sha256': sha256Hex(bytes ?? new Uint8Array()),
        },
        body: bytes,
      });
      // fetch sets Host itself; passing it again is at best ignored.
      const { host: _host, ...rest } = signed.headers;
      sendHeaders = rest;
    }

    const started = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers: sendHeaders,
        body: bytes,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new ApiUnreachableError(url.href, networkReason(err));
    }
    const ms = Math.round(performance.now() - started);
    let parsed: Envelope<T> | undefined;
    try {
      parsed = text ? (JSON.parse(text) as Envelope<T>) : undefined;
    } catch {
      parsed = undefined;
    }
    const outHeaders: Record<string, string> = {};
    res.headers.forEach((value, name) => (outHeaders[name] = value));
    return { status: res.status, headers: outHeaders, body: parsed, text, ms };
  }

  health() {
    return this.request<{ status: string; checks: Record<string, string> }>('GET', '/healthz');
  }

  listServices() {
    return this.request<Service[]>('GET', '/api/admin/services');
  }

  createCustomer(input: CreateCustomerInput) {
    return this.request<Customer>('POST', '/api/admin/customers', input);
  }

  createVehicle(input: CreateVehicleInput) {
    return this.request<Vehicle>('POST', '/api/admin/vehicles', input);
  }

  createAppointment(input: CreateAppointmentInput) {
    return this.request<Appointment>('POST', '/api/admin/appointments', input);
  }

  getAppointment(id: string) {
    return this.request<Appointment>('GET', `/api/admin/appointments/${encodeURIComponent(id)}`);
  }

  /** The board for one day or a range; with an ETag, an unchanged board is a bodiless 304. */
  board(range: DayRange, etag?: string) {
    return this.request<Board>(
      'GET',
      `/api/admin/appointments/board?${rangeQuery(range)}`,
      undefined,
      etag ? { 'if-none-match': etag } : {},
    );
  }

  stats(range: DayRange, etag?: string) {
    return this.request<DashboardStats>(
      'GET',
      `/api/admin/dashboard/stats?${rangeQuery(range)}`,
      undefined,
      etag ? { 'if-none-match': etag } : {},
    );
  }

  /** 202 with the pending move (200 when the move_id was already decided). */
  submitMove(appointmentId: string, input: MoveInput) {
    return this.request<PendingMove | MoveView>(
      'POST',
      `/api/admin/appointments/${encodeURIComponent(appointmentId)}/move`,
      input,
    );
  }

  /** The move's state; with waitMs the API holds the request until it leaves pending (≤ 10 s). */
  pollMove(moveId: string, waitMs?: number) {
    const query = waitMs === undefined ? '' : `?wait_ms=${waitMs}`;
    return this.request<MoveView>('GET', `/api/admin/moves/${encodeURIComponent(moveId)}${query}`);
  }

  /**
   * Submits a move and long-polls until it is decided or `timeoutMs` passes. Returns the last poll
   * (status pending when time ran out) and the total time spent. A 5xx on submit means "unknown"
   * (a 503 says the move is pending), so it re-POSTs the same body under the same move_id, as the
   * board page does, until an answer or the deadline.
   */
  async moveAndWait(
    appointmentId: string,
    input: MoveInput,
    timeoutMs = 30_000,
  ): Promise<{ submit: ApiResponse<PendingMove | MoveView>; move: MoveView | undefined; ms: number }> {
    const started = performance.now();
    const deadline = started + timeoutMs;
    const body = { ...input, move_id: input.move_id ?? randomUUID() };
    let submit = await this.submitMove(appointmentId, body);
    for (let retry = 1; submit.status >= 500 && performance.now() < deadline; retry++) {
      await sleep(Math.min(2_000, 100 * 2 ** retry));
      submit = await this.submitMove(appointmentId, body);
    }
    if ((submit.status !== 202 && submit.status !== 200) || !submit.body?.ok) {
      return { submit, move: undefined, ms: Math.round(performance.now() - started) };
    }
    const moveId = submit.body.data.move_id;
    for (;;) {
      const left = Math.max(0, Math.round(deadline - performance.now()));
      const poll = await this.pollMove(moveId, Math.min(10_000, left));
      const move = poll.body?.ok ? poll.body.data : undefined;
      if (move && move.status !== 'pending') {
        return { submit, move, ms: Math.round(performance.now() - started) };
      }
      if (performance.now() >= deadline) {
        return { submit, move, ms: Math.round(performance.now() - started) };
      }
      // A non-200 poll (a 503 while the store recovers) would otherwise spin.
      if (!move) await sleep(200);
    }
  }
}

/**
 * fetch's TypeError says only "fetch failed"; the cause has the errno (ECONNREFUSED…). Duck-typed,
 * not instanceof: under Jest the error comes from another realm.
 */
function networkReason(err: unknown): string {
  const e = (err ?? {}) as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  const cause = e.cause;
  if (cause && typeof cause === 'object') {
    if (cause.code) return cause.message ? `${cause.code} (${cause.message})` : cause.code;
    if (cause.message) return cause.message;
  }
  return e.message ?? String(err);
}
