/**
 * `npm run seed-catalog -- --table NAME`: writes the service catalog (domain/catalog.ts) into a
 * table, e.g. after the first deploy of a stage; idempotent (it overwrites the catalog items).
 * The local stack does this itself at start-up.
 */
import { SERVICE_CATALOG } from '../domain/catalog';
import { DEFAULT_TIME_ZONE } from '../domain/days';
import { createDocumentClient } from '../infra/aws-clients';
import { DynamoDbShopRepository } from '../infra/dynamodb/dynamodb-shop-repository';
import { UsageError, main, parseOptions, processIo, runScript, stringOption, type ScriptIo } from './lib/cli';

const HELP = `Usage: npm run seed-catalog -- --table NAME [--region NAME] [--endpoint URL]

Writes the ${SERVICE_CATALOG.length} services of domain/catalog.ts into the table (BatchWriteItem;
needs credentials allowed dynamodb:BatchWriteItem on it). Run once per stage after the first
deploy, and again whenever the catalog changes.

Options:
  --table NAME     the table (env TABLE_NAME)
  --region NAME    (env AWS_REGION, default us-west-2)
  --endpoint URL   a DynamoDB endpoint other than AWS's (env DYNAMODB_ENDPOINT), e.g. DynamoDB Local
  -h, --help       this text`;

export async function run(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript('seed-catalog', io, async () => {
    const values = parseOptions(argv, {
      table: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const table = stringOption(values, 'table') ?? io.env.TABLE_NAME;
    if (!table) throw new UsageError('give --table NAME (or TABLE_NAME)');
    const region = stringOption(values, 'region') ?? io.env.AWS_REGION ?? 'us-west-2';
    const endpoint = stringOption(values, 'endpoint') ?? io.env.DYNAMODB_ENDPOINT;
    const doc = createDocumentClient({ region, endpoint });
    try {
      // The catalog has no day keys: the zone is never used.
      await new DynamoDbShopRepository(doc, table, DEFAULT_TIME_ZONE).putServices(SERVICE_CATALOG);
      io.out(
        `seed-catalog: ${SERVICE_CATALOG.map((s) => s.code).join(', ')} written to ${table} (${region})`,
      );
      return 0;
    } catch (err) {
      io.err(`seed-catalog: ${(err as Error).name}: ${(err as Error).message}`);
      return 1;
    } finally {
      doc.destroy();
    }
  });
}

if (require.main === module) main(run);
