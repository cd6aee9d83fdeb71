/**
 * The operator scripts, run in-process against a test app with SigV4 auth on (as `npm start` runs
 * it) and a signing proxy in front, plus the gateway + proxy path end to end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { BoardItem } from '../../domain/appointment';
import { addDays } from '../../domain/days';
import { STATUSES } from '../../domain/status';
import { createSqsClient } from '../../infra/aws-clients';
import { writeEndpointsFile } from '../../local/endpoints-file';
import { createLogger } from '../../infra/logger';
import { startSigningProxy, type SigningProxy } from '../../local/signing-proxy';
import { verifySigV4 } from '../../local/sigv4-verifier';
import { run as healthCheck } from '../../scripts/health-check';
import { ApiClient } from '../../client/api-client';
import { LOCAL_CREDENTIALS } from '../../client/sigv4';
import type { ScriptIo } from '../../scripts/lib/cli';
import { run as seed, SEED_SLOTS } from '../../scripts/seed';
import { run as smoke } from '../../scripts/smoke';
import { run as uatData } from '../../scripts/uat-data';
import { LOCAL_KEYS } from '../../client/local-keys';
import { principalRoles, verifierCredentials } from '../../local/auth-keys';
import { startTestApp, type TestApp } from '../support/test-app';

const REGION = 'us-west-2';
const today = new Date().toISOString().slice(0, 10);

let app: TestApp;
let proxy: SigningProxy;
/** A proxy that signs as the local viewer, for smoke's viewer check. */
let viewerProxy: SigningProxy;
let emptyDataDir: string;
/** The API's own log lines (JSON), to see what the handler saw. */
const apiLog: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  emptyDataDir = await mkdtemp(join(tmpdir(), 'scripts-data-'));
  app = await startTestApp({
    authenticate: (req) => verifySigV4(req, { credentials: verifierCredentials(LOCAL_KEYS), region: REGION }),
    config: { AUTH_PRINCIPALS: principalRoles(LOCAL_KEYS) },
    overrides: { log: createLogger({}, 'info', (line) => apiLog.push(JSON.parse(line))) },
  });
  proxy = await startSigningProxy({
    port: 0,
    targetUrl: app.url,
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const viewerKey = LOCAL_KEYS.find((k) => k.role === 'viewer') as (typeof LOCAL_KEYS)[number];
  viewerProxy = await startSigningProxy({
    port: 0,
    targetUrl: app.url,
    region: REGION,
    credentials: { accessKeyId: viewerKey.accessKeyId, secretAccessKey: viewerKey.secretAccessKey },
  });
});
afterAll(async () => {
  await proxy?.close();
  await viewerProxy?.close();
  await app?.stop();
  await rm(emptyDataDir, { recursive: true, force: true });
});

/**
 * Collects a script's output; the environment is empty (but for an empty DATA_DIR, so no
 * endpoints file of a developer's npm start is found) so nothing leaks in from the shell.
 */
function captureIo(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ScriptIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { DATA_DIR: emptyDataDir, ...env },
  };
  return { io, out, err, text: () => [...out, ...err].join('\n') };
}

const api = () => new ApiClient({ baseUrl: proxy.url });

/** Every card on the board of the range, all columns together. */
async function boardItems(from: string, to = from): Promise<BoardItem[]> {
  const res = await api().board({ from, to });
  if (!res.body?.ok) throw new Error(`board: ${res.status} ${res.text}`);
  return Object.values(res.body.data.columns).flatMap((c) => c.items);
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return port;
}

describe('npm run smoke', () => {
  it('passes every check through the signing proxy', async () => {
    const { io, out, text } = captureIo();

    const code = await smoke(['--base-url', proxy.url, '--viewer-url', viewerProxy.url], io);

    expect({ code, output: text() }).toMatchObject({ code: 0 });
    expect(out.filter((l) => l.startsWith('ok '))).toHaveLength(10);
    expect(out.find((l) => l.includes('viewer may not move'))).toContain(
      'role viewer may not POST /api/admin/appointments/{id}/move',
    );
    expect(out.at(-1)).toBe('smoke: all 10 checks passed');
  });

  it('passes every check when it signs its own requests to the gateway, as the local viewer for the viewer check', async () => {
    const { io, out, text } = captureIo();

    const code = await smoke(['--base-url', app.url, '--sign'], io);

    expect({ code, output: text() }).toMatchObject({ code: 0 });
    expect(out.find((l) => l.includes('viewer may not move'))).toContain('role viewer may not');
  });

  it('fails the viewer check when the "viewer" may move after all', async () => {
    const { io, out } = captureIo();

    const code = await smoke(['--base-url', proxy.url, '--viewer-url', proxy.url], io);

    expect(code).toBe(1);
    expect(out.at(-1)).toMatch(/^FAIL\s+viewer may not move .*expected 403 forbidden, got 202/);
  });

  it('fails at healthz with the reason when nothing listens at the base URL', async () => {
    const { io, out, err } = captureIo();
    const url = `http://127.0.0.1:${await closedPort()}`;

    const code = await smoke(['--base-url', url], io);

    expect(code).toBe(1);
    expect(out.at(-1)).toMatch(/^FAIL\s+healthz/);
    expect(err.join('\n')).toMatch(/could not reach http:\/\/127\.0\.0\.1:\d+\/healthz: ECONNREFUSED/);
  });

  it('fails with the gateway refusal when it sends unsigned requests to the gateway', async () => {
    const { io, err } = captureIo();

    const code = await smoke(['--base-url', app.url], io);

    expect(code).toBe(1);
    expect(err.join('\n')).toContain(
      '403 forbidden: request signature rejected: missing Authorization header',
    );
  });

  it('exits 2 on an unknown option', async () => {
    const { io, err } = captureIo();

    await expect(smoke(['--base-url', proxy.url, '--frobnicate'], io)).resolves.toBe(2);
    expect(err.join('\n')).toContain("Unknown option '--frobnicate'");
  });
});

describe('npm run seed', () => {
  const tomorrow = addDays(today, 1);
  const seeded = async () =>
    (await boardItems(tomorrow))
      .filter((i) => i.customer_id === '1')
      .sort((a, b) => (a.appt_start < b.appt_start ? -1 : 1));

  it('creates customer 1, vehicle 1 and the five appointments of tomorrow, then nothing on a second run', async () => {
    const first = captureIo();
    await expect(seed(['--base-url', proxy.url], first.io)).resolves.toBe(0);
    const afterFirst = await seeded();

    const second = captureIo();
    await expect(seed(['--base-url', proxy.url], second.io)).resolves.toBe(0);
    const afterSecond = await seeded();

    expect(first.out.at(-1)).toBe('seed: done, 7 created, 0 already there');
    expect(
      afterFirst.map((i) => [
        i.appt_start.slice(11, 16),
        i.appt_end.slice(11, 16),
        i.service_codes,
        i.vehicle_id,
      ]),
    ).toEqual(SEED_SLOTS.map(([hour, service]) => [`${hour}:00`, `${hour + 1}:00`, [service], '1']));
    expect(second.out.at(-1)).toBe('seed: done, 0 created, 7 already there');
    expect(afterSecond.map((i) => i.id)).toEqual(afterFirst.map((i) => i.id));
  });
});

describe('npm run uat-data', () => {
  const args = ['--customers', '3', '--days', '2', '--seed', '42'];
  const cards = async () =>
    (await boardItems(today, addDays(today, 1))).filter((i) => i.customer_id.startsWith('uat-42-'));

  it('fills every status through real moves, and a second run adds and moves nothing', async () => {
    const first = captureIo();
    await expect(uatData(['--base-url', proxy.url, ...args], first.io)).resolves.toBe(0);
    const afterFirst = await cards();

    const second = captureIo();
    await expect(uatData(['--base-url', proxy.url, ...args], second.io)).resolves.toBe(0);
    const afterSecond = await cards();

    expect(new Set(afterFirst.map((i) => i.status))).toEqual(new Set(STATUSES));
    expect(afterFirst.filter((i) => i.status !== 'scheduled').every((i) => i.version > 1)).toBe(true);
    expect(first.err.some((l) => l.startsWith('uat-data: appointments 100%'))).toBe(true);
    // 6 cards round-robin over 3 technicians and nobody: t1 and t2 get two, t3 one, one stays unassigned.
    const technicians = ['uat-42-t1', 'uat-42-t2', 'uat-42-t3'];
    const given = afterFirst.map((i) => i.technician_id).sort();
    expect(given).toEqual([null, ...technicians.slice(0, 2).flatMap((t) => [t, t]), technicians[2]].sort());
    expect(afterFirst.every((i) => (i.technician_id === null) === (i.technician_name === null))).toBe(true);
    expect(first.out).toEqual(
      expect.arrayContaining([
        'technicians   3 created, 0 already there',
        'assigned      5 card(s) given their technician',
      ]),
    );
    expect(second.out).toEqual(
      expect.arrayContaining([
        'technicians   0 created, 3 already there',
        'assigned      0 card(s) given their technician',
        'customers     0 created, 3 already there',
        'appointments  0 created, 6 already there',
        expect.stringMatching(/^moves {9}0 applied, 6 card\(s\) already in place/),
      ]),
    );
    const view = (items: BoardItem[]) =>
      items
        .map((i) => ({ id: i.id, status: i.status, version: i.version, technician_id: i.technician_id }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(view(afterSecond)).toEqual(view(afterFirst));
  });
});

describe('npm run health-check', () => {
  const queueArgs = () => [
    '--move-queue-url',
    app.config.MOVE_QUEUE_URL,
    '--dlq-url',
    app.config.DLQ_URL,
    '--sqs-endpoint',
    app.config.SQS_ENDPOINT as string,
  ];
  const row = (out: string[], check: string) => out.find((l) => l.startsWith(`${check}  `)) ?? '';

  // Latency limits far above any machine's: this checks the probe's plumbing, not how fast the
  // machine running the tests is (that is npm run bench's and npm run loadtest's job).
  const generousSlos = ['--board-slo-ms', '60000', '--stats-slo-ms', '60000'];

  it('reports every check ok against the app and its queues', async () => {
    const { io, out, text } = captureIo();

    const code = await healthCheck(
      ['--base-url', proxy.url, '--samples', '3', ...generousSlos, ...queueArgs()],
      io,
    );

    expect({ code, output: text() }).toMatchObject({ code: 0 });
    for (const check of ['healthz', 'board p95', 'stats p95', 'dlq depth', 'move backlog']) {
      expect(row(out, check)).toMatch(/ ok$/);
    }
    expect(row(out, 'board p95')).toMatch(/p50 \d+ ms, p95 \d+ ms \(3 samples\)/);
    expect(row(out, 'oldest move age')).toMatch(/ skipped$/);
  });

  it('fails a latency check whose p95 is over its limit, and shows the limit', async () => {
    const { io, out } = captureIo();

    const code = await healthCheck(
      ['--base-url', proxy.url, '--samples', '2', '--board-slo-ms', '60000', '--stats-slo-ms', '0'],
      io,
    );

    expect(code).toBe(1);
    expect(row(out, 'board p95')).toMatch(/p95 <= 60000 ms +ok$/);
    expect(row(out, 'stats p95')).toMatch(/p95 <= 0 ms +FAIL$/);
  });

  it('skips the queue checks without queue URLs and still passes', async () => {
    const { io, out } = captureIo();

    const code = await healthCheck(['--base-url', proxy.url, '--samples', '1', ...generousSlos], io);

    expect(code).toBe(0);
    expect(row(out, 'dlq depth')).toMatch(/no DLQ URL .* skipped$/);
    expect(row(out, 'move backlog')).toMatch(/ skipped$/);
  });

  it('reads the queue URLs and the SQS endpoint from the environment', async () => {
    const { io, out } = captureIo({
      MOVE_QUEUE_URL: app.config.MOVE_QUEUE_URL,
      DLQ_URL: app.config.DLQ_URL,
      SQS_ENDPOINT: app.config.SQS_ENDPOINT,
    });

    await expect(healthCheck(['--base-url', proxy.url, '--samples', '1', ...generousSlos], io)).resolves.toBe(
      0,
    );
    expect(row(out, 'dlq depth')).toMatch(/0 message\(s\) .* ok$/);
  });

  describe('with the endpoints file of npm start', () => {
    const endpoints = (pid: number) => ({
      region: REGION,
      api_url: app.url,
      proxy_url: proxy.url,
      dynamodb_endpoint: app.config.DYNAMODB_ENDPOINT as string,
      sqs_endpoint: app.config.SQS_ENDPOINT as string,
      table_name: app.config.TABLE_NAME,
      move_queue_url: app.config.MOVE_QUEUE_URL,
      dlq_url: app.config.DLQ_URL,
      pid,
      started_at: new Date().toISOString(),
    });
    let dataDir: string;
    beforeEach(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'health-stack-'));
    });
    afterEach(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('checks the queues of the running local stack when no queue URL is given', async () => {
      await writeEndpointsFile(dataDir, endpoints(process.pid));
      const { io, out, text } = captureIo({ DATA_DIR: dataDir });

      const code = await healthCheck(['--base-url', proxy.url, '--samples', '1', ...generousSlos], io);

      expect({ code, output: text() }).toMatchObject({ code: 0 });
      expect(text()).toContain(`queues of the local stack in ${join(dataDir, 'endpoints.json')}`);
      expect(row(out, 'dlq depth')).toMatch(/0 message\(s\) .* ok$/);
      expect(row(out, 'move backlog')).toMatch(/ ok$/);
    });

    it('exits 2 naming the pid when the stack that wrote the file is not running', async () => {
      const exited = spawnSync(process.execPath, ['-e', '']).pid;
      await writeEndpointsFile(dataDir, endpoints(exited));
      const { io, text } = captureIo({ DATA_DIR: dataDir });

      const code = await healthCheck(['--base-url', proxy.url, '--samples', '1'], io);

      expect(code).toBe(2);
      expect(text()).toContain(
        `the local stack that wrote ${join(dataDir, 'endpoints.json')} (pid ${exited}) is not running; ` +
          'start it with npm start or give --move-queue-url and --dlq-url',
      );
    });

    it('prefers queue URLs given explicitly over the file', async () => {
      const exited = spawnSync(process.execPath, ['-e', '']).pid;
      await writeEndpointsFile(dataDir, endpoints(exited));
      const { io, out } = captureIo({ DATA_DIR: dataDir });

      const code = await healthCheck(
        ['--base-url', proxy.url, '--samples', '1', ...generousSlos, ...queueArgs()],
        io,
      );

      expect(code).toBe(0);
      expect(row(out, 'dlq depth')).toMatch(/ ok$/);
    });
  });

  it('fails when the dead-letter queue holds a message', async () => {
    // A DLQ of its own, so the other tests keep an empty one.
    const other = await startTestApp({ startPoller: false });
    const sqs = createSqsClient({ region: REGION, endpoint: other.config.SQS_ENDPOINT });
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: other.config.DLQ_URL,
          MessageBody: '{}',
          MessageGroupId: 'a1',
          MessageDeduplicationId: 'dead-1',
        }),
      );
      const { io, out } = captureIo();

      const code = await healthCheck(
        [
          '--base-url',
          proxy.url,
          '--samples',
          '1',
          '--dlq-url',
          other.config.DLQ_URL,
          '--sqs-endpoint',
          other.config.SQS_ENDPOINT as string,
        ],
        io,
      );

      expect(code).toBe(1);
      expect(row(out, 'dlq depth')).toMatch(/1 message\(s\).* FAIL$/);
    } finally {
      sqs.destroy();
      await other.stop();
    }
  });

  it('exits 2 when an option is invalid', async () => {
    const { io, err } = captureIo();

    await expect(healthCheck(['--samples', '0'], io)).resolves.toBe(2);
    expect(err[0]).toContain('--samples must be an integer from 1 to 1000');
  });
});

describe('the gateway with SigV4 auth and the signing proxy', () => {
  const day = addDays(today, 40);
  const appointment = {
    customer_id: 'e2e-c1',
    vehicle_id: 'e2e-v1',
    appt_start: `${day}T10:00:00Z`,
    appt_end: `${day}T11:00:00Z`,
    service_codes: ['OIL001'],
  };

  beforeAll(async () => {
    await api().createCustomer({ id: 'e2e-c1', name: 'Edge Case' });
    await api().createVehicle({ id: 'e2e-v1', customer_id: 'e2e-c1', make: 'Ford', model: 'Focus' });
  });

  it('refuses an unsigned request with 403 before any handler runs', async () => {
    const unsigned = new ApiClient({ baseUrl: app.url });

    const res = await unsigned.createAppointment(appointment);

    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: expect.stringContaining('missing Authorization header'),
        details: {},
      },
    });
    expect(await boardItems(day)).toEqual([]);
  });

  it('accepts the same request through the proxy, and the handler sees the signing caller', async () => {
    const logged = apiLog.length;

    const res = await api().createAppointment(appointment);

    expect(res.status).toBe(201);
    const id = res.body?.ok ? res.body.data.id : '';
    expect((await boardItems(day)).map((i) => i.id)).toEqual([id]);
    // The handler logs each accepted write with requestContext.authorizer.iam's user ARN.
    expect(apiLog.slice(logged)).toContainEqual(
      expect.objectContaining({
        msg: 'write',
        method: 'POST',
        path: '/api/admin/appointments',
        status: 201,
        caller: 'LOCALDEV',
        role: 'admin',
      }),
    );
  });
});
