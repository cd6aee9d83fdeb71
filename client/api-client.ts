/**
 * A small typed client for the status-board API, shared by the operator scripts and the load test.
 * Talks to the signing proxy unsigned, or signs each request itself with SigV4 (service `lambda`),
 * as an AWS_IAM function URL (or the local gateway imitating one) requires. Every call returns the
 * status, headers, parsed body and elapsed time; nothing throws on an HTTP error status, so callers
 * decide what a 409 means. Network failures throw ApiUnreachableError.
 */
import { randomUUID } from 'node:crypto';
import { MAX_SHED_RETRIES, shedDelayMs } from '../domain/backoff';
import type { components, paths } from './openapi-types';
import {
  createFunctionUrlSigner,
  resolveCredentials,
  type FunctionUrlSigner,
  type StaticCredentials,
} from './sigv4';

// The scripts import these from the client they use; they are defined in ./sigv4.
export {
  LOCAL_CREDENTIALS,
  describeCredentials,
  isLoopback,
  resolveCredentials,
  type CredentialSource,
  type StaticCredentials,
} from './sigv4';

/** The API's own types, generated from its OpenAPI document (`npm run openapi`). */
type Schemas = components['schemas'];
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** The `data` of an operation's answer with `status`. */
type Data<Op, Status extends number> = Op extends { responses: Record<Status, infer R> }
  ? Json<R> extends { data: infer D }
    ? D
    : never
  : never;
/** The JSON body an operation takes. */
type Body<Op> = Op extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

type SubmitOp = paths['/api/admin/appointments/{id}/move']['post'];
export type CreateCustomerInput = Body<paths['/api/admin/customers']['post']>;
export type CreateVehicleInput = Body<paths['/api/admin/vehicles']['post']>;
export type CreateAppointmentInput = Body<paths['/api/admin/appointments']['post']>;
export type PatchAppointmentInput = Body<paths['/api/admin/appointments/{id}']['patch']>;
export type CreateTechnicianInput = Body<paths['/api/admin/technicians']['post']>;
export type MoveInput = Body<SubmitOp>;
export type Appointment = Schemas['Appointment'];
export type MoveView = Data<paths['/api/admin/moves/{move_id}']['get'], 200>;
export type PendingMove = Data<SubmitOp, 202>;

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
  /** 429 answers (the API's concurrency was full) waited out and re-sent before this one. */
  shed: number;
}

export type DayRange = { date: string } | { from: string; to: string };
/** The board's query: a day range, optionally one technician's cards (`none`: the unassigned ones). */
export type BoardQuery = DayRange & { technician_id?: string };

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

function rangeQuery(range: DayRange): string {
  return 'date' in range
    ? `date=${encodeURIComponent(range.date)}`
    : `from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ApiClient {
  readonly baseUrl: string;
  readonly signed: boolean;
  private readonly signer: FunctionUrlSigner | undefined;
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
      ? createFunctionUrlSigner({
          service: opts.sign.service,
          region: opts.sign.region,
          credentials: resolveCredentials(this.baseUrl, opts.sign, opts.env),
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
        origin: url,
        path: url.pathname,
        rawQuery: url.search.slice(1),
        headers: sendHeaders,
        body: bytes,
      });
      // fetch sets Host itself, to the value signed; passing it again is at best ignored.
      const { host: _host, ...rest } = signed;
      sendHeaders = rest;
    }

    const started = performance.now();
    let res: Response;
    let text: string;
    let shed = 0;
    for (;;) {
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
      // Shed by the API's concurrency limit before any handler ran: safe to send again, after
      // Retry-After with jitter (domain/backoff.ts). The signature stays valid for minutes.
      if (res.status !== 429 || shed >= MAX_SHED_RETRIES) break;
      await sleep(shedDelayMs(res.headers.get('retry-after'), shed, Math.random, Date.now()));
      shed += 1;
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
    return { status: res.status, headers: outHeaders, body: parsed, text, ms, shed };
  }

  health() {
    return this.request<Data<paths['/healthz']['get'], 200>>('GET', '/healthz');
  }

  listServices() {
    return this.request<Data<paths['/api/admin/services']['get'], 200>>('GET', '/api/admin/services');
  }

  createCustomer(input: CreateCustomerInput) {
    return this.request<Data<paths['/api/admin/customers']['post'], 201>>(
      'POST',
      '/api/admin/customers',
      input,
    );
  }

  createVehicle(input: CreateVehicleInput) {
    return this.request<Data<paths['/api/admin/vehicles']['post'], 201>>(
      'POST',
      '/api/admin/vehicles',
      input,
    );
  }

  createAppointment(input: CreateAppointmentInput) {
    return this.request<Data<paths['/api/admin/appointments']['post'], 201>>(
      'POST',
      '/api/admin/appointments',
      input,
    );
  }

  createTechnician(input: CreateTechnicianInput) {
    return this.request<Data<paths['/api/admin/technicians']['post'], 201>>(
      'POST',
      '/api/admin/technicians',
      input,
    );
  }

  /** An edit (notes, times, services, technician_id) checked against `expected_version`. */
  patchAppointment(id: string, input: PatchAppointmentInput) {
    return this.request<Data<paths['/api/admin/appointments/{id}']['patch'], 200>>(
      'PATCH',
      `/api/admin/appointments/${encodeURIComponent(id)}`,
      input,
    );
  }

  getAppointment(id: string) {
    return this.request<Data<paths['/api/admin/appointments/{id}']['get'], 200>>(
      'GET',
      `/api/admin/appointments/${encodeURIComponent(id)}`,
    );
  }

  /**
   * The board for one day or a range, optionally of one technician; with an ETag, an unchanged
   * board is a bodiless 304.
   */
  board(query: BoardQuery, etag?: string) {
    const technician =
      query.technician_id === undefined ? '' : `&technician_id=${encodeURIComponent(query.technician_id)}`;
    return this.request<Data<paths['/api/admin/appointments/board']['get'], 200>>(
      'GET',
      `/api/admin/appointments/board?${rangeQuery(query)}${technician}`,
      undefined,
      etag ? { 'if-none-match': etag } : {},
    );
  }

  stats(range: DayRange, etag?: string) {
    return this.request<Data<paths['/api/admin/dashboard/stats']['get'], 200>>(
      'GET',
      `/api/admin/dashboard/stats?${rangeQuery(range)}`,
      undefined,
      etag ? { 'if-none-match': etag } : {},
    );
  }

  /** 202 with the pending move (200 when the move_id was already decided). */
  submitMove(appointmentId: string, input: MoveInput) {
    return this.request<Data<SubmitOp, 202> | Data<SubmitOp, 200>>(
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
