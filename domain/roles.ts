/**
 * Who may do what. Three roles, each one able to do everything the one below it can; a table that
 * says which role every route needs (the router consults it before any handler runs, and a test
 * walks every route against it); the stage's write policy; and how a caller's IAM identity maps to
 * a role. Pure: the HTTP layer passes in what the request carries.
 */

export const ROLES = ['viewer', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);

/** viewer < staff < admin. */
export const roleAtLeast = (role: Role, required: Role): boolean =>
  ROLES.indexOf(role) >= ROLES.indexOf(required);

const higher = (a: Role, b: Role): Role => (roleAtLeast(a, b) ? a : b);

/** Who made a change: the app role and the principal (an access key locally, an IAM ARN on AWS). */
export interface Actor {
  role: Role;
  principal: string;
}

/**
 * The stage's write policy (WRITE_POLICY): `open` lets the roles decide; `moves-only` refuses
 * creating and editing customers, vehicles and appointments to everyone, admin included, while
 * moves and reads work; `read-only` refuses moves too.
 */
export const WRITE_POLICIES = ['open', 'moves-only', 'read-only'] as const;
export type WritePolicy = (typeof WRITE_POLICIES)[number];

/** What a route writes, for the write policy: the shop's records, or a card's column. */
export type WriteKind = 'records' | 'moves';

export interface RoutePermission {
  /** The least role that may call the route. */
  role: Role;
  writes?: WriteKind;
  /**
   * For a route whose body decides: the role each body field needs (a field not listed needs
   * `otherFields`). The route's own role still applies.
   */
  fields?: { byField: Readonly<Record<string, Role>>; otherFields: Role };
}

/** The key of a route: its method and path pattern, exactly as the router declares them. */
export type RouteKey = `${'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'} ${string}`;

/**
 * Every route's permission. A route missing here is a failing test (test/unit/roles.test.ts),
 * and the router refuses it at run time too, so a new route is closed until someone decides.
 */
export const ROUTE_PERMISSIONS: Readonly<Record<RouteKey, RoutePermission>> = {
  'GET /healthz': { role: 'viewer' },
  'GET /api/me': { role: 'viewer' },
  // The contract is for anyone who may call the API at all.
  'GET /api/openapi.json': { role: 'viewer' },
  'GET /api/admin/services': { role: 'viewer' },
  'GET /api/admin/appointments/board': { role: 'viewer' },
  'GET /api/admin/appointments/{id}': { role: 'viewer' },
  'GET /api/admin/appointments/{id}/history': { role: 'viewer' },
  'GET /api/admin/moves/{move_id}': { role: 'viewer' },
  'GET /api/admin/dashboard/stats': { role: 'viewer' },
  // The board shows technicians' names to everyone who sees it, a TV screen included.
  'GET /api/admin/technicians': { role: 'viewer' },
  'POST /api/admin/appointments/{id}/move': { role: 'staff', writes: 'moves' },
  // Staff keep the notes up to date and hand cards to technicians; rescheduling and changing the
  // work is the office's.
  'PATCH /api/admin/appointments/{id}': {
    role: 'staff',
    writes: 'records',
    fields: {
      byField: { expected_version: 'staff', notes: 'staff', technician_id: 'staff' },
      otherFields: 'admin',
    },
  },
  'POST /api/admin/customers': { role: 'admin', writes: 'records' },
  // Every GET stays open to every role (the booking form's look-ups included).
  'GET /api/admin/customers': { role: 'viewer' },
  'GET /api/admin/customers/{id}': { role: 'viewer' },
  'GET /api/admin/customers/{id}/vehicles': { role: 'viewer' },
  'POST /api/admin/vehicles': { role: 'admin', writes: 'records' },
  'POST /api/admin/technicians': { role: 'admin', writes: 'records' },
  'POST /api/admin/appointments': { role: 'admin', writes: 'records' },
};

export type AuthorizeResult =
  | { ok: true }
  | { ok: false; code: 'forbidden'; message: string; details: Record<string, unknown> }
  | { ok: false; code: 'writes_disabled'; message: string; details: Record<string, unknown> };

/** The role a body field needs under a field rule. */
const fieldRole = (rule: NonNullable<RoutePermission['fields']>, field: string): Role =>
  Object.hasOwn(rule.byField, field) ? (rule.byField[field] as Role) : rule.otherFields;

const bodyFields = (body: unknown): string[] =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : [];

/** The role a request needs: the route's, raised by the fields its body carries. */
export function requiredRole(permission: RoutePermission, body: unknown): Role {
  const rule = permission.fields;
  if (!rule) return permission.role;
  return bodyFields(body).reduce<Role>(
    (role, field) => higher(role, fieldRole(rule, field)),
    permission.role,
  );
}

/**
 * Decides a request: first the stage's write policy (it binds everyone, admin included), then the
 * caller's role against the route's and its body's.
 */
export function authorize(
  caller: Actor,
  route: RouteKey,
  permission: RoutePermission,
  body: unknown,
  policy: WritePolicy,
): AuthorizeResult {
  if (permission.writes && writesDisabled(policy, permission.writes)) {
    return {
      ok: false,
      code: 'writes_disabled',
      message:
        permission.writes === 'moves'
          ? `this stage is ${policy}: moves are disabled`
          : `this stage is ${policy}: creating and editing customers, vehicles and appointments is disabled`,
      details: { write_policy: policy },
    };
  }
  const needed = requiredRole(permission, body);
  if (roleAtLeast(caller.role, needed)) return { ok: true };
  const rule = permission.fields;
  // Name the fields the caller may not send, when it is they and not the route that need more.
  const fields =
    rule && roleAtLeast(caller.role, permission.role)
      ? bodyFields(body).filter((f) => !roleAtLeast(caller.role, fieldRole(rule, f)))
      : [];
  return {
    ok: false,
    code: 'forbidden',
    message: `role ${caller.role} may not ${route}${fields.length > 0 ? ` with ${fields.join(', ')}` : ''}`,
    details: { role: caller.role, required: needed, ...(fields.length > 0 ? { fields } : {}) },
  };
}

export function writesDisabled(policy: WritePolicy, kind: WriteKind): boolean {
  if (policy === 'read-only') return true;
  return policy === 'moves-only' && kind === 'records';
}

// ---- identity -------------------------------------------------------------------------------

/** principal (an access key id or an IAM ARN) → role. */
export type PrincipalRoles = ReadonlyMap<string, Role>;

/** What IAM auth puts in requestContext.authorizer.iam (the parts we read). */
export interface IamCaller {
  accessKey?: string | null;
  userArn?: string | null;
}

export type CallerResult = { ok: true; actor: Actor } | { ok: false; message: string; principal?: string };

const ASSUMED_ROLE_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;

/**
 * The role of a caller. Looked up by access key first (the local keys: the principal is then the
 * access key), then by the exact ARN (an IAM user, or a role mapped by ARN), then, for an
 * assumed-role session `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`, by the role of that account
 * named NAME, whatever its path (the session ARN carries no path). On AWS the principal is the
 * caller's ARN, so the session name (who assumed the role) is in every history entry.
 */
export function resolveCaller(
  iam: IamCaller | undefined,
  principals: PrincipalRoles,
  unsignedRole?: Role,
): CallerResult {
  const accessKey = iam?.accessKey ?? undefined;
  const userArn = iam?.userArn ?? undefined;
  if (!accessKey && !userArn) {
    if (unsignedRole) return { ok: true, actor: { role: unsignedRole, principal: 'unsigned' } };
    return { ok: false, message: 'the request carries no IAM principal' };
  }
  if (accessKey && principals.has(accessKey)) {
    return { ok: true, actor: { role: principals.get(accessKey) as Role, principal: accessKey } };
  }
  const principal = userArn ?? (accessKey as string);
  if (userArn && principals.has(userArn)) {
    return { ok: true, actor: { role: principals.get(userArn) as Role, principal } };
  }
  const session = userArn ? ASSUMED_ROLE_ARN.exec(userArn) : null;
  if (session) {
    const [, partition, account, name] = session;
    for (const [key, role] of principals) {
      const m = ROLE_ARN.exec(key);
      if (m && m[1] === partition && m[2] === account && m[3] === name) {
        return { ok: true, actor: { role, principal } };
      }
    }
  }
  return { ok: false, message: `principal ${principal} has no role`, principal };
}

/**
 * Parses `principal=role,principal=role` (AUTH_PRINCIPALS). A principal is an access key id or an
 * IAM ARN; neither contains `=` or `,`. Throws naming the first bad entry.
 */
export function parsePrincipalRoles(text: string): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.lastIndexOf('=');
    const principal = eq > 0 ? entry.slice(0, eq).trim() : '';
    const role = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (principal === '' || !isRole(role)) {
      throw new Error(`entry "${entry}" must be principal=${ROLES.join('|')}`);
    }
    if (map.has(principal) && map.get(principal) !== role) {
      throw new Error(`entry "${entry}": ${principal} is already mapped to ${map.get(principal)}`);
    }
    map.set(principal, role);
  }
  return map;
}
