/** status_since: when a card entered its current column, on the card and on the board, through real moves. */
import { createCard, move } from '../support/move-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

const DAY = '2026-05-12';
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const read = async (id: string) => (await app.request('GET', `/api/admin/appointments/${id}`)).body.data;
const onBoard = async (id: string) => {
  const res = await app.request('GET', `/api/admin/appointments/board?date=${DAY}`);
  const items = Object.values(res.body.data.columns as Record<string, { items: any[] }>).flatMap(
    (c) => c.items,
  );
  return items.find((i) => i.id === id);
};

it('is the creation instant on a new card, on the card and on the board', async () => {
  const { id } = await createCard(app, DAY, 8);
  const card = await read(id);
  expect(card.status_since).toBe(card.created_at);
  expect((await onBoard(id)).status_since).toBe(card.created_at);
});

it('moves with every applied move that changes the column, and with nothing else', async () => {
  const { id } = await createCard(app, DAY, 9);
  const created = await read(id);

  const started = await move(app, id, { to_status: 'in_progress', expected_version: 1 });
  expect(started).toMatchObject({ status: 'applied', version: 2 });
  const inProgress = await read(id);
  expect(inProgress.status_since).toBe(inProgress.status_entered_at.in_progress);
  expect(inProgress.status_since > created.status_since).toBe(true);

  const noop = await move(app, id, { to_status: 'in_progress', expected_version: 2 });
  expect(noop).toMatchObject({ status: 'applied', noop: true });
  expect((await read(id)).status_since).toBe(inProgress.status_since);

  const edited = await app.request('PATCH', `/api/admin/appointments/${id}`, {
    expected_version: 2,
    notes: 'an edit is not a move',
  });
  expect(edited.status).toBe(200);
  expect(edited.body.data.status_since).toBe(inProgress.status_since);
  expect(edited.body.data.updated_at > inProgress.status_since).toBe(true);

  const back = await move(app, id, { to_status: 'scheduled', expected_version: 3 });
  expect(back).toMatchObject({ status: 'applied', version: 4 });
  const rescheduled = await read(id);
  expect(rescheduled.status_since).toBe(rescheduled.status_entered_at.scheduled);
  expect(rescheduled.status_since > inProgress.status_since).toBe(true);
  expect((await onBoard(id)).status_since).toBe(rescheduled.status_since);
});
