/**
 * SigV4 for a Lambda function URL with AuthType AWS_IAM (service `lambda`), the one place it is
 * done: the API client, the signing proxy (local/) and the artillery processor (loadtest/) all sign
 * through here. Also where requests find their credentials, and the local key pair `npm start`
 * accepts by default.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_KEYS } from './local-keys';

/**
 * The admin key of the local gateway's default keys (client/local-keys.ts), which scripts sign with
 * against loopback when no other credentials are given; only ever sent to loopback.
 */
export const LOCAL_CREDENTIALS: StaticCredentials = (() => {
  const admin = LOCAL_KEYS.find((k) => k.role === 'admin');
  if (!admin) throw new Error('client/local-keys.ts lists no admin key');
  return { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey };
})();

/** The header carrying the payload hash; the verifier hashes the bytes it receives and compares. */
export const CONTENT_SHA256_HEADER = 'x-amz-content-sha256';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Plain keys, or a provider such as the SDK's default chain (which memoizes what it finds). */
export type CredentialSource = StaticCredentials | (() => Promise<StaticCredentials>);

/** localhost, *.localhost (RFC 6761 reserves it for loopback), 127.0.0.0/8 and ::1. */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

/**
 * Credentials in this order: the explicit ones; against loopback without AWS_ACCESS_KEY_ID in the
 * environment, the local defaults (a developer's AWS profile would only be refused by the local
 * gateway); otherwise the SDK's default chain (env, SSO, profile, instance role), memoized.
 */
export function resolveCredentials(
  url: string,
  explicit: Partial<StaticCredentials> = {},
  env: Record<string, string | undefined> = process.env,
): CredentialSource {
  if (explicit.accessKeyId && explicit.secretAccessKey) {
    return {
      accessKeyId: explicit.accessKeyId,
      secretAccessKey: explicit.secretAccessKey,
      ...(explicit.sessionToken ? { sessionToken: explicit.sessionToken } : {}),
    };
  }
  if (isLoopback(url) && !env.AWS_ACCESS_KEY_ID) return { ...LOCAL_CREDENTIALS };
  return fromNodeProviderChain();
}

/** Where the credentials come from, for the scripts' banners; never the secret itself. */
export function describeCredentials(source: CredentialSource): string {
  return typeof source === 'function'
    ? 'the AWS default credential chain'
    : `access key ${source.accessKeyId}`;
}

export function sha256Hex(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The signer wants decoded values; decoded as AWS decodes them ('+' is a space), repeated names kept. */
export function decodeQuery(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const existing = Object.hasOwn(query, name) ? query[name] : undefined;
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}

export interface RequestToSign {
  method: string;
  /** The target's origin: its protocol, host and port are signed (`host` as it will be sent). */
  origin: URL;
  /** Still percent-encoded, exactly as it goes on the wire. */
  path: string;
  /** Without the `?`, still encoded; '' for none. */
  rawQuery: string;
  /** Lower-case names; every one of them is signed (but those SigV4 never signs, like user-agent). */
  headers: Record<string, string>;
  /** The exact bytes that will be sent. */
  body?: Uint8Array | string;
}

export interface FunctionUrlSigner {
  /** Every header to send: the given ones, `host`, the body hash, x-amz-date and Authorization. */
  sign(request: RequestToSign): Promise<Record<string, string>>;
}

export interface FunctionUrlSignerOptions {
  region: string;
  credentials: CredentialSource;
  /** Function URLs are signed for `lambda`; other services only for tests of the signer. */
  service?: string;
}

/**
 * One signer per client or proxy, not per request: a provider chain behind it resolves its
 * credentials once and refreshes them when they expire.
 */
export function createFunctionUrlSigner(opts: FunctionUrlSignerOptions): FunctionUrlSigner {
  const signer = new SignatureV4({
    service: opts.service ?? 'lambda',
    region: opts.region,
    credentials: opts.credentials,
    sha256: Sha256,
  });
  return {
    async sign(request) {
      const { origin } = request;
      const signed = await signer.sign({
        method: request.method,
        protocol: origin.protocol,
        hostname: origin.hostname,
        port: origin.port === '' ? undefined : Number(origin.port),
        // The signer encodes the already-encoded path once more, as SigV4 wants for non-S3 services.
        path: request.path,
        query: decodeQuery(request.rawQuery),
        headers: {
          ...request.headers,
          // URL.host drops a default port just as fetch and node:http do when they send Host.
          host: origin.host,
          [CONTENT_SHA256_HEADER]: sha256Hex(request.body ?? ''),
        },
        body: request.body,
      });
      return signed.headers;
    },
  };
}
