/**
 * The page's client for the signed API. The page is served by the same origin it calls (the
 * signing proxy in development), so paths are relative and no credentials live in the browser.
 * `fetch` is injected: tests fake the API at this boundary.
 */
import type { BoardItem } from '../../domain/appointment';
import type { Board } from '../../domain/board';
import type { MoveRecord } from '../../domain/move';
import type { Status } from '../../domain/status';

export type { Board, BoardItem, Status };

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** A move as the API shows it: the full record once decided, or a bare `pending` right after submit. */
export type MoveView = Pick<MoveRecord, 'move_id' | 'appointment_id' | 'status'> &
  Partial<Omit<MoveRecord, 'request_key' | 'move_id' | 'appointment_id' | 'status'>>;

export interface SubmitMoveBody {
  move_id: string;
  to_status: Status;
  expected_version: number;
  from_status: Status;
}

export interface ServiceView {
  code: string;
  name: string;
}

export type BoardResponse = { notModified: true } | { notModified: false; board: Board; etag?: string };

/** The API answered with an error envelope (or a status without one). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** From Retry-After on a 503: the server's own hint for when to try again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The request never got an HTTP answer (offline, connection refused, reset). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

/** Worth trying again with the same move_id: the server or the network failed, not the request. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  return err instanceof ApiError && (err.status >= 500 || err.status === 429);
}

export interface BoardApi {
  getBoard(date: string, etag?: string): Promise<BoardResponse>;
  submitMove(appointmentId: string, body: SubmitMoveBody): Promise<MoveView>;
  pollMove(moveId: string, waitMs: number): Promise<MoveView>;
  listServices(): Promise<ServiceView[]>;
}

interface Envelope<T> {
  ok: boolean;
  data?: T;
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

function retryAfterMs(res: Response): number | undefined {
  const seconds = Number(res.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

export function createApiClient(fetchFn: FetchFn, baseUrl = ''): BoardApi {
  async function call<T>(
    path: string,
    init: RequestInit = {},
  ): Promise<{ res: Response; data: T | undefined }> {
    let res: Response;
    try {
      res = await fetchFn(baseUrl + path, init);
    } catch (err) {
      throw new NetworkError(err instanceof Error ? err.message : String(err));
    }
    if (res.status === 304) return { res, data: undefined };
    let body: Envelope<T> | undefined;
    try {
      body = (await res.json()) as Envelope<T>;
    } catch {
      body = undefined;
    }
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

  return {
    async getBoard(date, etag) {
      const { res, data } = await call<Board>(
        `/api/admin/appointments/board?date=${encodeURIComponent(date)}`,
        etag ? { headers: { 'if-none-match': etag } } : {},
      );
      if (res.status === 304 || !data) return { notModified: true };
      return { notModified: false, board: data, etag: res.headers.get('etag') ?? undefined };
    },
    async submitMove(appointmentId, body) {
      const { data } = await call<MoveView>(
        `/api/admin/appointments/${encodeURIComponent(appointmentId)}/move`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      );
      return data as MoveView;
    },
    async pollMove(moveId, waitMs) {
      const { data } = await call<MoveView>(
        `/api/admin/moves/${encodeURIComponent(moveId)}?wait_ms=${Math.round(waitMs)}`,
      );
      return data as MoveView;
    },
    async listServices() {
      const { data } = await call<ServiceView[]>('/api/admin/services');
      return data ?? [];
    },
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
