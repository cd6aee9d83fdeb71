/** Technicians: creating and listing them, giving cards to them, and the board's technician filter. */
import { startTestApp, type TestApp } from '../support/test-app';

const DAY = '2026-04-14';
let app: TestApp;
let cards: string[];

async function book(hour: number): Promise<string> {
  const res = await app.request('POST', '/api/admin/appointments', {
    customer_id: 'c1',
    vehicle_id: 'v1',
    appt_start: `${DAY}T${String(hour).padStart(2, '0')}:00:00Z`,
    appt_end: `${DAY}T${String(hour + 1).padStart(2, '0')}:00:00Z`,
    service_codes: ['OIL001'],
  });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

const card = async (id: string) => (await app.request('GET', `/api/admin/appointments/${id}`)).body.data;
const patch = (id: string, body: unknown) => app.request('PATCH', `/api/admin/appointments/${id}`, body);
const technicians = async () => (await app.request('GET', '/api/admin/technicians')).body.data;
const board = (query: string) => app.request('GET', `/api/admin/appointments/board?date=${DAY}${query}`);

beforeAll(async () => {
  app = await startTestApp({ startPoller: false });
  await app.request('POST', '/api/admin/customers', { id: 'c1', name: 'Ada Lovelace' });
  await app.request('POST', '/api/admin/vehicles', {
    id: 'v1',
    customer_id: 'c1',
    make: 'Ford',
    model: 'Ka',
  });
  cards = [await book(8), await book(9), await book(10)];
});
afterAll(async () => {
  await app.stop();
});

describe('POST and GET /api/admin/technicians', () => {
  it('creates technicians, active unless told otherwise, and lists active ones first', async () => {
    const zed = await app.request('POST', '/api/admin/technicians', { id: 'T1', name: 'Zed Ortiz' });
    expect(zed.status).toBe(201);
    expect(zed.body.data).toMatchObject({ id: 'T1', name: 'Zed Ortiz', active: true });
    const gone = await app.request('POST', '/api/admin/technicians', {
      id: 'T0',
      name: 'Abe Former',
      active: false,
    });
    expect(gone.status).toBe(201);
    const generated = await app.request('POST', '/api/admin/technicians', { name: 'Bea Kim' });
    expect(generated.status).toBe(201);
    expect(generated.body.data.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

    const list = await technicians();
    expect(list.map((t: { name: string }) => t.name)).toEqual(['Bea Kim', 'Zed Ortiz', 'Abe Former']);
    expect(list.map((t: { active: boolean }) => t.active)).toEqual([true, true, false]);
  });

  it('refuses an existing id with 409 and keeps the first', async () => {
    const res = await app.request('POST', '/api/admin/technicians', { id: 'T1', name: 'Someone Else' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'already_exists', details: { id: 'T1' } });
    expect((await technicians()).find((t: { id: string }) => t.id === 'T1').name).toBe('Zed Ortiz');
  });

  it.each([
    [{ name: 'x', colour: 'blue' }, 'colour'],
    [{ name: '' }, 'name'],
    [{}, 'name'],
    [{ id: 'bad id!', name: 'x' }, 'id'],
    [{ name: 'x', active: 'yes' }, 'active'],
  ])('rejects %j with 400 naming %s and writes nothing', async (body, field) => {
    const before = await technicians();
    const res = await app.request('POST', '/api/admin/technicians', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(Object.keys(res.body.error.details)).toContain(field);
    expect(await technicians()).toEqual(before);
  });
});

describe('PATCH technician_id', () => {
  it('gives a card to an active technician, copying the name onto the card and the board', async () => {
    const [first] = cards as [string];
    const res = await patch(first, { expected_version: 1, technician_id: 'T1' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ version: 2, technician_id: 'T1', technician_name: 'Zed Ortiz' });
    const shown = (await board('')).body.data.columns.scheduled.items.find(
      (i: { id: string }) => i.id === first,
    );
    expect(shown).toMatchObject({ technician_id: 'T1', technician_name: 'Zed Ortiz' });
    const history = await app.request('GET', `/api/admin/appointments/${first}/history?limit=1`);
    expect(history.body.data.entries[0]).toMatchObject({
      kind: 'edited',
      changes: { technician_id: { old: null, new: 'T1' } },
    });
  });

  it.each([
    ['an unknown technician', 'nobody', 'no technician with id nobody'],
    ['an inactive technician', 'T0', 'technician T0 is not active'],
  ])('refuses %s with 422 naming technician_id and leaves the card as it was', async (_what, id, message) => {
    const target = cards[1] as string;
    const before = await card(target);
    const res = await patch(target, { expected_version: before.version, technician_id: id, notes: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'unprocessable', details: { technician_id: message } });
    expect(await card(target)).toEqual(before);
  });

  it.each([
    [{ expected_version: 1, technician_id: 'bad id!' }, 'technician_id'],
    [{ expected_version: 1, technician_id: 5 }, 'technician_id'],
    [{ expected_version: 1, technician: 'T1' }, 'technician'],
  ])('rejects %j with 400 naming %s and writes nothing', async (body, field) => {
    const target = cards[1] as string;
    const before = await card(target);
    const res = await patch(target, body);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details)).toContain(field);
    expect(await card(target)).toEqual(before);
  });

  it('unassigns with null and still checks expected_version', async () => {
    const target = cards[2] as string;
    expect((await patch(target, { expected_version: 1, technician_id: 'T1' })).status).toBe(200);
    const stale = await patch(target, { expected_version: 1, technician_id: null });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    const res = await patch(target, { expected_version: 2, technician_id: null });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ version: 3, technician_id: null, technician_name: null });
  });
});

describe('board?technician_id=', () => {
  const ids = (body: { data: { columns: Record<string, { items: Array<{ id: string }> }> } }) =>
    Object.values(body.data.columns).flatMap((c) => c.items.map((i) => i.id));

  it("shows only that technician's cards, in all six columns with their counts", async () => {
    const res = await board('&technician_id=T1');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([cards[0]]);
    expect(Object.keys(res.body.data.columns)).toHaveLength(6);
    expect(res.body.data.columns.scheduled.count).toBe(1);
    expect(res.body.data.columns.completed).toEqual({ items: [], count: 0 });
  });

  it('shows the unassigned cards for technician_id=none', async () => {
    const res = await board('&technician_id=none');
    expect(res.status).toBe(200);
    expect(ids(res.body).sort()).toEqual([cards[1], cards[2]].sort());
  });

  it('shows every card without the filter, and an empty board for a technician with none', async () => {
    expect(ids((await board('')).body)).toHaveLength(3);
    const empty = await board('&technician_id=T0');
    expect(empty.status).toBe(200);
    expect(ids(empty.body)).toEqual([]);
  });

  it('filters a from..to range too', async () => {
    const res = await app.request(
      'GET',
      `/api/admin/appointments/board?from=${DAY}&to=2026-04-20&technician_id=T1`,
    );
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([cards[0]]);
  });

  it('refuses an unknown technician with 422 naming technician_id', async () => {
    const res = await board('&technician_id=nobody');
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'unprocessable',
      details: { technician_id: 'no technician with id nobody' },
    });
  });

  it('refuses a malformed technician_id with 400 naming it', async () => {
    const res = await board('&technician_id=bad%20id!');
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details)).toContain('technician_id');
  });
});
