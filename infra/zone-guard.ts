/**
 * The zone guard: a table written under one SHOP_TIMEZONE is never read or written under another.
 * Its day keys are local days of the zone it was written with; read under another zone, the board
 * of a day would miss the cards of its first or last hours and stored stats days would add up the
 * wrong appointments, silently. So start-up and every function's first invocation compare the
 * table's zone item with SHOP_TIMEZONE and refuse to run when they differ.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ServiceConfig } from './config';
import { claimTableZone } from './dynamodb/table-zone';
import type { Logger } from './observability';

export class TableZoneMismatchError extends Error {
  constructor(
    readonly configured: string,
    readonly table: string,
    readonly tableZone: string,
  ) {
    super(
      `SHOP_TIMEZONE is ${configured} but table ${table} is keyed by local days of ${tableZone}: ` +
        `set SHOP_TIMEZONE=${tableZone}, or re-key the table with ` +
        `\`npm run reindex-days -- --to ${configured}\` (docs/operations.md, changing the shop's time zone)`,
    );
    this.name = 'TableZoneMismatchError';
  }
}

export interface ZoneGuardDeps {
  doc: DynamoDBDocumentClient;
  config: Pick<ServiceConfig, 'SHOP_TIMEZONE' | 'TABLE_NAME'>;
  log: Pick<Logger, 'error'>;
  now(): string;
}

/** Throws TableZoneMismatchError unless the table's zone is SHOP_TIMEZONE (claiming a table that has none). */
export async function checkTableZone(deps: ZoneGuardDeps): Promise<void> {
  const { SHOP_TIMEZONE: zone, TABLE_NAME: table } = deps.config;
  const tableZone = await claimTableZone(deps.doc, table, zone, deps.now());
  if (tableZone !== zone) throw new TableZoneMismatchError(zone, table, tableZone);
}

/**
 * checkTableZone, remembered once it passed; each call awaits it. A failed check is not
 * remembered: after reindex-days the same warm container recovers at its next invocation instead
 * of failing until it is recycled.
 */
export function zoneGuard(deps: ZoneGuardDeps): () => Promise<void> {
  let passed: Promise<void> | undefined;
  return () => {
    passed ??= checkTableZone(deps).catch((err: unknown) => {
      passed = undefined;
      deps.log.error('refusing to run: the table zone check failed', { err });
      throw err;
    });
    return passed;
  };
}

/** Wraps a handler so it runs only over a table of its SHOP_TIMEZONE (the Lambda's cold start check). */
export function withZoneGuard<E, C, R>(
  getDeps: () => { ensureTableZone(): Promise<void> },
  handler: (event: E, context: C) => Promise<R>,
): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    await getDeps().ensureTableZone();
    return handler(event, context);
  };
}
