/** Every core endpoint through the real handler, the local gateway and DynamoDB Local. */
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ startPoller: false });
  await app.request('POST', '/api/admin/customers', { id: '1', name: 'Ada Lovelace', phone: '+1-555-0101' });
  await app.request('POST', '/api/admin/vehicles', {
    id: '1',
    customer_id: '1',
    year: 2019,
    make: 'Toyota',
    model: 'Camry',
    plate: '7ABC123',
  });
  await app.request('POST', '/api/admin/customers', { id: '2', name: 'Grace Hopper' });
  await app.request('POST', '/api/admin/vehicles', {
    id: '2',
    customer_id: '2',
    make: 'Honda',
    model: 'Civic',
  });
});
afterAll(async () => {
  await app.stop();
});

const seedBody = (over: Record<string, unknown> = {}) => ({
  customer_id: '1',
  vehicle_id: '1',
  appt_start: '2025-10-01T15:00:00Z',
  appt_end: '2025-10-01T16:00:00Z',
  service_codes: ['OIL001'],
  notes: 'Seed appointment',
  ...over,
});

describe('healthz', () => {
  it('reports both dependencies ok', async () => {
    const res = await app.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, data: { status: 'ok', checks: { dynamodb: 'ok', queue: 'ok' } } });
  });
});

describe('customers and vehicles', () => {
  it('creates a customer with a generated id', async () => {
    const res = await app.request('POST', '/api/admin/customers', {
      name: 'Alan Turing',
      email: 'alan@example.com',
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ name: 'Alan Turing', email: 'alan@example.com', phone: null });
    expect(res.body.data.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('refuses an existing customer id with 409', async () => {
    const res = await app.request('POST', '/api/admin/customers', { id: '1', name: 'Someone else' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_exists');
  });

  it.each([
    [{ id: 'bad id!', name: 'x' }, 'id'],
    [{ name: '' }, 'name'],
    [{ name: 'x', favourite: 'blue' }, 'favourite'],
    [{ name: 'x', email: 'not-an-email' }, 'email'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const res = await app.request('POST', '/api/admin/customers', body);
    expect(res.status).toBe(400);
    expect(res.body.ok).toBe(false);
    expect(res.body.error.code).toBe('validation_error');
    expect(Object.keys(res.body.error.details)).toContain(field);
  });

  it('refuses a vehicle of an unknown customer with 422', async () => {
    const res = await app.request('POST', '/api/admin/vehicles', {
      customer_id: 'nobody',
      make: 'Kia',
      model: 'Rio',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toHaveProperty('customer_id');
  });
});

describe('services', () => {
  it('lists the catalog with OIL001 and TIRE001', async () => {
    const res = await app.request('GET', '/api/admin/services');
    expect(res.status).toBe(200);
    const codes = res.body.data.map((s: { code: string }) => s.code);
    expect(codes).toEqual(expect.arrayContaining(['OIL001', 'TIRE001']));
    for (const s of res.body.data)
      expect(Object.keys(s).sort()).toEqual(['code', 'duration_minutes', 'name', 'price_cents']);
  });
});

describe('appointments', () => {
  it('creates the seed body as a scheduled card at version 1 with names copied in', async () => {
    const res = await app.request('POST', '/api/admin/appointments', seedBody());
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      status: 'scheduled',
      version: 1,
      customer_id: '1',
      vehicle_id: '1',
      customer_name: 'Ada Lovelace',
      vehicle_label: '2019 Toyota Camry (7ABC123)',
      appt_start: '2025-10-01T15:00:00.000Z',
      appt_end: '2025-10-01T16:00:00.000Z',
      service_codes: ['OIL001'],
      notes: 'Seed appointment',
    });
    expect(res.body.data.created_at).toBeDefined();
    expect(res.body.data.updated_at).toBeDefined();
    const read = await app.request('GET', `/api/admin/appointments/${res.body.data.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(res.body.data);
  });

  it.each([
    ['unknown customer', seedBody({ customer_id: 'ghost' }), 'customer_id'],
    ['unknown vehicle', seedBody({ vehicle_id: 'ghost' }), 'vehicle_id'],
    ["someone else's vehicle", seedBody({ vehicle_id: '2' }), 'vehicle_id'],
    ['unknown service code', seedBody({ service_codes: ['NOPE001'] }), 'service_codes'],
    ['end before start', seedBody({ appt_end: '2025-10-01T14:00:00Z' }), 'appt_end'],
    ['end equal to start', seedBody({ appt_end: '2025-10-01T15:00:00Z' }), 'appt_end'],
  ])('refuses %s with 422 naming the field', async (_name, body, field) => {
    const res = await app.request('POST', '/api/admin/appointments', body);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toHaveProperty(field);
  });

  it.each([
    ['an unknown top-level field', { ...seedBody(), status: 'ready' }, 'status'],
    ['a missing field', { ...seedBody(), vehicle_id: undefined }, 'vehicle_id'],
    ['a non-UTC instant', seedBody({ appt_start: '2025-10-01T15:00:00+02:00' }), 'appt_start'],
    ['a wrong type', seedBody({ service_codes: 'OIL001' }), 'service_codes'],
  ])('refuses %s with 400 and writes nothing', async (_name, body, field) => {
    const before = await app.request('GET', '/api/admin/appointments/board?date=2025-10-01');
    const res = await app.request('POST', '/api/admin/appointments', body);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details)).toContain(field);
    const after = await app.request('GET', '/api/admin/appointments/board?date=2025-10-01');
    expect(after.body.data).toEqual(before.body.data);
  });

  it('answers 404 for an unknown appointment', async () => {
    const res = await app.request('GET', '/api/admin/appointments/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('edits notes with the current version and bumps it', async () => {
    const created = (await app.request('POST', '/api/admin/appointments', seedBody())).body.data;
    const res = await app.request('PATCH', `/api/admin/appointments/${created.id}`, {
      expected_version: 1,
      notes: 'Bring winter tires',
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ version: 2, notes: 'Bring winter tires', status: 'scheduled' });
  });

  it('refuses a stale edit with 409 version_conflict and the current version', async () => {
    const created = (await app.request('POST', '/api/admin/appointments', seedBody())).body.data;
    await app.request('PATCH', `/api/admin/appointments/${created.id}`, {
      expected_version: 1,
      notes: 'first',
    });
    const res = await app.request('PATCH', `/api/admin/appointments/${created.id}`, {
      expected_version: 1,
      notes: 'second',
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'version_conflict', details: { current_version: 2 } });
  });

  it('never changes status through PATCH', async () => {
    const created = (await app.request('POST', '/api/admin/appointments', seedBody())).body.data;
    const res = await app.request('PATCH', `/api/admin/appointments/${created.id}`, {
      expected_version: 1,
      status: 'completed',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toHaveProperty('status');
  });
});

describe('board', () => {
  it('shows all six columns with cards ordered by start time', async () => {
    const day = '2026-02-03';
    for (const hour of ['11', '09', '10']) {
      await app.request(
        'POST',
        '/api/admin/appointments',
        seedBody({ appt_start: `${day}T${hour}:00:00Z`, appt_end: `${day}T${hour}:30:00Z` }),
      );
    }
    const res = await app.request('GET', `/api/admin/appointments/board?date=${day}`);
    expect(res.status).toBe(200);
    const { columns, from, to } = res.body.data;
    expect({ from, to }).toEqual({ from: day, to: day });
    expect(Object.keys(columns).sort()).toEqual([
      'canceled',
      'completed',
      'in_progress',
      'no_show',
      'ready',
      'scheduled',
    ]);
    expect(columns.scheduled.count).toBe(3);
    expect(columns.scheduled.items.map((i: { appt_start: string }) => i.appt_start.slice(11, 13))).toEqual([
      '09',
      '10',
      '11',
    ]);
    expect(Object.keys(columns.scheduled.items[0]).sort()).toEqual(
      [
        'appt_end',
        'appt_start',
        'customer_id',
        'customer_name',
        'id',
        'notes',
        'service_codes',
        'status',
        'status_since',
        'technician_id',
        'technician_name',
        'vehicle_id',
        'vehicle_label',
        'version',
      ].sort(),
    );
    expect(columns.completed).toEqual({ items: [], count: 0 });
  });

  it('serves a range of days and excludes days outside it', async () => {
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: '2026-03-01T09:00:00Z', appt_end: '2026-03-01T10:00:00Z' }),
    );
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: '2026-03-03T09:00:00Z', appt_end: '2026-03-03T10:00:00Z' }),
    );
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: '2026-03-04T09:00:00Z', appt_end: '2026-03-04T10:00:00Z' }),
    );
    const res = await app.request('GET', '/api/admin/appointments/board?from=2026-03-01&to=2026-03-03');
    expect(res.body.data.columns.scheduled.count).toBe(2);
  });

  it('answers 304 to a matching If-None-Match and 200 after a change', async () => {
    const day = '2026-04-05';
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: `${day}T09:00:00Z`, appt_end: `${day}T10:00:00Z` }),
    );
    const first = await app.request('GET', `/api/admin/appointments/board?date=${day}`);
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^".+"$/);
    const again = await app.request('GET', `/api/admin/appointments/board?date=${day}`, undefined, {
      'if-none-match': etag,
    });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: `${day}T11:00:00Z`, appt_end: `${day}T12:00:00Z` }),
    );
    const changed = await app.request('GET', `/api/admin/appointments/board?date=${day}`, undefined, {
      'if-none-match': etag,
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it.each([
    ['?date=2026-13-01', 400],
    ['?from=2026-01-10&to=2026-01-01', 400],
    ['?from=2026-01-01&to=2026-02-01', 400],
    ['', 400],
    ['?date=2026-01-01&extra=1', 400],
  ])('refuses board query %s with %i', async (query, status) => {
    const res = await app.request('GET', `/api/admin/appointments/board${query}`);
    expect(res.status).toBe(status);
    expect(res.body.ok).toBe(false);
  });

  it('accepts a 31-day range', async () => {
    const res = await app.request('GET', '/api/admin/appointments/board?from=2026-01-01&to=2026-01-31');
    expect(res.status).toBe(200);
  });
});

describe('dashboard stats', () => {
  it('counts a day by status with rates, revenue and cycle time fields', async () => {
    const day = '2026-05-06';
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: `${day}T09:00:00Z`, appt_end: `${day}T10:00:00Z` }),
    );
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: `${day}T23:30:00Z`, appt_end: `${day}T23:59:00Z` }),
    );
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: '2026-05-07T00:00:00Z', appt_end: '2026-05-07T01:00:00Z' }),
    );
    const res = await app.request('GET', `/api/admin/dashboard/stats?date=${day}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      from: day,
      to: day,
      time_zone: 'UTC',
      total: 2,
      by_status: { scheduled: 2, in_progress: 0, ready: 0, completed: 0, no_show: 0, canceled: 0 },
      completion_rate: 0,
      no_show_rate: 0,
      revenue_cents: 0,
      avg_cycle_minutes: null,
      car_count: 0,
      average_repair_order_cents: null,
      show_rate: null,
      by_technician: { unassigned: { completed: 0, revenue_cents: 0, avg_cycle_minutes: null } },
    });
  });

  it('spans months and years in one range', async () => {
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: '2026-12-31T09:00:00Z', appt_end: '2026-12-31T10:00:00Z' }),
    );
    await app.request(
      'POST',
      '/api/admin/appointments',
      seedBody({ appt_start: '2027-01-01T09:00:00Z', appt_end: '2027-01-01T10:00:00Z' }),
    );
    const res = await app.request('GET', '/api/admin/dashboard/stats?from=2026-12-31&to=2027-01-01');
    expect(res.body.data.total).toBe(2);
  });

  it('has null rates for an empty range and accepts 366 days', async () => {
    const res = await app.request('GET', '/api/admin/dashboard/stats?from=2030-01-01&to=2031-01-01');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      total: 0,
      completion_rate: null,
      no_show_rate: null,
      avg_cycle_minutes: null,
    });
  });

  it('refuses a range over 366 days', async () => {
    const res = await app.request('GET', '/api/admin/dashboard/stats?from=2030-01-01&to=2031-01-02');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('range_too_long');
  });
});

describe('bad requests', () => {
  it('refuses malformed JSON with 400', async () => {
    const res = await app.request('POST', '/api/admin/customers', '{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
  });

  it('refuses a body over 64 KiB with 413 and writes nothing', async () => {
    const res = await app.request('POST', '/api/admin/customers', {
      id: 'huge',
      name: 'x'.repeat(70 * 1024),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    const again = await app.request('POST', '/api/admin/customers', { id: 'huge', name: 'small' });
    expect(again.status).toBe(201);
  });

  it('answers 404 for an unknown route', async () => {
    const res = await app.request('GET', '/api/admin/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers 405 for a wrong method on a known route', async () => {
    const res = await app.request('DELETE', '/api/admin/customers');
    expect(res.status).toBe(405);
    expect(res.body.error).toMatchObject({
      code: 'method_not_allowed',
      details: { allowed: ['POST', 'GET'] },
    });
  });

  it('requires a body where one is expected', async () => {
    const res = await app.request('POST', '/api/admin/customers');
    expect(res.status).toBe(400);
  });
});
