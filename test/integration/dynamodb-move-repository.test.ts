/**
 * The DynamoDB adapter keeps the MoveRepository port's promises, on DynamoDB Local: the same
 * contract suite the unit tests' in-memory fake passes. Each test gets a table of its own, since
 * listDueMoves reads every pending move of its table.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../infra/aws-clients';
import { DynamoDbMoveRepository } from '../../infra/dynamodb/dynamodb-move-repository';
import { appointmentItem } from '../../infra/dynamodb/items';
import { ensureTable } from '../../local/table-setup';
import { moveRepositoryContract } from '../support/move-repository-contract';
import { localServices } from '../support/test-app';

let admin: DynamoDBClient;
let doc: DynamoDBDocumentClient;
const tables: string[] = [];

beforeAll(() => {
  const { region, dynamodbEndpoint: endpoint } = localServices();
  admin = new DynamoDBClient({
    region,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // The client the handlers use, with its marshalling options.
  doc = createDocumentClient({ region, endpoint });
});

afterEach(async () => {
  await Promise.all(tables.splice(0).map((TableName) => admin.send(new DeleteTableCommand({ TableName }))));
});

afterAll(() => {
  doc?.destroy();
  admin?.destroy();
});

moveRepositoryContract('DynamoDbMoveRepository', async () => {
  const tableName = `contract-${randomUUID().slice(0, 8)}`;
  await ensureTable(admin, tableName);
  tables.push(tableName);
  return {
    repository: new DynamoDbMoveRepository(doc, tableName, 'UTC'),
    putCard: async (card) => {
      await doc.send(new PutCommand({ TableName: tableName, Item: appointmentItem(card, 'UTC') }));
    },
  };
});
