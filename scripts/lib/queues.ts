/** Reaching the move queues from an operator script, on AWS or on the local emulator. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../infra/aws-clients';
import { isLoopback } from '../../client/api-client';
import { UsageError } from './cli';

/** A URL option, or a UsageError naming it. */
export function urlOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    new URL(value);
  } catch {
    throw new UsageError(`${name} "${value}" is not a URL`);
  }
  return value;
}

/** https://sqs.us-west-2.amazonaws.com/123456789012/moves.fifo → us-west-2 */
export function queueRegion(queueUrl: string): string | undefined {
  return /^sqs[.-]([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(queueUrl).hostname)?.[1];
}

/** The emulator names its queues http://sqs.<region>.localhost:<port>/…; the SDK needs 127.0.0.1:<port>. */
export function localQueueEndpoint(queueUrl: string): string | undefined {
  const url = new URL(queueUrl);
  return isLoopback(queueUrl) ? `http://127.0.0.1:${url.port || '80'}` : undefined;
}

/** With an endpoint (the emulator) the local placeholder keys are used; otherwise the default chain. */
export function sqsClientFor(
  queueUrl: string,
  endpoint: string | undefined,
  fallbackRegion: string,
): SQSClient {
  return createSqsClient({
    region: queueRegion(queueUrl) ?? fallbackRegion,
    endpoint: endpoint ?? localQueueEndpoint(queueUrl),
  });
}
