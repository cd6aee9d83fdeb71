/**
 * Starts the whole local system from a LocalConfig: services (unless endpoints are given), the
 * table, queues, catalog and demo data, the app, and the signing proxy. Shared by `npm start`,
 * the load test and the benchmark.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbShopRepository } from '../infra/dynamodb/dynamodb-shop-repository';
import { createDocumentClient } from '../infra/aws-clients';
import { createLog } from '../infra/observability';
import { seedDemoData } from './demo-data';
import { startDynamoDbLocal } from './dynamodb-local';
import { removeEndpointsFile, writeEndpointsFile } from './endpoints-file';
import { keyForRole } from '../client/local-keys';
import { principalRoles, verifierCredentials } from './auth-keys';
import { loadLocalConfig, type LocalConfig } from './local-config';
import { startSigningProxy, type SigningProxy } from './signing-proxy';
import { verifySigV4 } from './sigv4-verifier';
import { startSqsEmulator } from './sqs-local';
import { provision, startLocalApp, type LocalApp } from './stack';
import { ensureTable } from './table-setup';
import type { StaticFiles } from './gateway';

export interface RunningStack {
  apiUrl: string;
  proxyUrl?: string;
  app: LocalApp;
  stop(): Promise<void>;
}

export interface RunOptions {
  inMemory: boolean;
  /** Print the banner and per-request lines (npm start); quiet for load tests. */
  verbose?: boolean;
  startProxy?: boolean;
  staticFiles?: StaticFiles;
  /** The rendered API reference at /api/docs (local/api-docs.ts). */
  apiDocs?: StaticFiles;
  /**
   * Write <DATA_DIR>/endpoints.json for the operator scripts (npm start only: the throwaway stacks
   * of the load test and the benchmark share DATA_DIR and must not replace it).
   */
  writeEndpointsFile?: boolean;
  /** Before the queue names, for a stack on shared services (tests); none for npm start. */
  queuePrefix?: string;
}

export async function startLocalStackFromConfig(
  config: LocalConfig,
  opts: RunOptions,
): Promise<RunningStack> {
  const say = (line: string) => (opts.verbose === false ? undefined : process.stdout.write(line + '\n'));
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    let dynamodbEndpoint = config.DYNAMODB_ENDPOINT;
    if (!dynamodbEndpoint) {
      const dataDir = opts.inMemory ? undefined : join(config.DATA_DIR, 'dynamodb');
      const ddb = await startDynamoDbLocal({ dataDir });
      stops.push(ddb.stop);
      dynamodbEndpoint = ddb.endpoint;
      say(`DynamoDB Local   ${ddb.endpoint}  (${dataDir ? `data in ${dataDir}` : 'in memory'})`);
    }
    let sqsEndpoint = config.SQS_ENDPOINT;
    if (!sqsEndpoint) {
      const sqsDataDir = opts.inMemory ? undefined : join(config.DATA_DIR, 'sqs');
      const sqs = await startSqsEmulator({ region: config.AWS_REGION, dataDir: sqsDataDir });
      stops.push(sqs.stop);
      sqsEndpoint = sqs.endpoint;
      say(
        `SQS emulator     ${sqs.endpoint}  (fauxqs, ${sqsDataDir ? `queues in ${sqsDataDir}` : 'in memory'})`,
      );
      if (sqs.queueUrlPort !== undefined) {
        say(
          `                 (port ${sqs.queueUrlPort}, which the kept queue URLs name, is taken: clients need this endpoint)`,
        );
      }
    }

    const raw = new DynamoDBClient({
      region: config.AWS_REGION,
      endpoint: dynamodbEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const firstStart = (await ensureTable(raw, config.TABLE_NAME)) === 'created';
    raw.destroy();
    const serviceConfig = await provision(
      { region: config.AWS_REGION, dynamodbEndpoint, sqsEndpoint },
      {
        TABLE_NAME: config.TABLE_NAME,
        LOG_LEVEL: config.LOG_LEVEL,
        METRICS_SINK: config.METRICS_SINK,
        METRICS_FILE: config.METRICS_FILE,
        SWEEP_AFTER_SECONDS: config.SWEEP_AFTER_SECONDS,
        SWEEP_GIVE_UP_SECONDS: config.SWEEP_GIVE_UP_SECONDS,
        MAX_RECEIVE_COUNT: config.MAX_RECEIVE_COUNT,
        // The gateway puts the verified access key in the event; the API maps it to its role.
        AUTH_PRINCIPALS: principalRoles(config.AUTH_KEYS),
        WRITE_POLICY: config.WRITE_POLICY,
        SHOP_TIMEZONE: config.SHOP_TIMEZONE,
        // AUTH=none: nobody signs, so an unsigned request is the developer, with every right.
        ...(config.AUTH === 'none' ? { AUTH_UNSIGNED_ROLE: 'admin' as const } : {}),
      },
      { visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS, queuePrefix: opts.queuePrefix },
    );
    say(
      `Table            ${config.TABLE_NAME}${firstStart ? ' (created)' : ''}, days of ${config.SHOP_TIMEZONE}`,
    );
    say(`Move queue       ${serviceConfig.MOVE_QUEUE_URL}`);
    say(`Dead letters     ${serviceConfig.DLQ_URL}`);
    const secs = (n: number) => `${Number(n.toFixed(3))} s`;
    say(
      `Timings          visibility ${secs(config.VISIBILITY_TIMEOUT_SECONDS)}, worker timeout ` +
        `${secs(config.WORKER_TIMEOUT_SECONDS)}, dead letter after ${config.MAX_RECEIVE_COUNT} receives, ` +
        (config.SWEEP_INTERVAL_MS > 0
          ? `sweeper every ${secs(config.SWEEP_INTERVAL_MS / 1000)} (re-send after ` +
            `${secs(config.SWEEP_AFTER_SECONDS)}, give up after ${secs(config.SWEEP_GIVE_UP_SECONDS)})`
          : 'sweeper off (SWEEP_INTERVAL_MS=0)'),
    );

    if (firstStart && config.SEED === 'demo') {
      const doc = createDocumentClient({ region: config.AWS_REGION, endpoint: dynamodbEndpoint });
      const n = await seedDemoData(new DynamoDbShopRepository(doc, config.TABLE_NAME, config.SHOP_TIMEZONE));
      doc.destroy();
      say(`Demo data        ${n} appointments today and tomorrow`);
    }

    const credentials = verifierCredentials(config.AUTH_KEYS);
    // loadLocalConfig checked that a key of PROXY_ROLE exists.
    const proxyKey = keyForRole(config.PROXY_ROLE, config.AUTH_KEYS) as NonNullable<
      ReturnType<typeof keyForRole>
    >;
    // The gateway's own request lines, outside any invocation; the handlers log through the app's.
    const log = createLog(config);
    const app = await startLocalApp(serviceConfig, {
      port: config.PORT,
      host: config.HOST,
      pollers: config.POLLERS,
      workerTimeoutSeconds: config.WORKER_TIMEOUT_SECONDS,
      sweepIntervalMs: config.SWEEP_INTERVAL_MS,
      staticFiles: opts.staticFiles,
      apiDocs: opts.apiDocs,
      authenticate:
        config.AUTH === 'iam'
          ? (req) => verifySigV4(req, { credentials, region: config.AWS_REGION })
          : undefined,
      requestLog:
        opts.verbose === false
          ? undefined
          : (e) => log.info('request', { method: e.method, path: e.path, status: e.status, ms: e.ms }),
    });
    stops.push(app.stop);

    let proxy: SigningProxy | undefined;
    if (opts.startProxy !== false) {
      proxy = await startSigningProxy({
        port: config.PROXY_PORT,
        host: config.HOST,
        targetUrl: app.gateway.url,
        region: config.AWS_REGION,
        credentials: { accessKeyId: proxyKey.accessKeyId, secretAccessKey: proxyKey.secretAccessKey },
      });
      stops.push(proxy.close);
    }

    if (opts.writeEndpointsFile) {
      const path = await writeEndpointsFile(config.DATA_DIR, {
        region: config.AWS_REGION,
        api_url: app.gateway.url,
        proxy_url: proxy?.url ?? null,
        dynamodb_endpoint: dynamodbEndpoint,
        sqs_endpoint: sqsEndpoint,
        table_name: config.TABLE_NAME,
        move_queue_url: serviceConfig.MOVE_QUEUE_URL,
        dlq_url: serviceConfig.DLQ_URL,
        pid: process.pid,
        started_at: new Date().toISOString(),
      });
      // Pushed last, so a stop removes it first: no script finds a half-stopped stack.
      stops.push(() => removeEndpointsFile(config.DATA_DIR));
      say(`Endpoints file   ${path}  (read by npm run redrive-dlq and npm run health-check)`);
    }

    say('');
    say(`API (function URL stand-in)  ${app.gateway.url}   ${config.AUTH === 'iam' ? 'SigV4 required' : ''}`);
    if (proxy) {
      say(
        `Signing proxy                ${proxy.url}   use this one with curl and the browser (signs as ${proxyKey.accessKeyId}, ${proxyKey.role}; PROXY_ROLE picks another)`,
      );
    }
    say(`Keys             ${config.AUTH_KEYS.map((k) => `${k.accessKeyId} (${k.role})`).join(', ')}`);
    if (config.WRITE_POLICY !== 'open') say(`Write policy     ${config.WRITE_POLICY}`);
    if (proxy && opts.staticFiles) say(`Board page                   ${proxy.url}/`);
    if (proxy) say(`OpenAPI document             ${proxy.url}/api/openapi.json`);
    if (proxy && opts.apiDocs) say(`API reference                ${proxy.url}/api/docs`);
    if (config.AUTH === 'none') {
      say('');
      say('*** WARNING: AUTH=none: the API accepts UNSIGNED requests from anyone who can reach it. ***');
      say('');
    }
    say(`Try: curl ${proxy?.url ?? app.gateway.url}/healthz`);
    say('Ctrl-C stops everything.');
    return { apiUrl: app.gateway.url, proxyUrl: proxy?.url, app, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * A fresh in-memory stack on free loopback ports, with no demo data and SigV4 on: what the load
 * test and the benchmark run against.
 */
export function startThrowawayStack(opts: {
  tableName: string;
  pollers: number;
  logLevel?: string;
  startProxy?: boolean;
}): Promise<RunningStack> {
  const config = loadLocalConfig({
    PORT: '0',
    PROXY_PORT: '0',
    HOST: '127.0.0.1',
    SEED: 'none',
    AUTH: 'iam',
    POLLERS: String(opts.pollers),
    LOG_LEVEL: opts.logLevel ?? 'warn',
    METRICS_SINK: 'off',
    TABLE_NAME: opts.tableName,
  });
  return startLocalStackFromConfig(config, { inMemory: true, verbose: false, startProxy: opts.startProxy });
}
