/** The page's API client: ETags on the board, the error envelope, network failures. */
import { moveIdSchema } from '../../domain/schemas';
import { ApiError, NetworkError, createApiClient, isRetryable, newMoveId } from '../../web/src/api';
import { FakeServer, fail, ok } from './support/fake-api';

const BOARD = '/api/admin/appointments/board';
const board = { from: '2026-03-02', to: '2026-03-02', columns: {} };

describe('createApiClient', () => {
  it('sends If-None-Match with the last ETag and reports a 304 as not modified', async () => {
    const server = new FakeServer().on('GET', BOARD, ok(board, 200, { etag: '"v1"' }), { status: 304 });
    const api = createApiClient(server.fetch);

    const first = await api.getBoard('2026-03-02');
    const second = await api.getBoard('2026-03-02', first.notModified ? undefined : first.etag);

    expect(first).toEqual({ notModified: false, board, etag: '"v1"' });
    expect(second).toEqual({ notModified: true });
    const [a, b] = server.requests('GET', BOARD);
    expect(a?.query.get('date')).toBe('2026-03-02');
    expect(a?.headers['if-none-match']).toBeUndefined();
    expect(b?.headers['if-none-match']).toBe('"v1"');
  });

  it('turns the error envelope into an ApiError with its code and message', async () => {
    const server = new FakeServer().on('GET', BOARD, fail(400, 'range_too_long', 'the range spans 40 days'));
    const api = createApiClient(server.fetch);

    const err = await api.getBoard('2026-03-02').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'range_too_long', message: 'the range spans 40 days' });
    expect(isRetryable(err)).toBe(false);
  });

  it('turns a 5xx without an envelope into a retryable ApiError', async () => {
    const server = new FakeServer().on('GET', BOARD, { status: 502 });
    const api = createApiClient(server.fetch);

    const err = await api.getBoard('2026-03-02').catch((e: unknown) => e);

    expect(err).toMatchObject({ name: 'ApiError', status: 502, message: 'the server answered HTTP 502' });
    expect(isRetryable(err)).toBe(true);
  });

  it('turns a failed fetch into a retryable NetworkError', async () => {
    const server = new FakeServer().on('GET', BOARD, { networkError: 'Failed to fetch' });
    const api = createApiClient(server.fetch);

    const err = await api.getBoard('2026-03-02').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(NetworkError);
    expect(isRetryable(err)).toBe(true);
  });
});

describe('createApiClient, when an answer is missing or partial', () => {
  it('turns a request that gets no answer in time into a retryable NetworkError (fault injected at fetch: a hung connection)', async () => {
    const hung: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const api = createApiClient(hung, '', 20);

    const err = await api.pollMove('m-1', 10).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ message: 'no answer within 30 ms' });
    expect(isRetryable(err)).toBe(true);
  });

  it('turns a success whose body cannot be read into a retryable NetworkError (fault injected at fetch: a cut-off body)', async () => {
    const cut: typeof fetch = async () =>
      new Response('{"ok":true,"da', { status: 202, headers: { 'content-type': 'application/json' } });
    const api = createApiClient(cut);

    const err = await api
      .submitMove('a1', {
        move_id: 'm-1',
        to_status: 'ready',
        expected_version: 1,
        from_status: 'in_progress',
      })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(NetworkError);
    expect(isRetryable(err)).toBe(true);
  });

  it.each([
    ['seconds', () => '7', 7000],
    ['an HTTP date', () => new Date(Date.now() + 120_000).toUTCString(), 110_000],
  ])('reads Retry-After given in %s', async (_form, header, atLeast) => {
    const server = new FakeServer().on(
      'GET',
      BOARD,
      fail(429, 'too_many_requests', 'slow down', { 'retry-after': header() }),
    );
    const api = createApiClient(server.fetch);

    const err = await api.getBoard('2026-03-02').catch((e: unknown) => e);

    expect(err).toMatchObject({ status: 429 });
    expect(isRetryable(err)).toBe(true);
    expect((err as ApiError).retryAfterMs).toBeGreaterThanOrEqual(atLeast);
    expect((err as ApiError).retryAfterMs).toBeLessThanOrEqual(120_000);
  });
});

describe('createApiClient, for the drawer, the figures and booking', () => {
  it('asks the board of one technician, or of the unassigned cards, through the API filter', async () => {
    const server = new FakeServer().on('GET', BOARD, ok(board), ok(board), ok(board));
    const api = createApiClient(server.fetch);

    await api.getBoard('2026-03-02', undefined, 't1');
    await api.getBoard('2026-03-02', undefined, 'none');
    await api.getBoard('2026-03-02');

    expect(server.requests('GET', BOARD).map((c) => c.query.get('technician_id'))).toEqual([
      't1',
      'none',
      null,
    ]);
  });

  it('asks the stats with If-None-Match and reports a 304 as not modified', async () => {
    const stats = { from: '2026-03-02', to: '2026-03-02', total: 0 };
    const STATS = '/api/admin/dashboard/stats';
    const server = new FakeServer().on('GET', STATS, ok(stats, 200, { etag: '"s1"' }), { status: 304 });
    const api = createApiClient(server.fetch);

    const first = await api.getStats('2026-03-02');
    const second = await api.getStats('2026-03-02', '"s1"');

    expect(first).toEqual({ notModified: false, body: stats, etag: '"s1"' });
    expect(second).toEqual({ notModified: true });
    expect(server.requests('GET', STATS)[1]?.headers['if-none-match']).toBe('"s1"');
  });

  it('PATCHes an edit as JSON and turns a 409 into an ApiError with the current version', async () => {
    const server = new FakeServer().on('PATCH', '/api/admin/appointments/a1', {
      status: 409,
      body: {
        ok: false,
        error: { code: 'version_conflict', message: 'stale', details: { current_version: 4 } },
      },
    });
    const api = createApiClient(server.fetch);

    const err = await api
      .updateAppointment('a1', { expected_version: 3, notes: 'x' })
      .catch((e: unknown) => e);

    expect(err).toMatchObject({ status: 409, code: 'version_conflict', details: { current_version: 4 } });
    expect(server.calls[0]).toMatchObject({
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: { expected_version: 3, notes: 'x' },
    });
  });

  it("asks the history, a customer search and a customer's vehicles at their paths", async () => {
    const server = new FakeServer()
      .on('GET', '/api/admin/appointments/a%2F1/history', ok({ entries: [] }))
      .on('GET', '/api/admin/customers/c1/vehicles', ok([]))
      .on('GET', '/api/admin/customers', ok([]));
    const api = createApiClient(server.fetch);

    await api.getHistory('a/1');
    await api.searchCustomers('gr ho');
    await api.customerVehicles('c1');

    expect(server.calls.map((c) => `${c.path}?${c.query}`)).toEqual([
      '/api/admin/appointments/a%2F1/history?limit=100',
      '/api/admin/customers?q=gr+ho',
      '/api/admin/customers/c1/vehicles?',
    ]);
  });
});

describe('newMoveId', () => {
  it('makes a version 4 UUID, which the move API accepts as a move_id', () => {
    const id = newMoveId((bytes) => bytes.fill(0xff));

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(moveIdSchema.safeParse(id).success).toBe(true);
  });
});
