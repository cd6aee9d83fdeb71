/** Finding customers (name, phone or email prefix) and reading a customer and its vehicles. */
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
const search = (q: string) => app.request('GET', `/api/admin/customers?q=${encodeURIComponent(q)}`);
const names = async (q: string) => {
  const res = await search(q);
  expect(res.status).toBe(200);
  return res.body.data.map((c: { name: string }) => c.name);
};

beforeAll(async () => {
  app = await startTestApp({ startPoller: false });
  const customers = [
    { id: 'c-ada', name: 'Ada Lovelace', phone: '(555) 010-1000', email: 'ada@example.com' },
    { id: 'c-alan', name: 'Alan Turing', email: 'Alan.Turing@Example.org' },
    { id: 'c-grace', name: 'Grace Hopper', phone: '555-0199' },
  ];
  for (const c of customers) expect((await app.request('POST', '/api/admin/customers', c)).status).toBe(201);
  for (let i = 0; i < 25; i++) {
    const res = await app.request('POST', '/api/admin/customers', { id: `many-${i}`, name: `Mann ${i}` });
    expect(res.status).toBe(201);
  }
  await app.request('POST', '/api/admin/vehicles', {
    id: 'v-2',
    customer_id: 'c-ada',
    make: 'Ford',
    model: 'Ka',
  });
  await app.request('POST', '/api/admin/vehicles', {
    id: 'v-1',
    customer_id: 'c-ada',
    year: 2019,
    make: 'Toyota',
    model: 'Camry',
  });
});
afterAll(async () => {
  await app.stop();
});

describe('GET /api/admin/customers?q=', () => {
  it.each([
    ['a name prefix, any case', 'aD', ['Ada Lovelace']],
    ['a later word of the name', 'LOVE', ['Ada Lovelace']],
    ['two customers, by name', 'al', ['Alan Turing']],
    ['an email prefix', 'alan.turing@ex', ['Alan Turing']],
    ['phone digits', '555', ['Ada Lovelace', 'Grace Hopper']],
    ['a formatted phone', '(555) 01', ['Ada Lovelace', 'Grace Hopper']],
    ['nothing', 'zz', []],
  ])('finds by %s', async (_what, q, expected) => {
    expect(await names(q)).toEqual(expected);
  });

  it('answers whole customers, each once, even when several of their keys match', async () => {
    const res = await search('ada');
    expect(res.body.data).toEqual([
      expect.objectContaining({ id: 'c-ada', name: 'Ada Lovelace', email: 'ada@example.com' }),
    ]);
  });

  it('answers at most 20', async () => {
    expect(await names('mann')).toHaveLength(20);
  });

  it.each([['a'], [' a '], ['']])('refuses q=%j (under 2 characters) with 400 naming q', async (q) => {
    const res = await search(q);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(Object.keys(res.body.error.details)).toContain('q');
  });

  it('refuses a missing q and an unknown query field with 400 naming them', async () => {
    const missing = await app.request('GET', '/api/admin/customers');
    expect(Object.keys(missing.body.error.details)).toContain('q');
    const extra = await app.request('GET', '/api/admin/customers?q=ada&limit=5');
    expect(extra.status).toBe(400);
    expect(Object.keys(extra.body.error.details)).toContain('limit');
  });

  it('writes no search keys for a refused customer', async () => {
    const dup = await app.request('POST', '/api/admin/customers', { id: 'c-ada', name: 'Zoe Duplicate' });
    expect(dup.status).toBe(409);
    const bad = await app.request('POST', '/api/admin/customers', { name: 'Zelda Bad', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(await names('zo')).toEqual([]);
    expect(await names('ze')).toEqual([]);
  });
});

describe('GET /api/admin/customers/{id} and /vehicles', () => {
  it('reads a customer', async () => {
    const res = await app.request('GET', '/api/admin/customers/c-grace');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: 'c-grace',
      name: 'Grace Hopper',
      phone: '555-0199',
      email: null,
    });
  });

  it("lists the customer's vehicles, oldest first", async () => {
    const res = await app.request('GET', '/api/admin/customers/c-ada/vehicles');
    expect(res.status).toBe(200);
    expect(res.body.data.map((v: { id: string }) => v.id)).toEqual(['v-2', 'v-1']);
    expect(res.body.data[1]).toMatchObject({
      customer_id: 'c-ada',
      make: 'Toyota',
      model: 'Camry',
      year: 2019,
    });
  });

  it('lists no vehicles for a customer without any', async () => {
    const res = await app.request('GET', '/api/admin/customers/c-grace/vehicles');
    expect(res.body).toEqual({ ok: true, data: [] });
  });

  it.each([
    '/api/admin/customers/nobody',
    '/api/admin/customers/nobody/vehicles',
    '/api/admin/customers/bad%20id',
  ])('answers 404 for %s', async (path) => {
    const res = await app.request('GET', path);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('links no vehicle that was refused', async () => {
    const res = await app.request('POST', '/api/admin/vehicles', {
      id: 'v-1',
      customer_id: 'c-grace',
      make: 'Kia',
      model: 'Rio',
    });
    expect(res.status).toBe(409);
    expect((await app.request('GET', '/api/admin/customers/c-grace/vehicles')).body.data).toEqual([]);
  });
});
