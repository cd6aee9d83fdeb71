/**
 * The OpenAPI document against the code: the router's routes and the document's operations both
 * ways, the limits and strict bodies the handlers enforce, the examples, the generated types, and
 * the checker every integration test's answers go through.
 */
import { router } from '../../handlers/http/routes';
import { API_CONTRACT } from '../../handlers/http/api-contract';
import { buildOpenApiDocument } from '../../handlers/http/openapi';
import {
  createAppointmentSchema,
  createCustomerSchema,
  createVehicleSchema,
  patchAppointmentSchema,
  submitMoveSchema,
} from '../../domain/schemas';
import { SEED_CUSTOMER, SEED_VEHICLE } from '../../scripts/seed';
import { ContractChecker } from '../support/openapi-contract';
import pkg from '../../package.json';

const doc = buildOpenApiDocument();
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op: op as any })),
);
const op = (key: string) => operations.find((o) => o.key === key)?.op;

describe('the OpenAPI document', () => {
  it('documents every route of the router', () => {
    const documented = operations.map((o) => o.key);
    const missing = router
      .list()
      .map((r) => `${r.method} ${r.path}`)
      .filter((k) => !documented.includes(k));
    expect(missing).toEqual([]);
  });

  it('documents no operation the router does not serve', () => {
    const served = router.list().map((r) => `${r.method} ${r.path}`);
    expect(operations.map((o) => o.key).filter((k) => !served.includes(k))).toEqual([]);
    // And each documented path resolves to a route rather than a 404 or 405.
    for (const { key } of operations) {
      const [method, path] = key.split(' ') as [string, string];
      expect(() => router.resolve(method, path.replace(/\{[^}]+\}/g, 'x1'))).not.toThrow();
    }
  });

  it('is OpenAPI 3.1 with the version of package.json and the SigV4 scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect((doc.info as any).version).toBe(pkg.version);
    expect(doc.security).toEqual([{ sigv4: [] }]);
    expect((doc.components as any).securitySchemes.sigv4).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
    });
  });

  it('gives every operation an operationId, the signature 403 and the 500', () => {
    for (const { key, op: o } of operations) {
      expect([key, typeof o.operationId]).toEqual([key, 'string']);
      expect([key, Object.keys(o.responses)]).toEqual([key, expect.arrayContaining(['403', '429', '500'])]);
    }
  });

  it('marks every request body strict and documents its 400 and 413', () => {
    const withBody = operations.filter((o) => o.op.requestBody);
    expect(withBody.map((o) => o.key)).toHaveLength(6);
    for (const { key, op: o } of withBody) {
      const schema = o.requestBody.content['application/json'].schema;
      expect([key, schema.additionalProperties]).toEqual([key, false]);
      expect([key, Object.keys(o.responses)]).toEqual([key, expect.arrayContaining(['400', '413'])]);
    }
  });

  it('states the limits the handlers enforce', () => {
    const waitMs = op('GET /api/admin/moves/{move_id}').parameters.find((p: any) => p.name === 'wait_ms');
    expect(waitMs.schema).toMatchObject({ type: 'integer', minimum: 0, maximum: 10_000 });
    const range = (key: string) =>
      op(key)
        .parameters.filter((p: any) => p.in === 'query')
        .map((p: any) => [p.name, p.required, p.schema.format]);
    const days = [
      ['date', false, 'date'],
      ['from', false, 'date'],
      ['to', false, 'date'],
    ];
    expect(range('GET /api/admin/dashboard/stats')).toEqual(days);
    expect(range('GET /api/admin/appointments/board').sort()).toEqual(
      [...days, ['technician_id', false, undefined]].sort(),
    );
    expect(op('GET /api/admin/appointments/board').description).toContain('31 days');
    expect(op('GET /api/admin/dashboard/stats').description).toContain('366 days');
  });

  it('names the headers that matter on the answers that carry them', () => {
    const headers = (key: string, status: number) => Object.keys(op(key).responses[status].headers ?? {});
    expect(headers('GET /api/admin/appointments/board', 200)).toEqual(['ETag']);
    expect(headers('GET /api/admin/appointments/board', 304)).toEqual(['ETag']);
    expect(headers('POST /api/admin/appointments', 201)).toEqual(['Location']);
    expect(headers('POST /api/admin/appointments/{id}/move', 202)).toEqual(['Location']);
    expect(headers('POST /api/admin/appointments/{id}/move', 503)).toEqual(['Retry-After']);
  });

  it('has examples the request schemas accept, taken from the seed runbook', () => {
    const schemas: Record<string, { safeParse(v: unknown): { success: boolean } }> = {
      'POST /api/admin/customers': createCustomerSchema,
      'POST /api/admin/vehicles': createVehicleSchema,
      'POST /api/admin/appointments': createAppointmentSchema,
      'PATCH /api/admin/appointments/{id}': patchAppointmentSchema,
      'POST /api/admin/appointments/{id}/move': submitMoveSchema,
    };
    for (const [key, schema] of Object.entries(schemas)) {
      expect([key, schema.safeParse(API_CONTRACT[key]?.body?.example).success]).toEqual([key, true]);
    }
    expect(API_CONTRACT['POST /api/admin/customers']?.body?.example).toEqual(SEED_CUSTOMER);
    expect(API_CONTRACT['POST /api/admin/vehicles']?.body?.example).toEqual(SEED_VEHICLE);
  });
});

describe('ContractChecker', () => {
  const checker = new ContractChecker(doc);
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers: new Headers(headers),
    body,
    text: body === undefined ? '' : JSON.stringify(body),
  });
  const service = { code: 'OIL001', name: 'Oil change', price_cents: 4999, duration_minutes: 45 };
  const notFound = { ok: false, error: { code: 'not_found', message: 'no', details: {} } };

  it('accepts an answer the document describes', () => {
    expect(
      checker.problems('GET', '/api/admin/services', answer(200, { ok: true, data: [service] })),
    ).toEqual([]);
  });

  it('refuses a status the operation does not document', () => {
    expect(checker.problems('GET', '/api/admin/services', answer(404, notFound))).toEqual([
      expect.stringContaining('answered 404, not documented'),
    ]);
  });

  it('refuses a body that does not match, naming the field', () => {
    const body = { ok: true, data: [{ ...service, price_cents: '49.99' }] };
    expect(checker.problems('GET', '/api/admin/services', answer(200, body))).toEqual([
      expect.stringContaining('body/data/0/price_cents must be integer'),
    ]);
  });

  it('refuses an error code the answer does not document', () => {
    const body = { ok: false, error: { code: 'already_exists', message: 'x', details: {} } };
    expect(checker.problems('GET', '/api/admin/appointments/a1', answer(404, body))).not.toEqual([]);
  });

  it('refuses an answer without a header the document names', () => {
    const appt = JSON.parse(JSON.stringify(op('GET /api/admin/appointments/board').responses[304]));
    expect(appt.headers.ETag).toBeDefined();
    expect(
      checker.problems('GET', '/api/admin/appointments/board?date=2026-01-01', answer(304, undefined)),
    ).toEqual(['header ETag is documented but missing']);
  });

  it('holds undocumented paths to 404 and other methods to 405 with the documented methods', () => {
    const notAllowed = (allowed: string[]) => ({
      ok: false,
      error: { code: 'method_not_allowed', message: 'no', details: { allowed } },
    });
    expect(checker.problems('GET', '/api/nowhere', answer(404, notFound))).toEqual([]);
    expect(checker.problems('GET', '/api/nowhere', answer(200, { ok: true, data: 1 }))).not.toEqual([]);
    expect(
      checker.problems('DELETE', '/api/admin/appointments/a1', answer(405, notAllowed(['GET', 'PATCH']))),
    ).toEqual([]);
    expect(
      checker.problems('DELETE', '/api/admin/appointments/a1', answer(405, notAllowed(['GET']))),
    ).toEqual(['405 allows GET; the document has GET,PATCH']);
  });
});
