/**
 * SDK clients, created once per container (module scope in handlers) and shared. Keep-alive
 * agents matter: a fresh TLS/TCP connection per call would dominate a move's latency.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { SignatureV4Init } from '@smithy/signature-v4';

export interface ClientOptions {
  region: string;
  endpoint?: string;
  /** Per-request timeout; a long-polling receiver needs more than its wait time. */
  requestTimeoutMs?: number;
}

// Local emulators accept any key; real AWS uses the default provider chain.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The part of an outgoing SDK request the local signer touches (typed structurally). */
interface SignableRequest {
  headers: Record<string, string>;
}

/**
 * The signer of calls to a local emulator (an endpoint override: DynamoDB Local, the SQS
 * emulator), which read the Authorization header's credential scope but never check the
 * signature. It writes that header's shape with a zero signature instead of SigV4's hashes and
 * HMACs: in the bench's CPU profile the SDK's signing was the largest share of the stack process's
 * own work on a move (docs/PERFORMANCE.md, issue #15). Against AWS (no endpoint override) the SDK
 * signs with SigV4 as always.
 */
export class LocalEmulatorSigner {
  constructor(private readonly params: Pick<SignatureV4Init, 'region' | 'service'>) {}

  async sign<R extends SignableRequest>(request: R, options?: { signingDate?: Date }): Promise<R> {
    const { region, service } = this.params;
    const amzDate = (options?.signingDate ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const name = typeof region === 'string' ? region : await region();
    const scope = `${amzDate.slice(0, 8)}/${name}/${service}/aws4_request`;
    request.headers['x-amz-date'] = amzDate;
    request.headers.authorization =
      `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/${scope}, ` +
      `SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
    return request;
  }
}

/** What a client needs to talk to a local emulator instead of AWS. */
const localEndpoint = (endpoint: string) => ({
  endpoint,
  credentials: LOCAL_CREDENTIALS,
  signerConstructor: LocalEmulatorSigner,
});

function requestHandler(requestTimeout = 5000): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
    connectionTimeout: 2000,
    requestTimeout,
  });
}

export function createDocumentClient(opts: ClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: opts.region,
    ...(opts.endpoint ? localEndpoint(opts.endpoint) : {}),
    requestHandler: requestHandler(),
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

export function createSqsClient(opts: ClientOptions): SQSClient {
  return new SQSClient({
    region: opts.region,
    ...(opts.endpoint ? localEndpoint(opts.endpoint) : {}),
    requestHandler: requestHandler(opts.requestTimeoutMs),
    maxAttempts: 3,
  });
}
