/**
 * `npm run reindex-days -- --to ZONE`: re-keys the table to another shop time zone. Day keys
 * (by_day `DAY#<day>`, by_month `MONTH#<month>`) are local days of the table's zone, and so are the
 * stored stats days (`STATS#<month>`, `DAY#<day>#REV|FIG`); the zone guard (infra/zone-guard.ts)
 * stops every function while SHOP_TIMEZONE differs from the table's zone item. In order:
 *
 * 1. every appointment's day keys are recomputed in the new zone and rewritten where they differ
 *    (an UpdateItem of the two index keys, conditional on the card's appt_start being the one read);
 * 2. the stored stats days are retired (deleted): the next stats requests recompute and store them
 *    by the new local days;
 * 3. the table's zone item is set to the new zone, last.
 *
 * A crash midway leaves the zone item as it was, so the guard keeps tripping, and a rerun finishes
 * the job; a rerun after success finds nothing to do and writes nothing. No partition lists every
 * appointment (the day indexes are keyed by the very days being changed), so this reads the table
 * with a paginated Scan: an operator migration, never a request path (docs/operations.md).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  ScanCommand,
  type GetCommandOutput,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { DEFAULT_TIME_ZONE, canonicalTimeZone } from '../domain/days';
import { createDocumentClient } from '../infra/aws-clients';
import { appointmentDayKeys } from '../infra/dynamodb/items';
import { keys } from '../infra/dynamodb/table';
import { readTableZone, writeTableZone } from '../infra/dynamodb/table-zone';
import { UsageError, main, parseOptions, processIo, runScript, stringOption, type ScriptIo } from './lib/cli';
import { findLocalStack } from './lib/local-stack';

const HELP = `Usage: npm run reindex-days -- --to ZONE [options]

Re-keys the table's days to the shop time zone ZONE (an IANA name such as America/Los_Angeles):
every appointment's by_day and by_month keys become its local day in ZONE, the stored stats days
are deleted (the next stats requests recompute them), and the table's zone item is set to ZONE,
last. Prints a line per page of the table read. Safe to rerun: a run that stopped midway is
finished, a finished one finds nothing to do.

Run it with the service stopped by its zone guard (SHOP_TIMEZONE already set to ZONE, so nothing
writes meanwhile), then the functions start again: docs/operations.md, "Changing the shop's time zone".

Options:
  --to ZONE                the new time zone (required)
  --table-name NAME        the table (env TABLE_NAME)
  --dynamodb-endpoint URL  DynamoDB other than AWS's, e.g. DynamoDB Local (env DYNAMODB_ENDPOINT)
  --region NAME            (env AWS_REGION, else us-west-2)
  --dry-run                say what it would do and change nothing
  -h, --help               this text

Against \`npm start\`, give no table: it comes from the stack's DATA_DIR/endpoints.json (DATA_DIR
default .data). On AWS, with your AWS credentials:
  TABLE_NAME=edgar-auto-shop-prod npm run reindex-days -- --to America/Los_Angeles --dry-run`;

/** The attributes a page of the scan needs: enough to recompute a card's keys or delete a stats item. */
const SCAN_PROJECTION = 'PK, SK, id, appt_start, GSI1PK, GSI2PK';

export interface ReindexSummary {
  from: string;
  to: string;
  scanned: number;
  appointments: number;
  rekeyed: number;
  statsRetired: number;
  zoneWritten: boolean;
}

type Item = Record<string, unknown>;

/** Rewrites a card's two day keys; on a card changed since it was read, reads it again and retries. */
async function rekey(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: Item,
  zone: string,
): Promise<void> {
  let current: Item | undefined = item;
  for (let attempt = 1; attempt <= 3 && current; attempt++) {
    const next = appointmentDayKeys({ id: String(current.id), appt_start: String(current.appt_start) }, zone);
    if (current.GSI1PK === next.GSI1PK && current.GSI2PK === next.GSI2PK) return;
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: current.PK, SK: current.SK },
          UpdateExpression: 'SET GSI1PK = :day, GSI2PK = :month',
          ConditionExpression: 'appt_start = :start',
          ExpressionAttributeValues: {
            ':day': next.GSI1PK,
            ':month': next.GSI2PK,
            ':start': current.appt_start,
          },
        }),
      );
      return;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const key = { PK: current.PK, SK: current.SK };
      const reread: GetCommandOutput = await doc.send(
        new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
      );
      current = reread.Item;
    }
  }
  if (current) throw new Error(`appointment ${String(item.id)} kept changing while it was re-keyed`);
}

/** Deletes items by key, 25 a call, resending what DynamoDB leaves unprocessed. */
async function deleteAll(doc: DynamoDBDocumentClient, tableName: string, itemKeys: Item[]): Promise<void> {
  for (let i = 0; i < itemKeys.length; i += 25) {
    let requests = itemKeys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const res = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (res.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

/** The migration itself (see the file's comment); `dryRun` reads and counts, and writes nothing. */
export async function reindexDays(
  doc: DynamoDBDocumentClient,
  tableName: string,
  to: string,
  opts: { dryRun: boolean; progress(line: string): void; now(): string },
): Promise<ReindexSummary> {
  // A table with no zone item predates the zone: its days were always UTC days.
  const stored = await readTableZone(doc, tableName);
  const from = stored ?? DEFAULT_TIME_ZONE;
  const zoneItemMissing = stored === undefined;
  const summary: ReindexSummary = {
    from,
    to,
    scanned: 0,
    appointments: 0,
    rekeyed: 0,
    statsRetired: 0,
    zoneWritten: false,
  };
  const stats: Item[] = [];
  const would = opts.dryRun ? 'would be ' : '';
  let start: Item | undefined;
  let page = 0;
  do {
    const res: ScanCommandOutput = await doc.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ProjectionExpression: SCAN_PROJECTION,
        FilterExpression: 'SK = :appt OR begins_with(PK, :stats)',
        ExpressionAttributeValues: {
          ':appt': keys.appointment('x').SK,
          ':stats': keys.statsMonthPartition(''),
        },
        ExclusiveStartKey: start,
      }),
    );
    start = res.LastEvaluatedKey;
    page += 1;
    summary.scanned += res.ScannedCount ?? 0;
    for (const item of res.Items ?? []) {
      if (String(item.PK).startsWith(keys.statsMonthPartition(''))) {
        stats.push({ PK: item.PK, SK: item.SK });
        continue;
      }
      summary.appointments += 1;
      const next = appointmentDayKeys({ id: String(item.id), appt_start: String(item.appt_start) }, to);
      if (item.GSI1PK === next.GSI1PK && item.GSI2PK === next.GSI2PK) continue;
      summary.rekeyed += 1;
      if (!opts.dryRun) await rekey(doc, tableName, item, to);
    }
    opts.progress(
      `reindex-days: page ${page}: ${summary.scanned} items read, ${summary.appointments} appointments, ` +
        `${summary.rekeyed} ${would}re-keyed`,
    );
  } while (start);

  // Stored days are of the old zone's days (or of cards just re-keyed): all of them go. Once the
  // zone item says `to` and no card needed re-keying, the stored days are of `to` and stay.
  if (from !== to || zoneItemMissing || summary.rekeyed > 0) {
    summary.statsRetired = stats.length;
    if (!opts.dryRun) await deleteAll(doc, tableName, stats);
    opts.progress(`reindex-days: ${stats.length} stored stats day items ${would}retired`);
  }
  if (from !== to || zoneItemMissing) {
    summary.zoneWritten = true;
    if (!opts.dryRun) await writeTableZone(doc, tableName, to, opts.now());
    opts.progress(`reindex-days: table zone ${would}set to ${to} (was ${from})`);
  }
  return summary;
}

/** The table and endpoint, from the options, the environment or the local stack's endpoints file. */
async function resolveTable(values: Record<string, string | boolean | undefined>, io: ScriptIo) {
  let tableName = stringOption(values, 'table-name') ?? (io.env.TABLE_NAME || undefined);
  let endpoint = stringOption(values, 'dynamodb-endpoint') ?? (io.env.DYNAMODB_ENDPOINT || undefined);
  let region = stringOption(values, 'region') ?? (io.env.AWS_REGION || undefined);
  let source: string | undefined;
  if (!tableName) {
    const local = await findLocalStack(io.env, '--table-name');
    if (local) {
      tableName = local.endpoints.table_name;
      endpoint ??= local.endpoints.dynamodb_endpoint;
      region ??= local.endpoints.region;
      source = local.path;
    }
  }
  if (!tableName) throw new UsageError('give --table-name (or TABLE_NAME), or run npm start');
  return { tableName, endpoint, region: region ?? 'us-west-2', source };
}

export async function run(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript('reindex-days', io, async () => {
    const values = parseOptions(argv, {
      to: { type: 'string' },
      'table-name': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      region: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const raw = stringOption(values, 'to');
    if (!raw)
      throw new UsageError('give --to ZONE, the new time zone (an IANA name such as America/Los_Angeles)');
    const to = canonicalTimeZone(raw);
    if (!to) throw new UsageError(`--to ${raw} is not an IANA time zone (such as America/Los_Angeles)`);
    const target = await resolveTable(values, io);
    if (target.source) io.out(`reindex-days: the local stack in ${target.source}`);
    const dryRun = values['dry-run'] === true;
    const doc = createDocumentClient({ region: target.region, endpoint: target.endpoint });
    try {
      io.out(`reindex-days: table ${target.tableName}${dryRun ? ' (dry run: nothing is written)' : ''}`);
      const s = await reindexDays(doc, target.tableName, to, {
        dryRun,
        progress: (line) => io.out(line),
        now: () => new Date().toISOString(),
      });
      const would = dryRun ? 'would be ' : '';
      io.out(
        s.rekeyed === 0 && s.statsRetired === 0 && !s.zoneWritten
          ? `reindex-days: nothing to do: the table is keyed by local days of ${to}`
          : `reindex-days: ${s.rekeyed} of ${s.appointments} appointments ${would}re-keyed from ${s.from} to ${to}, ` +
              `${s.statsRetired} stats day items ${would}retired, zone ${s.zoneWritten ? `${would}set to ${to}` : 'unchanged'}`,
      );
      return 0;
    } catch (err) {
      io.err(`reindex-days: ${(err as Error).message}`);
      return 1;
    } finally {
      doc.destroy();
    }
  });
}

if (require.main === module) main(run);
