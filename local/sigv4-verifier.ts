/**
 * Local stand-in for the AWS_IAM auth of a Lambda function URL: verifies an AWS Signature Version 4
 * `Authorization` header the way AWS does, so the local gateway refuses what production would refuse.
 * Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 *
 * It closes the holes common in npm SigV4 verifiers: the signature is compared in
 * constant time, the date must be within a skew window, the payload hash is computed from the body
 * actually received (a client-sent x-amz-content-sha256 is only checked against it), region and service
 * are pinned, and `host` must be signed.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  method: string;
  /** Raw path as received (still percent-encoded), without the query. */
  path: string;
  /** Raw query string as received, without the leading '?'. */
  rawQuery: string;
  /** Node's IncomingMessage headers: names lower-cased. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface VerifierOptions {
  /** accessKeyId -> secret access key */
  credentials: Record<string, string>;
  region: string;
  /** Service in the credential scope; Lambda function URLs are signed for 'lambda'. */
  service?: string;
  /** Allowed distance between x-amz-date and server time; AWS allows 5 minutes. */
  maxSkewMs?: number;
  now?: () => Date;
}

export type VerifyResult =
  | {
      ok: true;
      caller: { accessKey: string; accountId: string; callerId: string; userArn: string; userId: string };
    }
  | { ok: false; reason: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SCOPE_TERMINATOR = 'aws4_request';
const DEFAULT_SERVICE = 'lambda';
const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;
/** There is no IAM locally; callers get a fixed fake account so code reading requestContext.authorizer works. */
const LOCAL_ACCOUNT_ID = '000000000000';
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SCOPE_DATE_PATTERN = /^\d{8}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;
/** RFC 9110 token characters, lower-case only: SigV4 requires lower-cased signed header names. */
const SIGNED_HEADER_NAME_PATTERN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

interface ParsedAuthorization {
  accessKey: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

export function verifySigV4(req: SignedRequest, opts: VerifierOptions): VerifyResult {
  const service = opts.service ?? DEFAULT_SERVICE;
  const maxSkewMs = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;

  const authorization = headerValue(req.headers, 'authorization');
  if (authorization === undefined) return fail('missing Authorization header');
  const parsed = parseAuthorization(authorization);
  if (!parsed.ok) return parsed;
  const auth = parsed.value;

  if (auth.region !== opts.region) {
    return fail(
      `credential scope region "${auth.region}" does not match this endpoint's region "${opts.region}"`,
    );
  }
  if (auth.service !== service) {
    return fail(`credential scope service "${auth.service}" does not match "${service}"`);
  }
  for (const required of ['host', 'x-amz-date']) {
    if (!auth.signedHeaders.includes(required)) return fail(`SignedHeaders must include ${required}`);
  }

  const amzDate = headerValue(req.headers, 'x-amz-date');
  if (amzDate === undefined) return fail('missing x-amz-date header');
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return fail(`x-amz-date "${amzDate}" is not in the form YYYYMMDDTHHMMSSZ`);
  if (auth.scopeDate !== amzDate.slice(0, 8)) {
    return fail(`credential scope date ${auth.scopeDate} does not match x-amz-date ${amzDate}`);
  }
  const now = (opts.now ?? (() => new Date()))();
  const skewMs = Math.abs(signedAt.getTime() - now.getTime());
  if (skewMs > maxSkewMs) {
    return fail(
      `x-amz-date is ${Math.ceil(skewMs / 1000)} s away from server time (limit ${maxSkewMs / 1000} s)`,
    );
  }

  // Own-property lookup: an access key named like an Object.prototype member must not find a "secret".
  const secret = Object.hasOwn(opts.credentials, auth.accessKey)
    ? opts.credentials[auth.accessKey]
    : undefined;
  if (typeof secret !== 'string') return fail(`unknown access key "${auth.accessKey}"`);

  // The hash of the bytes that arrived, never the client's claim: a signature over a claimed hash
  // proves nothing about a body the client is free to swap.
  const payloadHash = sha256Hex(req.body);
  const claimedHash = headerValue(req.headers, 'x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    return fail(
      `x-amz-content-sha256 "${claimedHash.slice(0, 64)}" does not match the SHA-256 of the received body (${payloadHash})`,
    );
  }

  const canonicalHeaders: string[] = [];
  for (const name of auth.signedHeaders) {
    const value = headerValue(req.headers, name);
    if (value === undefined) return fail(`signed header "${name}" is not present in the request`);
    canonicalHeaders.push(`${name}:${value.trim().replace(/\s+/g, ' ')}\n`);
  }

  let canonicalUri: string;
  let canonicalQuery: string;
  try {
    canonicalUri = canonicalPath(req.path);
    canonicalQuery = canonicalQueryString(req.rawQuery);
  } catch {
    // encodeURIComponent throws only on lone UTF-16 surrogates, which no signer could have encoded either.
    return fail('request path or query cannot be URI-encoded');
  }

  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri,
    canonicalQuery,
    canonicalHeaders.join(''),
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.scopeDate}/${auth.region}/${auth.service}/${SCOPE_TERMINATOR}`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const expected = hmac(signingKey(secret, auth.scopeDate, auth.region, auth.service), stringToSign);

  // Both sides are 32 bytes (the header value was checked to be 64 hex digits), as timingSafeEqual requires.
  if (!timingSafeEqual(expected, Buffer.from(auth.signature, 'hex'))) return fail('signature does not match');

  return {
    ok: true,
    caller: {
      accessKey: auth.accessKey,
      accountId: LOCAL_ACCOUNT_ID,
      callerId: auth.accessKey,
      userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/${auth.accessKey}`,
      userId: auth.accessKey,
    },
  };
}

/** `AWS4-HMAC-SHA256 Credential=AK/20260102/us-west-2/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=<hex>` */
function parseAuthorization(header: string): Parsed<ParsedAuthorization> {
  const trimmed = header.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== ALGORITHM) {
    return fail(
      `unsupported Authorization scheme "${algorithm.slice(0, 40)}" (only ${ALGORITHM} is accepted)`,
    );
  }

  const fields = new Map<string, string>();
  for (const part of trimmed.slice(algorithm.length).split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) return fail(`malformed Authorization header near "${item.slice(0, 40)}"`);
    const key = item.slice(0, eq).trim();
    if (fields.has(key)) return fail(`Authorization header repeats ${key}`);
    fields.set(key, item.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined) return fail('Authorization header lacks Credential');
  if (signedHeaders === undefined) return fail('Authorization header lacks SignedHeaders');
  if (signature === undefined) return fail('Authorization header lacks Signature');

  const scope = credential.split('/');
  const [accessKey, scopeDate, region, service, terminator] = scope;
  if (
    scope.length !== 5 ||
    accessKey === undefined ||
    accessKey === '' ||
    scopeDate === undefined ||
    region === undefined ||
    service === undefined
  ) {
    return fail('Credential must look like <access key>/<yyyymmdd>/<region>/<service>/aws4_request');
  }
  if (terminator !== SCOPE_TERMINATOR) return fail(`Credential scope must end with ${SCOPE_TERMINATOR}`);
  if (!SCOPE_DATE_PATTERN.test(scopeDate))
    return fail(`credential scope date "${scopeDate}" is not yyyymmdd`);

  const headerNames = signedHeaders.split(';');
  const badName = headerNames.find((name) => !SIGNED_HEADER_NAME_PATTERN.test(name));
  if (badName !== undefined) return fail(`SignedHeaders entry "${badName}" is not a lower-case header name`);
  if (!SIGNATURE_PATTERN.test(signature)) return fail('Signature must be 64 lower-case hex digits');

  return {
    ok: true,
    value: { accessKey, scopeDate, region, service, signedHeaders: headerNames, signature },
  };
}

/** Node joins most repeated headers itself; arrays (set-cookie and the like) get SigV4's comma join. */
function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE_PATTERN.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls over (month 13 → next year); a round trip rejects such dates instead of guessing.
  const roundTrip = date.toISOString().replace(/[-:]|\.\d{3}/g, '');
  return roundTrip === value ? date : undefined;
}

/**
 * Non-S3 services normalize the path (drop empty and '.' segments, resolve '..') and encode the
 * already-encoded path once more, as @smithy/signature-v4 (uriEscapePath) and aws4 both do.
 */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailingSlash = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  const normalized = `/${segments.join('/')}${trailingSlash}`;
  return uriEncode(normalized).replace(/%2F/g, '/');
}

/**
 * Decoded the way AWS decodes a query (form-urlencoding: '+' is a space, as in aws4's querystring.parse),
 * then each name and value re-encoded and the pairs sorted by encoded name, then encoded value.
 */
function canonicalQueryString(rawQuery: string): string {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of new URLSearchParams(rawQuery)) pairs.push([uriEncode(name), uriEncode(value)]);
  pairs.sort(([n1, v1], [n2, v2]) => compare(n1, n2) || compare(v1, v2));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Encoded strings are ASCII, so code-unit order is the byte order SigV4 asks for. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** RFC 3986: everything but unreserved characters percent-encoded with upper-case hex. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Derived signing keys by secret and scope: a key serves every request of its day (as the SDK's
 * signer caches it), so each request costs one HMAC instead of five. Bounded: cleared past
 * SIGNING_KEY_CACHE_SIZE entries (a handful of keys × one day each in practice).
 */
const SIGNING_KEY_CACHE_SIZE = 64;
const signingKeys = new Map<string, Buffer>();

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\u0000${date}\u0000${region}\u0000${service}`;
  const cached = signingKeys.get(id);
  if (cached) return cached;
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const key = hmac(kService, SCOPE_TERMINATOR);
  if (signingKeys.size >= SIGNING_KEY_CACHE_SIZE) signingKeys.clear();
  signingKeys.set(id, key);
  return key;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
