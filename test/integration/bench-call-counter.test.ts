/**
 * The bench's call counter (loadtest/bench/server.ts) on DynamoDB Local: every command by name, and
 * a failed one again by its error, a cancelled transaction by its items' cancellation codes (what
 * says whether the submit's transaction fell back).
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../infra/aws-clients';
import { countCalls, type CountableStack } from '../../loadtest/bench/server';
import { ensureTable } from '../../local/table-setup';
import { localServices } from '../support/test-app';

let admin: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let calls: Record<string, number>;
const tableName = `counter-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const { region, dynamodbEndpoint: endpoint } = localServices();
  admin = new DynamoDBClient({
    region,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(admin, tableName);
});

beforeEach(() => {
  const { region, dynamodbEndpoint: endpoint } = localServices();
  doc = createDocumentClient({ region, endpoint });
  calls = {};
  countCalls(doc.middlewareStack as unknown as CountableStack, calls);
});

afterEach(() => doc.destroy());

afterAll(async () => {
  await admin.send(new DeleteTableCommand({ TableName: tableName }));
  admin.destroy();
});

describe('the bench call counter', () => {
  it('counts a cancelled transaction again by its items’ cancellation codes', async () => {
    const submit = doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: tableName,
              Key: { PK: 'APPT#none', SK: 'APPT#none' },
              ConditionExpression: 'attribute_exists(PK)',
            },
          },
          { Put: { TableName: tableName, Item: { PK: 'MOVE#m1', SK: 'MOVE#m1' } } },
        ],
      }),
    );

    await expect(submit).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(calls).toEqual({
      TransactWriteItemsCommand: 1,
      'TransactWriteItemsCommand!ConditionalCheckFailed,None': 1,
    });
  });

  it('counts a successful call once and a failed plain call again by its error name', async () => {
    await doc.send(new GetCommand({ TableName: tableName, Key: { PK: 'x', SK: 'x' } }));
    await expect(
      doc.send(new GetCommand({ TableName: `${tableName}-missing`, Key: { PK: 'x', SK: 'x' } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    expect(calls).toEqual({ GetItemCommand: 2, 'GetItemCommand!ResourceNotFoundException': 1 });
  });
});
