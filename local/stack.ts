/**
 * The embedded local stack: DynamoDB Local and the SQS emulator as services, and the app on top
 * of them (gateway for the HTTP handler, poller for the worker, a timer for the sweeper).
 * Used by `npm start`, the tests, the load test and the benchmark.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_TIME_ZONE } from '../domain/days';
import { createDocumentClient, createSqsClient } from '../infra/aws-clients';
import type { ServiceConfig } from '../infra/config';
import { createContainer, type Container } from '../infra/container';
import { checkTableZone } from '../infra/zone-guard';
import { createApiHandler } from '../handlers/api';
import { createMoveWorker } from '../handlers/move-worker';
import { createSweeper } from '../handlers/sweeper';
import { startDynamoDbLocal } from './dynamodb-local';
import {
  startGateway,
  type Authenticator,
  type Gateway,
  type GatewayOptions,
  type StaticFiles,
} from './gateway';
import { LOCAL_FUNCTION_NAMES, localLambdaContext } from './lambda-context';
import { startPoller, type Poller } from './sqs-poller';
import { MAX_RECEIVE_COUNT } from '../infra/move-queues';
import { ensureMoveQueues, startSqsEmulator } from './sqs-local';
import { ensureTable, seedCatalog } from './table-setup';

export interface LocalServices {
  region: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local (on disk under dataDir, or in memory) and the SQS emulator. */
export async function startLocalServices(opts: {
  region: string;
  dataDir?: string;
  dynamodbPort?: number;
  sqsPort?: number;
}): Promise<LocalServices> {
  const dynamo = await startDynamoDbLocal({ port: opts.dynamodbPort, dataDir: opts.dataDir });
  let sqs;
  try {
    sqs = await startSqsEmulator({ port: opts.sqsPort, region: opts.region });
  } catch (err) {
    await dynamo.stop();
    throw err;
  }
  return {
    region: opts.region,
    dynamodbEndpoint: dynamo.endpoint,
    sqsEndpoint: sqs.endpoint,
    stop: async () => {
      await Promise.allSettled([sqs.stop(), dynamo.stop()]);
    },
  };
}

/**
 * Creates the table (with indexes), the queues and the catalog; returns the config pointing at
 * them. The queue's redrive maxReceiveCount is the config's MAX_RECEIVE_COUNT, so the worker's
 * "last delivery" and the queue's agree.
 */
export async function provision(
  services: Pick<LocalServices, 'region' | 'dynamodbEndpoint' | 'sqsEndpoint'>,
  base: Partial<ServiceConfig> & { TABLE_NAME: string },
  opts: { queuePrefix?: string; visibilityTimeoutSeconds?: number } = {},
): Promise<ServiceConfig & { DLQ_URL: string }> {
  const ddb = new DynamoDBClient({
    region: services.region,
    endpoint: services.dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const sqs = createSqsClient({ region: services.region, endpoint: services.sqsEndpoint });
  const doc = createDocumentClient({ region: services.region, endpoint: services.dynamodbEndpoint });
  const zone = base.SHOP_TIMEZONE ?? DEFAULT_TIME_ZONE;
  try {
    await ensureTable(ddb, base.TABLE_NAME);
    // Start-up's zone guard: a new table takes the zone; one of another zone stops start-up here.
    await checkTableZone({
      doc,
      config: { TABLE_NAME: base.TABLE_NAME, SHOP_TIMEZONE: zone },
      log: { error: () => undefined },
      now: () => new Date().toISOString(),
    });
    const maxReceiveCount = base.MAX_RECEIVE_COUNT ?? MAX_RECEIVE_COUNT;
    const queues = await ensureMoveQueues(sqs, {
      prefix: opts.queuePrefix,
      visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds,
      maxReceiveCount,
    });
    return {
      AWS_REGION: services.region,
      LOG_LEVEL: 'info',
      METRICS_SINK: 'off',
      METRICS_FILE: '.data/metrics.log',
      SWEEP_AFTER_SECONDS: 60,
      SWEEP_GIVE_UP_SECONDS: 900,
      AUTH_PRINCIPALS: new Map(),
      WRITE_POLICY: 'open',
      ...base,
      SHOP_TIMEZONE: zone,
      MAX_RECEIVE_COUNT: maxReceiveCount,
      DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
      SQS_ENDPOINT: services.sqsEndpoint,
      MOVE_QUEUE_URL: queues.queueUrl,
      DLQ_URL: queues.dlqUrl,
    };
  } finally {
    ddb.destroy();
    doc.destroy();
    sqs.destroy();
  }
}

export interface LocalApp {
  container: Container;
  gateway: Gateway;
  poller?: Poller;
  stop(): Promise<void>;
}

export interface LocalAppOptions {
  port?: number;
  host?: string;
  pollers?: number;
  /** Long-poll wait of each receive (Lambda's event source mapping uses 20 s). */
  pollWaitSeconds?: number;
  /** Off in tests that drive the worker by hand. */
  startPoller?: boolean;
  /**
   * The worker's function timeout, enforced by the poller as Lambda does (a batch still running
   * then has failed as a whole); default 900 s, Lambda's maximum.
   */
  workerTimeoutSeconds?: number;
  /** How often the sweeper runs; 0 or unset: never. */
  sweepIntervalMs?: number;
  authenticate?: Authenticator;
  staticFiles?: StaticFiles;
  apiDocs?: StaticFiles;
  requestLog?: GatewayOptions['log'];
  overrides?: Partial<Container>;
}

/** Runs the app over provisioned services: the HTTP gateway, the worker's poller, the sweeper timer. */
export async function startLocalApp(config: ServiceConfig, opts: LocalAppOptions = {}): Promise<LocalApp> {
  const container = createContainer(config, opts.overrides);
  // The same check the handlers make at their first invocation, before anything listens.
  await container.ensureTableZone();
  await seedCatalog(container.shop);
  const api = createApiHandler(() => container);
  const gateway = await startGateway({
    handler: api,
    port: opts.port,
    host: opts.host,
    authenticate: opts.authenticate,
    staticFiles: opts.staticFiles,
    apiDocs: opts.apiDocs,
    log: opts.requestLog,
    region: config.AWS_REGION,
  });
  let poller: Poller | undefined;
  let pollerSqs: SQSClient | undefined;
  if (opts.startPoller !== false) {
    const worker = createMoveWorker(() => container);
    // Its own client: a 20 s long poll needs a request timeout longer than the service's 5 s.
    pollerSqs = createSqsClient({
      region: config.AWS_REGION,
      endpoint: config.SQS_ENDPOINT,
      requestTimeoutMs: ((opts.pollWaitSeconds ?? 20) + 10) * 1000,
    });
    poller = await startPoller({
      sqs: pollerSqs,
      queueUrl: config.MOVE_QUEUE_URL,
      region: config.AWS_REGION,
      handler: (event, context) => worker(event, context),
      concurrency: opts.pollers ?? 2,
      waitTimeSeconds: opts.pollWaitSeconds ?? 20,
      functionTimeoutMs:
        opts.workerTimeoutSeconds === undefined ? undefined : Math.round(opts.workerTimeoutSeconds * 1000),
      onError: (err) => container.log.warn('poller error', { err }),
      onTimeout: ({ timeoutMs, messageIds }) =>
        container.log.warn(
          `worker timed out after ${timeoutMs} ms (WORKER_TIMEOUT_SECONDS): its whole batch comes back after the visibility timeout`,
          { timeout_ms: timeoutMs, message_ids: messageIds },
        ),
    });
  }
  const sweeper = createSweeper(() => container);
  const timer =
    opts.sweepIntervalMs && opts.sweepIntervalMs > 0
      ? setInterval(() => {
          // Its context as Lambda would give it (serverless.yml: the sweeper's timeout is 30 s).
          const context = localLambdaContext({
            functionName: LOCAL_FUNCTION_NAMES.sweeper,
            region: config.AWS_REGION,
            timeoutMs: 30_000,
          });
          sweeper(undefined, context).catch((err) => container.log.warn('sweeper failed', { err }));
        }, opts.sweepIntervalMs)
      : undefined;
  timer?.unref();
  return {
    container,
    gateway,
    poller,
    stop: async () => {
      if (timer) clearInterval(timer);
      await poller?.stop();
      pollerSqs?.destroy();
      await gateway.close();
      container.sqs.destroy();
      container.doc.destroy();
    },
  };
}
