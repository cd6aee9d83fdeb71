import {
  CONTENT_SHA256_HEADER,
  LOCAL_CREDENTIALS,
  createFunctionUrlSigner,
  decodeQuery,
  describeCredentials,
  isLoopback,
  resolveCredentials,
  sha256Hex,
  type RequestToSign,
} from '../../client/sigv4';
import { verifySigV4 } from '../../local/sigv4-verifier';

const REGION = 'us-west-2';
const KEYS = { [LOCAL_CREDENTIALS.accessKeyId]: LOCAL_CREDENTIALS.secretAccessKey };

/** Checks the signed headers the way the local gateway does, against the bytes actually sent. */
function verify(req: RequestToSign, headers: Record<string, string>, sentBody = req.body ?? '') {
  return verifySigV4(
    { method: req.method, path: req.path, rawQuery: req.rawQuery, headers, body: Buffer.from(sentBody) },
    { credentials: KEYS, region: REGION },
  );
}

describe('isLoopback', () => {
  it.each([
    'http://localhost:3000',
    'http://board.localhost:8080',
    'http://127.0.0.1:3000',
    'http://127.8.9.10',
    'http://[::1]:3000',
  ])('takes %s for loopback', (url) => {
    expect(isLoopback(url)).toBe(true);
  });

  it.each([
    'https://abc.lambda-url.us-west-2.on.aws',
    'http://localhost.example.com',
    'http://10.0.0.1:3000',
    'http://128.0.0.1',
    'http://[::2]',
  ])('does not take %s for loopback', (url) => {
    expect(isLoopback(url)).toBe(false);
  });
});

describe('resolveCredentials', () => {
  it('prefers explicit keys, session token included, wherever the target is', () => {
    const explicit = { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'ST' };

    expect(resolveCredentials('http://127.0.0.1:3000', explicit, {})).toEqual(explicit);
    expect(resolveCredentials('https://x.lambda-url.us-west-2.on.aws', explicit, {})).toEqual(explicit);
  });

  it('uses the local keys against loopback when the environment has no AWS keys', () => {
    const source = resolveCredentials('http://localhost:3000', {}, {});

    expect(source).toEqual(LOCAL_CREDENTIALS);
    expect(describeCredentials(source)).toBe(`access key ${LOCAL_CREDENTIALS.accessKeyId}`);
  });

  it.each<[string, string, Record<string, string>, { accessKeyId?: string }?]>([
    ['loopback with AWS_ACCESS_KEY_ID set', 'http://127.0.0.1:3000', { AWS_ACCESS_KEY_ID: 'AKIA' }],
    ['a function URL', 'https://x.lambda-url.us-west-2.on.aws', {}],
    ['half the explicit keys', 'https://x.lambda-url.us-west-2.on.aws', {}, { accessKeyId: 'AK' }],
  ])('falls back to the SDK chain for %s', (_case, url, env, explicit = {}) => {
    const source = resolveCredentials(url, explicit, env);

    expect(typeof source).toBe('function');
    expect(describeCredentials(source)).toBe('the AWS default credential chain');
  });
});

describe('decodeQuery', () => {
  it('decodes as AWS does, keeping repeated names', () => {
    expect(decodeQuery('a=1&b=x+y&a=2&c=%E2%98%95&a=3&d')).toEqual({
      a: ['1', '2', '3'],
      b: 'x y',
      c: '\u2615',
      d: '',
    });
  });

  it('keeps a name that is also an Object property as a plain key', () => {
    expect(decodeQuery('constructor=1&constructor=2')).toEqual({ constructor: ['1', '2'] });
  });
});

describe('createFunctionUrlSigner', () => {
  const signer = createFunctionUrlSigner({ region: REGION, credentials: LOCAL_CREDENTIALS });
  const origin = new URL('http://127.0.0.1:3000');

  it('signs a POST the gateway accepts, with host and the hash of the body sent', async () => {
    const body = JSON.stringify({ to_status: 'ready', note: 'caf\u00e9' });
    const req: RequestToSign = {
      method: 'POST',
      origin,
      path: '/api/admin/appointments/a%20b/move',
      rawQuery: '',
      headers: { 'content-type': 'application/json' },
      body,
    };

    const headers = await signer.sign(req);

    expect(headers).toMatchObject({
      host: '127.0.0.1:3000',
      'content-type': 'application/json',
      [CONTENT_SHA256_HEADER]: sha256Hex(body),
    });
    expect(headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/\\d{8}/us-west-2/lambda/aws4_request, ` +
          'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$',
      ),
    );
    expect(verify(req, headers)).toMatchObject({ ok: true });
  });

  it('signs an encoded query with repeated names the way the gateway reads it', async () => {
    const req: RequestToSign = {
      method: 'GET',
      origin,
      path: '/api/admin/appointments/board',
      rawQuery: 'date=2026-12-01&x=a%20b&plus=a+b&x=2',
      headers: { accept: 'application/json' },
    };

    const headers = await signer.sign(req);

    expect(headers[CONTENT_SHA256_HEADER]).toBe(sha256Hex(''));
    expect(verify(req, headers)).toMatchObject({ ok: true });
  });

  it('is refused when other bytes are sent than were signed', async () => {
    const req: RequestToSign = {
      method: 'POST',
      origin,
      path: '/api/admin/customers',
      rawQuery: '',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"A"}',
    };

    const headers = await signer.sign(req);

    expect(verify(req, headers, '{"name":"B"}')).toMatchObject({ ok: false });
  });

  it('signs host without a default port and carries a session token', async () => {
    const withToken = createFunctionUrlSigner({
      region: REGION,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'ST' },
    });

    const headers = await withToken.sign({
      method: 'GET',
      origin: new URL('https://abc.lambda-url.us-west-2.on.aws:443'),
      path: '/healthz',
      rawQuery: '',
      headers: {},
    });

    expect(headers.host).toBe('abc.lambda-url.us-west-2.on.aws');
    expect(headers['x-amz-security-token']).toBe('ST');
    expect(headers.authorization).toContain(
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
    );
  });
});
