import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import aws4 from 'aws4';
import { LOCAL_CREDENTIALS } from '../../client/sigv4';
import { verifySigV4, type SignedRequest, type VerifierOptions } from '../../local/sigv4-verifier';

const ACCESS_KEY = LOCAL_CREDENTIALS.accessKeyId;
const SECRET = LOCAL_CREDENTIALS.secretAccessKey;
const REGION = 'us-west-2';
const HOST = 'localhost:3000';
const NOW = new Date('2026-01-02T10:00:00Z');

const options: VerifierOptions = { credentials: { [ACCESS_KEY]: SECRET }, region: REGION, now: () => NOW };

interface RequestSpec {
  method: string;
  /** Wire path, percent-encoded as a client would send it. */
  path: string;
  rawQuery?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface SignOverrides {
  secret?: string;
  accessKey?: string;
  region?: string;
  service?: string;
  date?: Date;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** What the gateway hands the verifier: Node lower-cases header names and gives strings. */
function received(
  spec: RequestSpec,
  headers: Record<string, string | number | undefined>,
  wirePath?: string,
): SignedRequest {
  const target = wirePath ?? (spec.rawQuery ? `${spec.path}?${spec.rawQuery}` : spec.path);
  const q = target.indexOf('?');
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) lowered[name.toLowerCase()] = String(value);
  }
  return {
    method: spec.method,
    path: q < 0 ? target : target.slice(0, q),
    rawQuery: q < 0 ? '' : target.slice(q + 1),
    headers: lowered,
    body: Buffer.from(spec.body ?? ''),
  };
}

async function signWithSmithy(
  spec: RequestSpec,
  overrides: SignOverrides = {},
  signOptions: { unsignableHeaders?: Set<string> } = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    service: overrides.service ?? 'lambda',
    region: overrides.region ?? REGION,
    credentials: {
      accessKeyId: overrides.accessKey ?? ACCESS_KEY,
      secretAccessKey: overrides.secret ?? SECRET,
    },
    sha256: Sha256,
  });
  // The SDK hands the signer decoded query values and the encoded path, and builds the wire query itself.
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(spec.rawQuery ?? '')) {
    const existing = query[name];
    query[name] = existing === undefined ? value : [existing, value].flat();
  }
  const signed = await signer.sign(
    {
      method: spec.method,
      protocol: 'http:',
      hostname: 'localhost',
      port: 3000,
      path: spec.path,
      query,
      headers: { host: HOST, ...spec.headers },
      body: spec.body,
    },
    { signingDate: overrides.date ?? NOW, ...signOptions },
  );
  return received(spec, signed.headers);
}

function aws4Date(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function signWithAws4(
  spec: RequestSpec,
  overrides: SignOverrides & { scopeDate?: string } = {},
): SignedRequest {
  const signer = new aws4.RequestSigner(
    {
      host: HOST,
      method: spec.method,
      path: spec.rawQuery ? `${spec.path}?${spec.rawQuery}` : spec.path,
      service: overrides.service ?? 'lambda',
      region: overrides.region ?? REGION,
      headers: { 'X-Amz-Date': aws4Date(overrides.date ?? NOW), ...spec.headers },
      body: spec.body,
    },
    { accessKeyId: overrides.accessKey ?? ACCESS_KEY, secretAccessKey: overrides.secret ?? SECRET },
  );
  const { scopeDate } = overrides;
  // aws4 derives the scope date from x-amz-date; overriding it yields a genuinely valid signature over a
  // scope that disagrees with the header, so only the verifier's date check can catch it.
  if (scopeDate !== undefined) signer.getDate = () => scopeDate;
  const signed = signer.sign();
  // aws4 rewrites the path (it re-serializes the query), and that rewritten path is what goes on the wire.
  return received(spec, signed.headers as Record<string, string | number>, signed.path);
}

const boardQuery: RequestSpec = {
  method: 'GET',
  path: '/api/admin/appointments/board',
  rawQuery: 'date=2026-01-02&x=a%20b',
  headers: { accept: 'application/json' },
};
const moveBody: RequestSpec = {
  method: 'POST',
  path: '/api/admin/moves/abc-123',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ to: 'in_progress', version: 3, note: 'caf\u00e9 \u2615' }),
};
const awkwardPathAndQuery: RequestSpec = {
  method: 'GET',
  path: '/api/customers/o%27brien%20%2B%20sons/./history//',
  rawQuery: 'z=last&a=2&a=1&star=*&plus=a+b&empty=&flag',
};
const paddedHeader: RequestSpec = {
  method: 'PUT',
  path: '/api/admin/moves/abc-123',
  headers: { 'content-type': 'application/json', 'x-note': '  two   spaces\tand a tab  ' },
  body: '{}',
};

type Signer = (spec: RequestSpec, overrides?: SignOverrides) => Promise<SignedRequest> | SignedRequest;
const signers: Array<[string, Signer]> = [
  ['@smithy/signature-v4', signWithSmithy],
  ['aws4', signWithAws4],
];
const specs: Array<[string, RequestSpec]> = [
  ['a GET with a query', boardQuery],
  ['a POST with a JSON body', moveBody],
  ['a path with encoded characters and dot segments, repeated and unsorted query names', awkwardPathAndQuery],
  ['a signed header with sequential whitespace', paddedHeader],
];
const cases = signers.flatMap(([signerName, sign]) =>
  specs.map(([specName, spec]) => [signerName, specName, sign, spec] as const),
);

describe('verifySigV4', () => {
  it.each(cases)('accepts %s signing %s', async (_signerName, _specName, sign, spec) => {
    const request = await sign(spec);

    const result = verifySigV4(request, options);

    expect(result).toEqual({
      ok: true,
      caller: {
        accessKey: ACCESS_KEY,
        accountId: '000000000000',
        callerId: ACCESS_KEY,
        userArn: `arn:aws:iam::000000000000:user/${ACCESS_KEY}`,
        userId: ACCESS_KEY,
      },
    });
  });

  it('accepts a client-sent x-amz-content-sha256 that matches the body', async () => {
    const request = await signWithSmithy({
      ...moveBody,
      headers: { ...moveBody.headers, 'x-amz-content-sha256': sha256Hex(moveBody.body ?? '') },
    });

    expect(verifySigV4(request, options)).toMatchObject({ ok: true });
  });

  it.each([
    ['4 minutes ahead of', 4],
    ['4 minutes behind', -4],
  ])('accepts an x-amz-date %s server time', async (_name, minutes) => {
    const request = await signWithSmithy(boardQuery, { date: new Date(NOW.getTime() + minutes * 60_000) });

    expect(verifySigV4(request, options)).toMatchObject({ ok: true });
  });

  it('defaults to the current time and a 300 s window when no clock is given', async () => {
    const request = await signWithSmithy(boardQuery, { date: new Date() });

    expect(verifySigV4(request, { credentials: options.credentials, region: REGION })).toMatchObject({
      ok: true,
    });
  });

  const rejections: Array<[string, () => Promise<SignedRequest> | SignedRequest, string | RegExp]> = [
    [
      'a tampered body',
      // aws4 sends no x-amz-content-sha256 for lambda, so the signature itself must catch the swap.
      () => ({ ...signWithAws4(moveBody), body: Buffer.from('{"to":"done","version":3}') }),
      'signature does not match',
    ],
    [
      'a tampered path',
      async () => ({ ...(await signWithSmithy(moveBody)), path: '/api/admin/moves/abc-124' }),
      'signature does not match',
    ],
    [
      'a tampered query',
      async () => ({ ...(await signWithSmithy(boardQuery)), rawQuery: 'date=2026-01-03&x=a%20b' }),
      'signature does not match',
    ],
    [
      'an extra query parameter',
      () => ({ ...signWithAws4(boardQuery), rawQuery: 'date=2026-01-02&x=a%20b&admin=1' }),
      'signature does not match',
    ],
    [
      'a wrong secret',
      () => signWithSmithy(boardQuery, { secret: 'not-the-secret' }),
      'signature does not match',
    ],
    [
      'an unknown access key',
      () => signWithAws4(boardQuery, { accessKey: 'STRANGER' }),
      /^unknown access key/,
    ],
    [
      'an access key named like an Object.prototype member',
      () => signWithSmithy(boardQuery, { accessKey: 'constructor' }),
      /^unknown access key/,
    ],
    [
      'an x-amz-date 6 minutes ahead of server time',
      () => signWithSmithy(boardQuery, { date: new Date(NOW.getTime() + 6 * 60_000) }),
      'x-amz-date is 360 s away from server time (limit 300 s)',
    ],
    [
      'an x-amz-date 6 minutes behind server time',
      () => signWithAws4(boardQuery, { date: new Date(NOW.getTime() - 6 * 60_000) }),
      'x-amz-date is 360 s away from server time (limit 300 s)',
    ],
    [
      'a request without an Authorization header',
      async () => {
        const request = await signWithSmithy(boardQuery);
        const { authorization: _dropped, ...headers } = request.headers;
        return { ...request, headers };
      },
      'missing Authorization header',
    ],
    [
      'a credential scope for another region',
      () => signWithSmithy(boardQuery, { region: 'eu-west-1' }),
      `credential scope region "eu-west-1" does not match this endpoint's region "${REGION}"`,
    ],
    [
      'a credential scope for another service',
      () => signWithAws4(boardQuery, { service: 'execute-api' }),
      'credential scope service "execute-api" does not match "lambda"',
    ],
    [
      'the SigV4a algorithm',
      async () =>
        withAuthorization(await signWithSmithy(boardQuery), (a) =>
          a.replace(/^\S+/, 'AWS4-ECDSA-P256-SHA256'),
        ),
      /^unsupported Authorization scheme "AWS4-ECDSA-P256-SHA256"/,
    ],
    [
      'a bearer token',
      async () => withAuthorization(await signWithSmithy(boardQuery), () => 'Bearer abc.def.ghi'),
      /^unsupported Authorization scheme "Bearer"/,
    ],
    [
      'a signature that leaves host unsigned',
      // The host header still travels; it is just not covered by the signature.
      () => signWithSmithy(boardQuery, {}, { unsignableHeaders: new Set(['host']) }),
      'SignedHeaders must include host',
    ],
    [
      'a signature that leaves x-amz-date unsigned',
      () => signWithSmithy(boardQuery, {}, { unsignableHeaders: new Set(['x-amz-date']) }),
      'SignedHeaders must include x-amz-date',
    ],
    [
      'a client-sent x-amz-content-sha256 that does not match the body',
      // Signed over the hash of the original body, then the body is swapped: the signature is valid for
      // the claimed hash, so only hashing the received body exposes the swap.
      async () => {
        const claimed = sha256Hex(moveBody.body ?? '');
        const request = await signWithSmithy({
          ...moveBody,
          headers: { ...moveBody.headers, 'x-amz-content-sha256': claimed },
        });
        return { ...request, body: Buffer.from('{"to":"cancelled","version":3}') };
      },
      /^x-amz-content-sha256 "[0-9a-f]{64}" does not match the SHA-256 of the received body/,
    ],
    [
      'UNSIGNED-PAYLOAD',
      () =>
        signWithSmithy({
          ...moveBody,
          headers: { ...moveBody.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        }),
      /^x-amz-content-sha256 "UNSIGNED-PAYLOAD" does not match/,
    ],
    [
      'a credential scope date that differs from x-amz-date',
      () => signWithAws4(boardQuery, { scopeDate: '20260101' }),
      'credential scope date 20260101 does not match x-amz-date 20260102T100000Z',
    ],
    [
      'a signed header missing from the request',
      async () => {
        const request = await signWithSmithy(moveBody);
        const { 'content-type': _ct, ...headers } = request.headers;
        return { ...request, headers };
      },
      'signed header "content-type" is not present in the request',
    ],
    [
      'a malformed Credential',
      async () =>
        withAuthorization(await signWithSmithy(boardQuery), (a) =>
          a.replace('/aws4_request', '/aws5_request'),
        ),
      'Credential scope must end with aws4_request',
    ],
    [
      'a truncated signature',
      async () => withAuthorization(await signWithSmithy(boardQuery), (a) => a.slice(0, -2)),
      'Signature must be 64 lower-case hex digits',
    ],
  ];

  it.each(rejections)('rejects %s', async (_name, build, reason) => {
    const request = await build();

    const result = verifySigV4(request, options);

    expect(result.ok).toBe(false);
    if (typeof reason === 'string') expect(result).toEqual({ ok: false, reason });
    else expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('pins the service given in the options', async () => {
    const request = await signWithSmithy(boardQuery, { service: 'execute-api' });

    expect(verifySigV4(request, { ...options, service: 'execute-api' })).toMatchObject({ ok: true });
    expect(verifySigV4(request, options)).toMatchObject({ ok: false });
  });

  it('honours a custom skew window', async () => {
    const request = await signWithSmithy(boardQuery, { date: new Date(NOW.getTime() + 61_000) });

    expect(verifySigV4(request, { ...options, maxSkewMs: 60_000 })).toEqual({
      ok: false,
      reason: 'x-amz-date is 61 s away from server time (limit 60 s)',
    });
  });
});

function withAuthorization(request: SignedRequest, edit: (authorization: string) => string): SignedRequest {
  return {
    ...request,
    headers: { ...request.headers, authorization: edit(String(request.headers.authorization)) },
  };
}
