/**
 * A test app behind the real SigV4 verifier with the three local keys (and one key that has no
 * role), the API mapping each key to its role as `npm start` does, and a signed client per key.
 */
import { ApiClient } from '../../client/api-client';
import { LOCAL_KEYS } from '../../client/local-keys';
import type { Role } from '../../domain/roles';
import { principalRoles, verifierCredentials } from '../../local/auth-keys';
import { verifySigV4 } from '../../local/sigv4-verifier';
import { contractChecker } from './openapi-contract';
import { startTestApp, type TestApp } from './test-app';

/**
 * The signed clients' answers are checked against the OpenAPI document too, as test-app's request()
 * checks every other integration test's (openapi-contract.ts).
 */
function checkedAgainstTheContract(api: ApiClient): ApiClient {
  const request = api.request.bind(api);
  api.request = async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => {
    const res = await request<T>(method, path, body, headers);
    contractChecker().assert(method, path, {
      status: res.status,
      headers: new Headers(res.headers),
      body: res.body,
      text: res.text,
    });
    return res;
  };
  return api;
}

const REGION = 'us-west-2';
/** A valid signature from a principal the API gives no role. */
export const NO_ROLE_KEY = { accessKeyId: 'LOCALNOBODY', secretAccessKey: 'localnobody-secret' };

export interface SignedApp {
  app: TestApp;
  as: Record<Role, ApiClient>;
  nobody: ApiClient;
}

export async function startSignedApp(opts: Parameters<typeof startTestApp>[0] = {}): Promise<SignedApp> {
  const credentials = {
    ...verifierCredentials(LOCAL_KEYS),
    [NO_ROLE_KEY.accessKeyId]: NO_ROLE_KEY.secretAccessKey,
  };
  const app = await startTestApp({
    ...opts,
    authenticate: (req) => verifySigV4(req, { credentials, region: REGION }),
    config: { AUTH_PRINCIPALS: principalRoles(LOCAL_KEYS), AUTH_UNSIGNED_ROLE: undefined, ...opts.config },
  });
  const client = (key: { accessKeyId: string; secretAccessKey: string }) =>
    checkedAgainstTheContract(
      new ApiClient({ baseUrl: app.url, sign: { region: REGION, service: 'lambda', ...key } }),
    );
  const as = Object.fromEntries(LOCAL_KEYS.map((k) => [k.role, client(k)])) as Record<Role, ApiClient>;
  return { app, as, nobody: client(NO_ROLE_KEY) };
}

/** Every history entry of a card, following next_cursor page by page (newest first). */
export async function allHistory(api: ApiClient, id: string, limit = 3) {
  const entries: Array<
    { version: number; kind: string; by: { role: string; principal: string } } & Record<string, unknown>
  > = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await api.request<any>('GET', `/api/admin/appointments/${id}/history?${query}`);
    if (res.status !== 200 || !res.body?.ok) throw new Error(`history: ${res.status} ${res.text}`);
    entries.push(...res.body.data.entries);
    cursor = res.body.data.next_cursor;
    if (!cursor) return entries;
  }
  throw new Error('history: more than 1000 pages');
}
