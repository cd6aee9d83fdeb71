/**
 * The signing proxy acts as the role it is told to: `PROXY_ROLE` of `npm start` and of
 * `npm run proxy` picks which local key it signs with, and the API then treats every request
 * through it as that role.
 */
import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../../domain/roles';
import { loadLocalConfig } from '../../local/local-config';
import { startLocalStackFromConfig, type RunningStack } from '../../local/run-local-stack';
import { startProxyFromEnv } from '../../scripts/proxy';
import { localServices } from '../support/test-app';

async function startStack(proxyRole: Role): Promise<RunningStack> {
  const services = localServices();
  const config = loadLocalConfig({
    PORT: '0',
    PROXY_PORT: '0',
    HOST: '127.0.0.1',
    AUTH: 'iam',
    SEED: 'none',
    PROXY_ROLE: proxyRole,
    TABLE_NAME: `proxy-roles-${randomUUID().slice(0, 8)}`,
    AWS_REGION: services.region,
    DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
    SQS_ENDPOINT: services.sqsEndpoint,
    LOG_LEVEL: 'silent',
    METRICS_SINK: 'off',
    SWEEP_INTERVAL_MS: '0',
  });
  return startLocalStackFromConfig(config, { inMemory: true, verbose: false });
}

async function roleThrough(proxyUrl: string): Promise<string> {
  const res = await fetch(`${proxyUrl}/api/me`);
  const body = (await res.json()) as { data?: { role: string } };
  return body.data?.role ?? `HTTP ${res.status}`;
}

describe.each(ROLES)('PROXY_ROLE=%s', (role) => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack(role);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('makes npm start’s proxy sign as that role', async () => {
    expect(await roleThrough(stack.proxyUrl ?? '')).toBe(role);
  });

  it('makes npm run proxy sign as that role', async () => {
    const { proxy } = await startProxyFromEnv({
      TARGET_URL: stack.apiUrl,
      PROXY_PORT: '0',
      PROXY_ROLE: role,
    });
    try {
      expect(await roleThrough(proxy.url)).toBe(role);
    } finally {
      await proxy.close();
    }
  });

  it(
    role === 'viewer' ? 'refuses a move through it (403 naming the role)' : 'lets a move through it',
    async () => {
      const res = await fetch(`${stack.proxyUrl}/api/admin/appointments/nope/move`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to_status: 'in_progress', expected_version: 1 }),
      });
      const body = (await res.json()) as { error?: { code: string; details: Record<string, unknown> } };
      if (role === 'viewer') {
        expect(res.status).toBe(403);
        expect(body.error).toMatchObject({
          code: 'forbidden',
          details: { role: 'viewer', required: 'staff' },
        });
      } else {
        // Past the role check: the card does not exist.
        expect(res.status).toBe(404);
      }
    },
  );
});
