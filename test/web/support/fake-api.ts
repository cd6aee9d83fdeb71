/**
 * The API faked at the fetch boundary for the page's modules: scripted replies per route, every
 * request recorded, and a fake clock the move machine's sleeps advance.
 */
import type { BoardItem, FetchFn } from '../../../web/src/api';
import { createApiClient } from '../../../web/src/api';
import type { MoveDeps } from '../../../web/src/move-machine';

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: any;
}

/** An HTTP answer, a thrown network failure, or a function of the call that returns either. */
export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { networkError: string }
  | ((call: RecordedCall) => Reply);

export class FakeServer {
  readonly calls: RecordedCall[] = [];
  private readonly routes: Array<{ method: string; prefix: string; replies: Reply[] }> = [];

  /** Replies, in order, to requests whose path starts with `prefix`. */
  on(method: string, prefix: string, ...replies: Reply[]): this {
    this.routes.push({ method, prefix, replies });
    return this;
  }

  readonly fetch: FetchFn = async (input, init = {}) => {
    const url = new URL(input, 'http://page.test');
    const call: RecordedCall = {
      method: init.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: { ...(init.headers as Record<string, string> | undefined) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    this.calls.push(call);
    const route = this.routes.find((r) => r.method === call.method && call.path.startsWith(r.prefix));
    let reply = route?.replies.shift();
    if (!reply) throw new Error(`no reply scripted for ${call.method} ${call.path}`);
    while (typeof reply === 'function') reply = reply(call);
    if ('networkError' in reply) throw new TypeError(reply.networkError);
    const body = reply.status === 304 || reply.body === undefined ? null : JSON.stringify(reply.body);
    return new Response(body, {
      status: reply.status,
      headers: { 'content-type': 'application/json', ...reply.headers },
    });
  };

  requests(method: string, prefix: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.path.startsWith(prefix));
  }
}

export const ok = (data: unknown, status = 200, headers: Record<string, string> = {}): Reply => ({
  status,
  body: { ok: true, data },
  headers,
});

export const fail = (status: number, code: string, message = code, headers: Record<string, string> = {}) =>
  ({ status, body: { ok: false, error: { code, message, details: {} } }, headers }) satisfies Reply;

/** A move as the poll endpoint returns it. */
export const moveView = (status: string, extra: Record<string, unknown> = {}) => ({
  move_id: 'm-1',
  appointment_id: 'a1',
  status,
  from_status: 'scheduled',
  to_status: 'in_progress',
  expected_version: 1,
  submitted_at: '2026-03-02T13:00:00.000Z',
  ...extra,
});

export const aCard = (over: Partial<BoardItem> = {}): BoardItem => ({
  id: 'a1',
  status: 'scheduled',
  version: 1,
  appt_start: '2026-03-02T13:00:00.000Z',
  appt_end: '2026-03-02T14:00:00.000Z',
  customer_id: 'c1',
  vehicle_id: 'v1',
  customer_name: 'Grace Hopper',
  vehicle_label: '2021 Honda Civic',
  service_codes: ['OIL001'],
  notes: null,
  technician_id: null,
  technician_name: null,
  status_since: '2026-03-02T08:00:00.000Z',
  ...over,
});

/**
 * A fake clock with timers: time moves only when a sleep or a scripted reply advances it, and
 * the timers due by then fire in order.
 */
export class FakeClock {
  now = 0;
  readonly sleeps: number[] = [];
  private timers: Array<{ at: number; fn: () => void }> = [];

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.now = Math.max(this.now, next.at);
      next.fn();
    }
    this.now = until;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.now + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}

/**
 * Move deps over the fake server (or over `fetch`, to hold a route back): the fake clock, a fixed
 * jitter, numbered move ids.
 */
export function fakeDeps(server: FakeServer, opts: { random?: number; fetch?: FetchFn } = {}) {
  const clock = new FakeClock();
  let ids = 0;
  const deps: MoveDeps = {
    api: createApiClient(opts.fetch ?? server.fetch),
    now: () => clock.now,
    sleep: async (ms) => {
      clock.sleeps.push(ms);
      clock.advance(ms);
    },
    setTimer: (ms, fn) => clock.setTimer(ms, fn),
    random: () => opts.random ?? 0.5,
    newMoveId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  };
  return { deps, clock };
}

/** A long poll the server held for `ms` before answering `reply`. */
export const heldFor =
  (clock: FakeClock, ms: number, reply: Reply): Reply =>
  () => {
    clock.advance(ms);
    return reply;
  };
