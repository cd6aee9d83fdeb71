/**
 * The contract from a client's side: the document and the reference page through the signing
 * proxy, the committed client types against what the schemas generate, and bad input derived
 * from the document answered with the documented error. (Every answer here also goes through the
 * checker in test-app's request(), like every other integration test's.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { addDays } from '../../domain/days';
import { buildOpenApiDocument } from '../../handlers/http/openapi';
import { API_CONTRACT } from '../../handlers/http/api-contract';
import { createApiDocs } from '../../local/api-docs';
import { startSigningProxy, type SigningProxy } from '../../local/signing-proxy';
import { verifySigV4 } from '../../local/sigv4-verifier';
import { injectFault } from '../support/fault-injection';
import { LOCAL_KEYS, keyForRole } from '../../client/local-keys';
import { principalRoles, verifierCredentials } from '../../local/auth-keys';
import { startTestApp, type TestApp } from '../support/test-app';

const doc = buildOpenApiDocument();
const operation = (method: string, path: string) => doc.paths[path]?.[method.toLowerCase()] as any;

describe('through the signing proxy', () => {
  let signed: TestApp;
  let proxy: SigningProxy;
  let docsDir: string;

  beforeAll(async () => {
    docsDir = await mkdtemp(join(tmpdir(), 'api-docs-'));
    const page = join(docsDir, 'index.html');
    await writeFile(page, '<!doctype html><title>reference</title><redoc></redoc>');
    signed = await startTestApp({
      startPoller: false,
      authenticate: (req) =>
        verifySigV4(req, { credentials: verifierCredentials(LOCAL_KEYS), region: 'us-west-2' }),
      config: { AUTH_PRINCIPALS: principalRoles(LOCAL_KEYS) },
      apiDocs: createApiDocs(page),
    });
    // The least of the roles: the contract is for any signed caller, a viewer included.
    const viewer = keyForRole('viewer');
    if (!viewer) throw new Error('no local viewer key');
    proxy = await startSigningProxy({
      port: 0,
      targetUrl: signed.url,
      region: 'us-west-2',
      credentials: { accessKeyId: viewer.accessKeyId, secretAccessKey: viewer.secretAccessKey },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await signed?.stop();
    await rm(docsDir, { recursive: true, force: true });
  });

  it('serves the generated OpenAPI document to a signed caller', async () => {
    const res = await fetch(`${proxy.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(doc);
  });

  it('refuses the document to an unsigned caller, as the function URL does', async () => {
    const res = await signed.request('GET', '/api/openapi.json');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('serves the rendered reference at /api/docs, fetching nothing from elsewhere', async () => {
    const res = await fetch(`${proxy.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<redoc>');
  });
});

it('has committed client types that are what the schemas generate', async () => {
  const run = promisify(execFile);
  const tsx = join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
  await expect(
    run(process.execPath, [tsx, 'scripts/openapi.ts', '--check'], { cwd: join(__dirname, '..', '..') }),
  ).resolves.toBeDefined();
}, 60_000);

describe('bad input the document describes gets the documented error', () => {
  let app: TestApp;
  let cardId: string;

  beforeAll(async () => {
    app = await startTestApp({ startPoller: false });
    const customer = API_CONTRACT['POST /api/admin/customers']!.body!.example;
    const vehicle = API_CONTRACT['POST /api/admin/vehicles']!.body!.example;
    expect((await app.request('POST', '/api/admin/customers', customer)).status).toBe(201);
    expect((await app.request('POST', '/api/admin/vehicles', vehicle)).status).toBe(201);
    const booked = await app.request('POST', '/api/admin/appointments', {
      ...(API_CONTRACT['POST /api/admin/appointments']!.body!.example as object),
    });
    expect(booked.status).toBe(201);
    cardId = booked.body.data.id;
  });
  afterAll(async () => {
    await app?.stop();
  });

  const bodyRoutes = Object.entries(API_CONTRACT).filter(([, r]) => r.body);
  const urlOf = (path: string) => path.replace('{id}', cardId);

  it.each(bodyRoutes.map(([key]) => key))('%s: an unknown field is a 400 naming it', async (key) => {
    const [method, path] = key.split(' ') as [string, string];
    expect(operation(method, path).requestBody.content['application/json'].schema.additionalProperties).toBe(
      false,
    );
    const example = API_CONTRACT[key]!.body!.example as object;
    const res = await app.request(method, urlOf(path), { ...example, x_unknown: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'validation_error',
      details: { x_unknown: 'unknown field' },
    });
  });

  it.each(
    bodyRoutes.flatMap(([key]) => {
      const [method, path] = key.split(' ') as [string, string];
      const required: string[] = operation(method, path).requestBody.content['application/json'].schema
        .required;
      return required.map((field) => [key, field]);
    }),
  )('%s: without required %s is a 400 naming it', async (key, field) => {
    const [method, path] = key.split(' ') as [string, string];
    const { [field]: _omitted, ...rest } = API_CONTRACT[key]!.body!.example as Record<string, unknown>;
    const res = await app.request(method, urlOf(path), rest);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details)).toContain(field);
  });

  it('a wait_ms over its documented maximum is a 400 naming wait_ms', async () => {
    const param = operation('GET', '/api/admin/moves/{move_id}').parameters.find(
      (p: any) => p.name === 'wait_ms',
    );
    const res = await app.request(
      'GET',
      `/api/admin/moves/${randomUUID()}?wait_ms=${param.schema.maximum + 1}`,
    );
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details)).toEqual(['wait_ms']);
  });

  it.each(['/api/admin/appointments/board', '/api/admin/dashboard/stats'])(
    '%s: a range one day over x-max-days is range_too_long, at x-max-days it is served',
    async (path) => {
      const maxDays: number = operation('GET', path)['x-max-days'];
      const from = '2026-01-01';
      const over = await app.request('GET', `${path}?from=${from}&to=${addDays(from, maxDays)}`);
      expect(over.status).toBe(400);
      expect(over.body.error).toMatchObject({ code: 'range_too_long', details: { max_days: maxDays } });
      const atMax = await app.request('GET', `${path}?from=${from}&to=${addDays(from, maxDays - 1)}`);
      expect(atMax.status).toBe(200);
    },
    30_000,
  );

  it('a body over 64 KiB is a 413', async () => {
    const res = await app.request('POST', '/api/admin/customers', { name: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('an undocumented method is a 405 listing the documented ones, an undocumented path a 404', async () => {
    expect((await app.request('DELETE', `/api/admin/appointments/${cardId}`)).status).toBe(405);
    expect((await app.request('GET', '/api/admin/nothing-here')).status).toBe(404);
  });

  it('an unknown status name is a 422, a reused move_id with another body a 409', async () => {
    const unknown = await app.request('POST', `/api/admin/appointments/${cardId}/move`, {
      to_status: 'on_fire',
      expected_version: 1,
    });
    expect(unknown.status).toBe(422);
    expect(Object.keys(unknown.body.error.details)).toEqual(['to_status']);
    const move_id = randomUUID();
    const first = await app.request('POST', `/api/admin/appointments/${cardId}/move`, {
      to_status: 'in_progress',
      expected_version: 1,
      move_id,
    });
    expect(first.status).toBe(202);
    const reused = await app.request('POST', `/api/admin/appointments/${cardId}/move`, {
      to_status: 'canceled',
      expected_version: 1,
      move_id,
    });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });

  it('a move the queue does not confirm is a 503 with Retry-After', async () => {
    const restore = injectFault(
      app.container.sqs,
      (cmd) => cmd === 'SendMessageCommand',
      () => Object.assign(new Error('refused'), { name: 'ServiceUnavailable' }),
    );
    try {
      const res = await app.request('POST', `/api/admin/appointments/${cardId}/move`, {
        to_status: 'canceled',
        expected_version: 1,
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body.error.details).toMatchObject({ status: 'pending' });
    } finally {
      restore();
    }
  });
});
