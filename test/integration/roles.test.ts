/**
 * Who may do what, end to end: requests signed with each local key through the real SigV4 verifier
 * and the real handlers. Every route of the router is called by every role: a role below the route's
 * gets the exact 403 body, any other gets past the role check. The write policies are switched on the
 * running app (its config is read per request).
 */
import { LOCAL_KEYS } from '../../client/local-keys';
import {
  ROLES,
  ROUTE_PERMISSIONS,
  roleAtLeast,
  type Role,
  type RouteKey,
  type RoutePermission,
} from '../../domain/roles';
import { router } from '../../handlers/api';
import { NO_ROLE_KEY, startSignedApp, type SignedApp } from '../support/signed-clients';

const DAY = '2026-06-01';
/** What the local gateway puts in userArn for a key (local/sigv4-verifier.ts), as IAM would an ARN. */
const NO_ROLE_ARN = `arn:aws:iam::000000000000:user/${NO_ROLE_KEY.accessKeyId}`;
let signed: SignedApp;
let ids: { customer: string; vehicle: string; card: string; move: string; technician: string };

beforeAll(async () => {
  signed = await startSignedApp();
  const admin = signed.as.admin;
  const customer = await admin.createCustomer({ name: 'Roles Test' });
  const vehicle = await admin.createVehicle({
    customer_id: customer.body?.ok ? customer.body.data.id : '',
    make: 'Ford',
    model: 'Ka',
  });
  const customerId = customer.body?.ok ? customer.body.data.id : '';
  const vehicleId = vehicle.body?.ok ? vehicle.body.data.id : '';
  const card = await admin.createAppointment(appointmentBody(customerId, vehicleId));
  const cardId = card.body?.ok ? card.body.data.id : '';
  const technician = await admin.request('POST', '/api/admin/technicians', { name: 'Roles Tech' });
  const move = await signed.as.staff.submitMove(cardId, { to_status: 'scheduled', expected_version: 1 });
  ids = {
    customer: customerId,
    vehicle: vehicleId,
    card: cardId,
    move: move.body?.ok ? move.body.data.move_id : '',
    technician: technician.body?.ok ? (technician.body.data as { id: string }).id : '',
  };
  expect(Object.values(ids).every((v) => v !== '')).toBe(true);
});
afterAll(async () => {
  await signed.app.stop();
});

function appointmentBody(customerId: string, vehicleId: string) {
  return {
    customer_id: customerId,
    vehicle_id: vehicleId,
    appt_start: `${DAY}T09:00:00Z`,
    appt_end: `${DAY}T10:00:00Z`,
    service_codes: ['OIL001'],
  };
}

/** One request per route, with a body that is valid for it. */
const CASES: Record<RouteKey, { path: () => string; body?: () => unknown }> = {
  'GET /healthz': { path: () => '/healthz' },
  'GET /api/me': { path: () => '/api/me' },
  'GET /api/openapi.json': { path: () => '/api/openapi.json' },
  'GET /api/admin/services': { path: () => '/api/admin/services' },
  'GET /api/admin/appointments/board': { path: () => `/api/admin/appointments/board?date=${DAY}` },
  'GET /api/admin/appointments/{id}': { path: () => `/api/admin/appointments/${ids.card}` },
  'GET /api/admin/appointments/{id}/history': {
    path: () => `/api/admin/appointments/${ids.card}/history`,
  },
  'GET /api/admin/moves/{move_id}': { path: () => `/api/admin/moves/${ids.move}` },
  'GET /api/admin/dashboard/stats': { path: () => `/api/admin/dashboard/stats?date=${DAY}` },
  // To the column the card is in: a no-op, so the card's version stays put for the other cases.
  'POST /api/admin/appointments/{id}/move': {
    path: () => `/api/admin/appointments/${ids.card}/move`,
    body: () => ({ to_status: 'scheduled', expected_version: 1 }),
  },
  // A stale version after the first success: 409, still past the role check.
  'PATCH /api/admin/appointments/{id}': {
    path: () => `/api/admin/appointments/${ids.card}`,
    body: () => ({ expected_version: 1, notes: 'seen by the roles test' }),
  },
  'POST /api/admin/customers': { path: () => '/api/admin/customers', body: () => ({ name: 'New' }) },
  'GET /api/admin/technicians': { path: () => '/api/admin/technicians' },
  'GET /api/admin/customers': { path: () => '/api/admin/customers?q=ro' },
  'GET /api/admin/customers/{id}': { path: () => `/api/admin/customers/${ids.customer}` },
  'GET /api/admin/customers/{id}/vehicles': { path: () => `/api/admin/customers/${ids.customer}/vehicles` },
  'POST /api/admin/technicians': { path: () => '/api/admin/technicians', body: () => ({ name: 'New Tech' }) },
  'POST /api/admin/vehicles': {
    path: () => '/api/admin/vehicles',
    body: () => ({ customer_id: ids.customer, make: 'Ford', model: 'Ka' }),
  },
  'POST /api/admin/appointments': {
    path: () => '/api/admin/appointments',
    body: () => appointmentBody(ids.customer, ids.vehicle),
  },
};

const caseOf = (route: RouteKey) => CASES[route] as { path: () => string; body?: () => unknown };
const methodOf = (route: RouteKey) => route.split(' ')[0] as string;
const ROUTES = Object.keys(CASES) as RouteKey[];

it('has a case here for every route of the router, and a permission for each', () => {
  const routed = router
    .list()
    .map((r) => `${r.method} ${r.path}`)
    .sort();
  expect(ROUTES.slice().sort()).toEqual(routed);
  expect(Object.keys(ROUTE_PERMISSIONS).sort()).toEqual(routed);
});

const matrix = ROLES.flatMap((role) => ROUTES.map((route) => ({ role, route })));

it.each(matrix)('lets $role call $route exactly when the role table allows it', async ({ role, route }) => {
  const { path, body } = caseOf(route);
  const res = await signed.as[role as Role].request(methodOf(route), path(), body?.());
  const required = (ROUTE_PERMISSIONS[route] as RoutePermission).role;
  if (roleAtLeast(role as Role, required)) {
    expect(res.status).not.toBe(403);
    expect(res.status).toBeLessThan(500);
  } else {
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: `role ${role} may not ${route}`,
        details: { role, required },
      },
    });
  }
});

it("answers the issue's own example body to a viewer submitting a move", async () => {
  const res = await signed.as.viewer.submitMove(ids.card, { to_status: 'in_progress', expected_version: 1 });
  expect(res.status).toBe(403);
  expect(JSON.parse(res.text).error).toEqual({
    code: 'forbidden',
    message: 'role viewer may not POST /api/admin/appointments/{id}/move',
    details: { role: 'viewer', required: 'staff' },
  });
});

describe('PATCH by field', () => {
  const patch = (role: Role, body: Record<string, unknown>) =>
    signed.as[role].request('PATCH', `/api/admin/appointments/${ids.card}`, body);
  const current = async () => {
    const res = await signed.as.viewer.getAppointment(ids.card);
    return res.body?.ok ? res.body.data.version : -1;
  };

  it('lets staff change notes', async () => {
    const res = await patch('staff', { expected_version: await current(), notes: 'staff note' });
    expect(res.status).toBe(200);
  });

  it('lets staff give the card to a technician and take it back', async () => {
    const given = await patch('staff', { expected_version: await current(), technician_id: ids.technician });
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({
      data: { technician_id: ids.technician, technician_name: 'Roles Tech' },
    });
    const taken = await patch('staff', { expected_version: await current(), technician_id: null });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ data: { technician_id: null, technician_name: null } });
  });

  it.each([
    ['appt_start', { appt_start: `${DAY}T09:30:00Z` }],
    ['service_codes', { service_codes: ['TIRE001'] }],
    ['appt_end', { appt_end: `${DAY}T11:00:00Z`, notes: 'with a note' }],
  ])('refuses staff a PATCH of %s, naming the field and the admin role it needs', async (field, change) => {
    const res = await patch('staff', { expected_version: await current(), ...change });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: `role staff may not PATCH /api/admin/appointments/{id} with ${field}`,
        details: { role: 'staff', required: 'admin', fields: [field] },
      },
    });
  });

  it('lets admin change any field', async () => {
    const res = await patch('admin', {
      expected_version: await current(),
      appt_start: `${DAY}T09:15:00Z`,
      service_codes: ['OIL001', 'TIRE001'],
      notes: 'admin edit',
    });
    expect(res.status).toBe(200);
  });
});

describe('identity', () => {
  it.each(LOCAL_KEYS.map((k) => [k.role, k.accessKeyId]))(
    'tells a %s caller its role and principal (GET /api/me)',
    async (role, key) => {
      const res = await signed.as[role as Role].request('GET', '/api/me');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, data: { role, principal: key, write_policy: 'open' } });
    },
  );

  it.each(['/healthz', '/api/me', '/api/admin/appointments/board?date=2026-06-01', '/no/such/route'])(
    'refuses a validly signed principal without a role on %s, naming the principal',
    async (path) => {
      const res = await signed.nobody.request('GET', path);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        ok: false,
        error: {
          code: 'forbidden',
          message: `principal ${NO_ROLE_ARN} has no role`,
          details: { principal: NO_ROLE_ARN },
        },
      });
    },
  );
});

describe('WRITE_POLICY', () => {
  const setPolicy = (policy: 'open' | 'moves-only' | 'read-only') => {
    signed.app.container.config.WRITE_POLICY = policy;
  };
  afterEach(() => setPolicy('open'));

  const RECORD_WRITES: RouteKey[] = [
    'POST /api/admin/customers',
    'POST /api/admin/vehicles',
    'POST /api/admin/appointments',
    'PATCH /api/admin/appointments/{id}',
  ];
  const MOVE: RouteKey = 'POST /api/admin/appointments/{id}/move';
  const READS = ROUTES.filter((r) => r.startsWith('GET '));
  const call = (role: Role, route: RouteKey) =>
    signed.as[role].request(methodOf(route), caseOf(route).path(), caseOf(route).body?.());

  it.each(RECORD_WRITES.flatMap((route) => ROLES.map((role) => ({ role, route }))))(
    'moves-only: refuses $route to $role with writes_disabled',
    async ({ role, route }) => {
      setPolicy('moves-only');
      const res = await call(role, route);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        ok: false,
        error: {
          code: 'writes_disabled',
          message:
            'this stage is moves-only: creating and editing customers, vehicles and appointments is disabled',
          details: { write_policy: 'moves-only' },
        },
      });
    },
  );

  it('moves-only: still takes moves from staff and admin, and serves every read', async () => {
    setPolicy('moves-only');
    for (const role of ['staff', 'admin'] as const) expect((await call(role, MOVE)).status).toBeLessThan(300);
    for (const route of READS) expect((await call('viewer', route)).status).toBe(200);
    expect((await call('admin', 'GET /api/me')).body).toMatchObject({ data: { write_policy: 'moves-only' } });
  });

  it.each([...RECORD_WRITES, MOVE])('read-only: refuses %s to admin with writes_disabled', async (route) => {
    setPolicy('read-only');
    const res = await call('admin', route);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).error).toMatchObject({
      code: 'writes_disabled',
      details: { write_policy: 'read-only' },
    });
  });

  it('read-only: serves every read', async () => {
    setPolicy('read-only');
    for (const route of READS) expect((await call('viewer', route)).status).toBe(200);
  });

  it('open: lets admin write again', async () => {
    setPolicy('open');
    expect((await call('admin', 'POST /api/admin/customers')).status).toBe(201);
  });
});
