/**
 * Wires the adapters for one process (a Lambda container or the local stack): SDK clients,
 * repositories, the queue and metrics, created once and shared by every invocation.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { MoveTimings } from '../domain/move';
import type { MoveQueue, MoveRepository, ShopRepository, StatsDayStore } from '../domain/ports';
import { createDocumentClient, createSqsClient } from './aws-clients';
import { serviceConfig, type ServiceConfig } from './config';
import { DynamoDbMoveRepository } from './dynamodb/dynamodb-move-repository';
import { CachedCatalogShopRepository } from './dynamodb/cached-catalog';
import { DynamoDbShopRepository } from './dynamodb/dynamodb-shop-repository';
import { DynamoDbStatsDayStore } from './dynamodb/dynamodb-stats-day-store';
import { createObservability, type Logger, type MoveMetrics } from './observability';
import { SqsMoveQueue } from './sqs-move-queue';
import { zoneGuard } from './zone-guard';

export interface Container {
  config: ServiceConfig;
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  shop: ShopRepository;
  moves: MoveRepository;
  statsDays: StatsDayStore;
  queue: MoveQueue;
  metrics: MoveMetrics;
  /** The shop's time zone (SHOP_TIMEZONE): the use cases' local days. */
  timeZone: string;
  /** The sweeper's schedule, from SWEEP_AFTER_SECONDS and SWEEP_GIVE_UP_SECONDS. */
  moveTimings: MoveTimings;
  log: Logger;
  /**
   * The zone guard: resolves once the table's zone item is SHOP_TIMEZONE (claiming a table that
   * has none), rejects with TableZoneMismatchError otherwise. Every handler awaits it first.
   */
  ensureTableZone(): Promise<void>;
  newId(): string;
  newMoveId(): string;
  now(): string;
  sleep(ms: number): Promise<void>;
}

export function createContainer(config: ServiceConfig, overrides: Partial<Container> = {}): Container {
  const doc =
    overrides.doc ?? createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  const sqs = overrides.sqs ?? createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  const { log, metrics } = createObservability(config, overrides.log);
  const now = overrides.now ?? (() => new Date().toISOString());
  return {
    config,
    doc,
    sqs,
    statsDays: new DynamoDbStatsDayStore(doc, config.TABLE_NAME, log),
    shop: new CachedCatalogShopRepository(
      new DynamoDbShopRepository(doc, config.TABLE_NAME, config.SHOP_TIMEZONE),
    ),
    moves: new DynamoDbMoveRepository(doc, config.TABLE_NAME, config.SHOP_TIMEZONE),
    timeZone: config.SHOP_TIMEZONE,
    queue: new SqsMoveQueue(sqs, config.MOVE_QUEUE_URL),
    metrics,
    moveTimings: {
      sweepAfterSeconds: config.SWEEP_AFTER_SECONDS,
      giveUpSeconds: config.SWEEP_GIVE_UP_SECONDS,
    },
    log,
    ensureTableZone: zoneGuard({ doc, config, log, now }),
    newId: () => randomUUID(),
    newMoveId: () => randomUUID(),
    now,
    sleep: (ms) => sleep(ms),
    ...overrides,
  };
}

let lambdaContainer: Container | undefined;
/** The container of a Lambda instance, built from the environment at cold start. */
export function defaultContainer(): Container {
  lambdaContainer ??= createContainer(serviceConfig());
  return lambdaContainer;
}
