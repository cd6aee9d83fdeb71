/** The role rules of domain/roles.ts: the route table, the write policies, and who a caller is. */
import {
  ROLES,
  ROUTE_PERMISSIONS,
  WRITE_POLICIES,
  authorize,
  parsePrincipalRoles,
  resolveCaller,
  roleAtLeast,
  type RouteKey,
  type RoutePermission,
} from '../../domain/roles';
import { router } from '../../handlers/api';

const ROUTES = Object.keys(ROUTE_PERMISSIONS) as RouteKey[];
const perm = (route: RouteKey) => ROUTE_PERMISSIONS[route] as RoutePermission;

describe('the route table', () => {
  it('has an entry for every route the router serves, and none for a route it does not', () => {
    const routed = router.list().map((r) => `${r.method} ${r.path}`);
    expect(routed.filter((r) => !Object.hasOwn(ROUTE_PERMISSIONS, r))).toEqual([]);
    expect(ROUTES.filter((r) => !routed.includes(r))).toEqual([]);
  });

  it('lets a viewer make every GET and nothing else', () => {
    for (const route of ROUTES) {
      expect([route, perm(route).role === 'viewer']).toEqual([route, route.startsWith('GET ')]);
    }
  });

  it('marks every non-GET route as a write the policy governs', () => {
    for (const route of ROUTES.filter((r) => !r.startsWith('GET '))) {
      expect([route, perm(route).writes]).toEqual([route, route.endsWith('/move') ? 'moves' : 'records']);
    }
  });
});

describe('authorize', () => {
  const caller = (role: (typeof ROLES)[number]) => ({ role, principal: 'P' });
  const bodyFor = (route: RouteKey) => (route.startsWith('PATCH') ? { expected_version: 1, notes: 'n' } : {});

  it.each(
    WRITE_POLICIES.flatMap((policy) =>
      ROLES.flatMap((role) => ROUTES.map((route) => ({ policy, role, route }))),
    ),
  )('$policy: $role on $route', ({ policy, role, route }) => {
    const permission = perm(route);
    const result = authorize(caller(role), route, permission, bodyFor(route), policy);
    const disabled =
      permission.writes !== undefined &&
      (policy === 'read-only' || (policy === 'moves-only' && permission.writes === 'records'));
    if (disabled) expect(result).toMatchObject({ ok: false, code: 'writes_disabled' });
    else if (roleAtLeast(role, permission.role)) expect(result).toEqual({ ok: true });
    else {
      expect(result).toEqual({
        ok: false,
        code: 'forbidden',
        message: `role ${role} may not ${route}`,
        details: { role, required: permission.role },
      });
    }
  });

  it('lets staff PATCH notes and technician_id', () => {
    const route: RouteKey = 'PATCH /api/admin/appointments/{id}';
    const body = { expected_version: 2, notes: 'x', technician_id: 'T1' };
    expect(authorize(caller('staff'), route, perm(route), body, 'open')).toEqual({ ok: true });
    expect(authorize(caller('viewer'), route, perm(route), body, 'open')).toMatchObject({ ok: false });
  });

  it('raises PATCH to admin for any field but notes and technician_id, naming the fields', () => {
    const route: RouteKey = 'PATCH /api/admin/appointments/{id}';
    const result = authorize(
      caller('staff'),
      route,
      perm(route),
      { expected_version: 2, notes: 'x', technician_id: null, appt_start: 'a', service_codes: [] },
      'open',
    );
    expect(result).toEqual({
      ok: false,
      code: 'forbidden',
      message: `role staff may not ${route} with appt_start, service_codes`,
      details: { role: 'staff', required: 'admin', fields: ['appt_start', 'service_codes'] },
    });
  });
});

describe('resolveCaller', () => {
  const principals = parsePrincipalRoles(
    [
      'LOCALVIEW=viewer',
      'arn:aws:iam::123456789012:role/edgar-prod-staff=staff',
      'arn:aws:iam::123456789012:role/team/edgar-prod-admin=admin',
      'arn:aws:iam::123456789012:user/office-pc=admin',
    ].join(','),
  );

  it.each([
    [
      'a local access key',
      { accessKey: 'LOCALVIEW', userArn: 'arn:aws:iam::000000000000:user/LOCALVIEW' },
      'viewer',
      'LOCALVIEW',
    ],
    [
      'an assumed-role session, by its role name',
      { accessKey: 'ASIAXYZ', userArn: 'arn:aws:sts::123456789012:assumed-role/edgar-prod-staff/maria' },
      'staff',
      'arn:aws:sts::123456789012:assumed-role/edgar-prod-staff/maria',
    ],
    [
      'an assumed-role session of a role with a path',
      { accessKey: 'ASIAXYZ', userArn: 'arn:aws:sts::123456789012:assumed-role/edgar-prod-admin/edgar' },
      'admin',
      'arn:aws:sts::123456789012:assumed-role/edgar-prod-admin/edgar',
    ],
    [
      'an IAM user by ARN',
      { accessKey: 'AKIAXYZ', userArn: 'arn:aws:iam::123456789012:user/office-pc' },
      'admin',
      'arn:aws:iam::123456789012:user/office-pc',
    ],
  ])('maps %s', (_what, iam, role, principal) => {
    expect(resolveCaller(iam, principals)).toEqual({ ok: true, actor: { role, principal } });
  });

  it.each([
    [
      'a session of the same role name in another account',
      'arn:aws:sts::999999999999:assumed-role/edgar-prod-staff/x',
    ],
    ['a session of an unmapped role', 'arn:aws:sts::123456789012:assumed-role/other/x'],
    ['an unmapped user', 'arn:aws:iam::123456789012:user/someone'],
  ])('refuses %s, naming the principal', (_what, userArn) => {
    expect(resolveCaller({ accessKey: 'ASIAXYZ', userArn }, principals)).toEqual({
      ok: false,
      message: `principal ${userArn} has no role`,
      principal: userArn,
    });
  });

  it('refuses a request with no IAM caller unless an unsigned role is configured', () => {
    expect(resolveCaller(undefined, principals)).toMatchObject({ ok: false });
    expect(resolveCaller(undefined, principals, 'admin')).toEqual({
      ok: true,
      actor: { role: 'admin', principal: 'unsigned' },
    });
  });
});

describe('parsePrincipalRoles', () => {
  it('reads principal=role pairs, ignoring blanks', () => {
    expect([...parsePrincipalRoles(' A=viewer, ,arn:aws:iam::1:role/x=admin ')]).toEqual([
      ['A', 'viewer'],
      ['arn:aws:iam::1:role/x', 'admin'],
    ]);
  });

  it.each([
    ['A=owner', 'entry "A=owner" must be principal=viewer|staff|admin'],
    ['=viewer', 'entry "=viewer" must be principal=viewer|staff|admin'],
    ['A', 'entry "A" must be principal=viewer|staff|admin'],
    ['A=viewer,A=admin', 'entry "A=admin": A is already mapped to viewer'],
  ])('refuses %s naming the entry', (text, message) => {
    expect(() => parsePrincipalRoles(text)).toThrow(message);
  });
});
