/**
 * Signing inside artillery: the last beforeRequest hook of every request signs it with
 * client/sigv4.ts (service `lambda`), as an AWS_IAM function URL and the local gateway require.
 * It runs after the hooks before it have fixed the URL and the body: artillery templates URLs and
 * serialises `json:` bodies only after the beforeRequest hooks run, so a signature made earlier
 * would cover bytes that are never sent. With LOADTEST_SIGN=0 requests go out unsigned, for the
 * signing proxy.
 */
import { createFunctionUrlSigner, resolveCredentials, type FunctionUrlSigner } from '../../client/sigv4';
import type { ArtilleryContext, ArtilleryEvents, Next, RequestParams } from './artillery';
import { SETTINGS, explicitCredentials, type Settings } from './settings';

/** One signer per origin and region for the worker's lifetime: a credential chain resolves once. */
const signers = new Map<string, FunctionUrlSigner>();

function signerFor(origin: URL, region: string): FunctionUrlSigner {
  const key = `${origin.origin} ${region}`;
  let signer = signers.get(key);
  if (!signer) {
    signer = createFunctionUrlSigner({
      region,
      credentials: resolveCredentials(origin.href, explicitCredentials()),
    });
    signers.set(key, signer);
  }
  return signer;
}

/**
 * The headers to send for one request, names lower-cased; `body` must be the exact string that
 * will be sent. Signed, they include `host` and the payload hash in x-amz-content-sha256, which
 * the verifier checks against the bytes it receives.
 */
export async function signedHeaders(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  opts: Pick<Settings, 'sign' | 'region'> = SETTINGS,
): Promise<Record<string, string>> {
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = String(v);
  if (!opts.sign) return lower;
  const u = new URL(url);
  const signed = await signerFor(u, opts.region).sign({
    method,
    origin: u,
    path: u.pathname,
    rawQuery: u.search.slice(1),
    headers: lower,
    ...(body ? { body } : {}),
  });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed)) out[k.toLowerCase()] = String(v);
  return out;
}

/** `{{ name }}` in a URL from the scenario's variables (artillery would do it only after signing). */
export function resolveUrl(url: string, vars: Record<string, unknown>): string {
  return url.replace(/\{\{\s*([\w$]+)\s*\}\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined || value === null) throw new Error(`URL variable "${name}" is not set`);
    return encodeURIComponent(String(value));
  });
}

async function signRequest(requestParams: RequestParams, context: ArtilleryContext): Promise<void> {
  const url = resolveUrl(requestParams.url, context.vars);
  let body: string | undefined;
  if (requestParams.json !== undefined) {
    body = JSON.stringify(requestParams.json);
    delete requestParams.json;
    requestParams.body = body;
  } else if (typeof requestParams.body === 'string') {
    body = requestParams.body;
  }
  const headers = { ...(requestParams.headers ?? {}) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  requestParams.url = url;
  requestParams.headers = await signedHeaders(requestParams.method, url, headers, body);
}

/**
 * The last beforeRequest hook of every request: fixes URL and body, then signs. A callback hook
 * (not `async`), so callers in artillery's style and artillery itself drive it the same way.
 */
export function sign(
  requestParams: RequestParams,
  context: ArtilleryContext,
  _events: ArtilleryEvents,
  next: Next,
) {
  signRequest(requestParams, context).then(() => next(), next);
}
