/** The catalog seeding script against DynamoDB Local, as an operator runs it after a first deploy. */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SERVICE_CATALOG } from '../../domain/catalog';
import { createDocumentClient } from '../../infra/aws-clients';
import { DynamoDbShopRepository } from '../../infra/dynamodb/dynamodb-shop-repository';
import { ensureTable } from '../../local/table-setup';
import { run } from '../../scripts/seed-catalog';
import { localServices } from '../support/test-app';

it('writes the whole catalog into an empty table, and again without duplicates', async () => {
  const { region, dynamodbEndpoint } = localServices();
  const table = `catalog-${randomUUID().slice(0, 8)}`;
  const raw = new DynamoDBClient({
    region,
    endpoint: dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(raw, table);
  raw.destroy();
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), env: {} };
  const args = ['--table', table, '--region', region, '--endpoint', dynamodbEndpoint];

  expect(await run(args, io)).toBe(0);
  expect(await run(args, io)).toBe(0);

  const doc = createDocumentClient({ region, endpoint: dynamodbEndpoint });
  const services = await new DynamoDbShopRepository(doc, table, 'UTC').listServices();
  doc.destroy();
  expect(services.map((s) => s.code).sort()).toEqual(SERVICE_CATALOG.map((s) => s.code).sort());
  expect(out[0]).toContain(`written to ${table}`);
});

it('refuses to run without a table name', async () => {
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), env: {} };
  expect(await run([], io)).toBe(2);
  expect(out.join('\n')).toContain('--table');
});
