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

describe('newMoveId', () => {
  it('makes a version 4 UUID, which the move API accepts as a move_id', () => {
    const id = newMoveId((bytes) => bytes.fill(0xff));

    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(moveIdSchema.safeParse(id).success).toBe(true);
  });
});
