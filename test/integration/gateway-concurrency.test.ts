/**
 * The local gateway's concurrency limit (the API function's reserved concurrency): past it a
 * request is answered 429 too_many_requests with Retry-After, and the scripts' client waits it
 * out and gets its answer. Long-polls of a move nothing decides (no poller) hold the slots.
 */
import { ApiClient } from '../../client/api-client';
import { API_RESERVED_CONCURRENCY, loadLocalConfig } from '../../local/local-config';
import { createCard, submit } from '../support/move-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
let moveId = '';
beforeAll(async () => {
  app = await startTestApp({ startPoller: false, apiConcurrency: 2 });
  const card = await createCard(app, '2026-08-01', 9);
  moveId = (await submit(app, card.id, { to_status: 'in_progress', expected_version: card.version })).body
    .data.move_id;
});
afterAll(async () => {
  await app.stop();
});

/** Two long-polls that hold both slots for their whole wait (the move stays pending). */
function holdBothSlots(waitMs: number) {
  return Promise.all([1, 2].map(() => app.request('GET', `/api/admin/moves/${moveId}?wait_ms=${waitMs}`)));
}

/** Resolves once the gateway has both long-polls in flight (each GET /healthz meanwhile is shed). */
async function untilShed(): Promise<Awaited<ReturnType<TestApp['request']>>> {
  for (;;) {
    const res = await app.request('GET', '/healthz');
    if (res.status === 429) return res;
    await new Promise((r) => setTimeout(r, 5));
  }
}

it('answers 429 too_many_requests with Retry-After while every slot is busy, and serves again after', async () => {
  const held = holdBothSlots(1500);
  const shed = await untilShed();
  expect(shed.headers.get('retry-after')).toBe('1');
  expect(shed.body).toEqual({
    ok: false,
    error: { code: 'too_many_requests', message: expect.any(String), details: {} },
  });
  const polls = await held;
  expect(polls.map((p) => p.status)).toEqual([200, 200]);
  expect((await app.request('GET', '/healthz')).status).toBe(200);
});

it("the scripts' client waits out a 429 (Retry-After with jitter) and returns the answer", async () => {
  const client = new ApiClient({ baseUrl: app.url });
  const held = holdBothSlots(1500);
  await untilShed();
  const res = await client.health();
  await held;
  expect(res.status).toBe(200);
  expect(res.shed).toBeGreaterThanOrEqual(1);
});

it("defaults API_CONCURRENCY to the api function's reserved concurrency", () => {
  expect(loadLocalConfig({}).API_CONCURRENCY).toBe(API_RESERVED_CONCURRENCY);
});
