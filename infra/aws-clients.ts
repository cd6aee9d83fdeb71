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

export interface ClientOptions {
  region: string;
  endpoint?: string;
  /** Per-request timeout; a long-polling receiver needs more than its wait time. */
  requestTimeoutMs?: number;
}

// Local emulators accept any key; real AWS uses the default provider chain.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

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
    ...(opts.endpoint ? { endpoint: opts.endpoint, credentials: LOCAL_CREDENTIALS } : {}),
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
    ...(opts.endpoint ? { endpoint: opts.endpoint, credentials: LOCAL_CREDENTIALS } : {}),
    requestHandler: requestHandler(opts.requestTimeoutMs),
    maxAttempts: 3,
  });
}
