/**
 * A fresh app for one test file: its own table and queues on the shared local services, the
 * real handlers behind the local gateway, and the real poller driving the worker.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceConfig } from '../../infra/config';
import { provision, startLocalApp, type LocalApp, type LocalAppOptions } from '../../local/stack';
import { contractChecker } from './openapi-contract';

export function localServices() {
  const dynamodbEndpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  const sqsEndpoint = process.env.TEST_SQS_ENDPOINT;
  if (!dynamodbEndpoint || !sqsEndpoint) {
    throw new Error(
      'local services are not running: test/global-setup.ts did not run (a test that needs them ' +
        'belongs in test/integration or test/web, whose jest projects run it; the unit project does not)',
    );
  }
  return { region: process.env.TEST_REGION ?? 'us-west-2', dynamodbEndpoint, sqsEndpoint };
}

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApp extends LocalApp {
  config: ServiceConfig & { DLQ_URL: string };
  url: string;
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResponse<T>>;
}

export async function startTestApp(
  opts: LocalAppOptions & { visibilityTimeoutSeconds?: number; config?: Partial<ServiceConfig> } = {},
): Promise<TestApp> {
  const id = randomUUID().slice(0, 8);
  const visibilityTimeoutSeconds = opts.visibilityTimeoutSeconds ?? 2;
  const config = await provision(
    localServices(),
    {
      TABLE_NAME: `test-${id}`,
      LOG_LEVEL: 'silent',
      METRICS_SINK: 'off',
      // Most tests send unsigned requests to test everything but roles; role tests sign theirs.
      AUTH_UNSIGNED_ROLE: 'admin',
      ...opts.config,
    },
    { queuePrefix: `t${id}-`, visibilityTimeoutSeconds },
  );
  // Short long-polls: the emulator keeps a pending receive's timer after its client aborts. The
  // worker timeout is the longest AWS allows for the queue (its visibility timeout), so a slow
  // machine does not time out batches that AWS's 1:6 ratio would.
  const app = await startLocalApp(config, {
    pollers: 2,
    pollWaitSeconds: 1,
    workerTimeoutSeconds: visibilityTimeoutSeconds,
    ...opts,
  });
  const url = app.gateway.url;
  return {
    ...app,
    config,
    url,
    async request(method, path, body, headers = {}) {
      const res = await fetch(url + path, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      const answer = { status: res.status, headers: res.headers, body: parsed as never, text };
      // Every answer a test sees is checked against the OpenAPI document (openapi-contract.ts).
      contractChecker().assert(method, path, answer);
      return answer;
    },
  };
}

/** Polls `probe` until it returns a value, within a bound. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
