/** Creates the table and its indexes if missing, and seeds the service catalog. Idempotent. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { SERVICE_CATALOG } from '../domain/catalog';
import type { ShopRepository } from '../domain/ports';
import { tableDefinition } from '../infra/dynamodb/table';

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existed'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'existed';
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  return 'created';
}

export async function seedCatalog(shop: ShopRepository): Promise<void> {
  await shop.putServices(SERVICE_CATALOG);
}
