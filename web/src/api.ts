/**
 * The page's client for the signed API. The page is served by the same origin it calls (the
 * signing proxy in development), so paths are relative and no credentials live in the browser.
 * `fetch` is injected: tests fake the API at this boundary.
 */
import type { components, paths } from './openapi-types';

/** The API's own types, generated from its OpenAPI document (`npm run openapi`). */
type Schemas = components['schemas'];
export type Board = Schemas['Board'];
export type BoardItem = Schemas['BoardItem'];
export type Status = Schemas['Status'];

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** The `data` of an operation's answer with `status`. */
type Data<Op, Status extends number> = Op extends { responses: Record<Status, infer R> }
  ? Json<R> extends { data: infer D }
    ? D
    : never
  : never;

type SubmitOp = paths['/api/admin/appointments/{id}/move']['post'];
type PollOp = paths['/api/admin/moves/{move_id}']['get'];

/** A move as the API shows it: the full record once decided, or a bare `pending` right after submit. */
export type MoveView = Data<SubmitOp, 200> | Data<SubmitOp, 202> | Data<PollOp, 200>;

export type SubmitMoveBody = Json<NonNullable<SubmitOp['requestBody']>> & {
  move_id: string;
  to_status: Status;
  from_status: Status;
};

export type ServiceView = Data<paths['/api/admin/services']['get'], 200>[number];
export type Stats = Schemas['DashboardStats'];
export type Appointment = Schemas['Appointment'];
export type HistoryEntry = Schemas['HistoryEntry'];
export type HistoryPage = Schemas['HistoryPage'];
export type Customer = Schemas['Customer'];
export type Vehicle = Schemas['Vehicle'];
type PatchOp = paths['/api/admin/appointments/{id}']['patch'];
export type PatchBody = Json<PatchOp['requestBody']>;
export type CreateAppointmentBody = Json<
  NonNullable<paths['/api/admin/appointments']['post']['requestBody']>
>;
export type Technician = Data<paths['/api/admin/technicians']['get'], 200>[number];

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** A conditional GET's answer: 304, or the body with its ETag. */
export type Conditional<T> = { notModified: true } | { notModified: false; body: T; etag?: string };
export type BoardResponse = { notModified: true } | { notModified: false; board: Board; etag?: string };

/** The board's filter: one technician's cards, the unassigned ones (`none`), or all (undefined). */
export type TechnicianFilter = string | undefined;

/** The API answered with an error envelope (or a status without one). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** From Retry-After (a 503 or 429): the server's own hint for when to try again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The request never got an HTTP answer (offline, connection refused, reset, timed out). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

/**
 * No answer about the request: the server or the network failed, not the request, so it may or
 * may not have been acted on. Worth trying again with the same move_id.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  return err instanceof ApiError && (err.status >= 500 || err.status === 429);
}

/** Who the page acts as (GET /api/me): what the page may offer depends on it. */
export type MeView = Schemas['Me'];

/** Whether the caller may move cards: staff or admin, on a stage whose write policy allows moves. */
export function mayMove(me: MeView): boolean {
  return me.role !== 'viewer' && me.write_policy !== 'read-only';
}

/** Whether the caller may edit a card's notes and technician (staff or admin, writes open). */
export function mayEdit(me: MeView): boolean {
  return me.role !== 'viewer' && me.write_policy === 'open';
}

/** Whether the caller may book and change times and services (admin, writes open). */
export function mayAdmin(me: MeView): boolean {
  return me.role === 'admin' && me.write_policy === 'open';
}

export interface BoardApi {
  me(): Promise<MeView>;
  getBoard(date: string, etag?: string, technician?: TechnicianFilter): Promise<BoardResponse>;
  getStats(date: string, etag?: string): Promise<Conditional<Stats>>;
  getAppointment(id: string): Promise<Appointment>;
  getHistory(id: string): Promise<HistoryPage>;
  updateAppointment(id: string, body: PatchBody): Promise<Appointment>;
  createAppointment(body: CreateAppointmentBody): Promise<Appointment>;
  searchCustomers(q: string): Promise<Customer[]>;
  customerVehicles(customerId: string): Promise<Vehicle[]>;
  listTechnicians(): Promise<Technician[]>;
  submitMove(appointmentId: string, body: SubmitMoveBody): Promise<MoveView>;
  pollMove(moveId: string, waitMs: number): Promise<MoveView>;
  listServices(): Promise<ServiceView[]>;
}

interface Envelope<T> {
  ok: boolean;
  data?: T;
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(res: Response): number | undefined {
  const value = res.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * How long a request may go without an answer before it counts as a network failure (a long poll
 * gets its wait on top). Longer than the API function's own timeout (15 s), so a slow answer is
 * still read; without it a connection that hangs would keep a card locked for good.
 */
export const REQUEST_TIMEOUT_MS = 20_000;

export function createApiClient(
  fetchFn: FetchFn,
  baseUrl = '',
  requestTimeoutMs = REQUEST_TIMEOUT_MS,
): BoardApi {
  async function call<T>(
    path: string,
    init: RequestInit = {},
    extraWaitMs = 0,
  ): Promise<{ res: Response; data: T | undefined }> {
    const timeoutMs = requestTimeoutMs + extraWaitMs;
    let res: Response;
    try {
      res = await fetchFn(baseUrl + path, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      // The timeout's DOMException is not always an Error instance (it may come from another realm).
      if ((err as { name?: unknown } | null)?.name === 'TimeoutError') {
        throw new NetworkError(`no answer within ${timeoutMs} ms`);
      }
      throw new NetworkError(err instanceof Error ? err.message : String(err));
    }
    if (res.status === 304) return { res, data: undefined };
    let body: Envelope<T> | undefined;
    try {
      body = (await res.json()) as Envelope<T>;
    } catch {
      body = undefined;
    }
    // A success whose body was cut off tells nothing about what the server did.
    if (res.ok && !body) throw new NetworkError(`the answer (HTTP ${res.status}) could not be read`);
    if (!res.ok || !body?.ok) {
      const error = body?.error ?? {};
      throw new ApiError(
        res.status,
        error.code ?? 'http_error',
        error.message ?? `the server answered HTTP ${res.status}`,
        error.details ?? {},
        retryAfterMs(res),
      );
    }
    return { res, data: body.data };
  }

  async function conditional<T>(path: string, etag: string | undefined): Promise<Conditional<T>> {
    const { res, data } = await call<T>(path, etag ? { headers: { 'if-none-match': etag } } : {});
    if (res.status === 304 || !data) return { notModified: true };
    return { notModified: false, body: data, etag: res.headers.get('etag') ?? undefined };
  }
  async function send<T>(method: string, path: string, body: unknown): Promise<T> {
    const { data } = await call<T>(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return data as T;
  }
  async function get<T>(path: string): Promise<T> {
    return (await call<T>(path)).data as T;
  }
  const appointment = (id: string) => `/api/admin/appointments/${encodeURIComponent(id)}`;

  return {
    async getBoard(date, etag, technician) {
      const query = new URLSearchParams({ date });
      if (technician !== undefined) query.set('technician_id', technician);
      const res = await conditional<Board>(`/api/admin/appointments/board?${query}`, etag);
      return res.notModified ? res : { notModified: false, board: res.body, etag: res.etag };
    },
    getStats: (date, etag) =>
      conditional<Stats>(`/api/admin/dashboard/stats?date=${encodeURIComponent(date)}`, etag),
    getAppointment: (id) => get<Appointment>(appointment(id)),
    getHistory: (id) => get<HistoryPage>(`${appointment(id)}/history?limit=100`),
    updateAppointment: (id, body) => send<Appointment>('PATCH', appointment(id), body),
    createAppointment: (body) => send<Appointment>('POST', '/api/admin/appointments', body),
    searchCustomers: (q) =>
      get<Data<paths['/api/admin/customers']['get'], 200>>(`/api/admin/customers?q=${encodeURIComponent(q)}`),
    customerVehicles: (id) =>
      get<Data<paths['/api/admin/customers/{id}/vehicles']['get'], 200>>(
        `/api/admin/customers/${encodeURIComponent(id)}/vehicles`,
      ),
    listTechnicians: () => get<Technician[]>('/api/admin/technicians'),
    submitMove: (appointmentId, body) => send<MoveView>('POST', `${appointment(appointmentId)}/move`, body),
    async pollMove(moveId, waitMs) {
      const { data } = await call<MoveView>(
        `/api/admin/moves/${encodeURIComponent(moveId)}?wait_ms=${Math.round(waitMs)}`,
        {},
        waitMs,
      );
      return data as MoveView;
    },
    async listServices() {
      return (await get<ServiceView[] | undefined>('/api/admin/services')) ?? [];
    },
    me: () => get<MeView>('/api/me'),
  };
}

/** A v4 UUID from getRandomValues, which (unlike randomUUID) also works on plain-http LAN addresses. */
export function newMoveId(getRandomValues: (bytes: Uint8Array) => Uint8Array): string {
  const b = getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
