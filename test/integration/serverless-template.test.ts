/**
 * Packages serverless.yml with osls (offline, into a temp dir, so a stale .serverless/ is never
 * read) and checks the CloudFormation template it generates: the table against the code's own
 * definition, the FIFO queue and its redrive, the worker's event source mapping, the function URL,
 * least-privilege IAM, the alarms and the dashboard.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MOVE_STATUSES } from '../../domain/move';
import { parsePrincipalRoles, resolveCaller } from '../../domain/roles';
import { loadServiceConfig } from '../../infra/config';
import { keys, tableDefinition } from '../../infra/dynamodb/table';
import { DLQ_NAME, MAX_RECEIVE_COUNT, MOVE_QUEUE_NAME } from '../../infra/move-queues';
import { METRICS_NAMESPACE } from '../../infra/metrics';
import { API_RESERVED_CONCURRENCY } from '../../local/local-config';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const OSLS = join(ROOT, 'node_modules/osls/bin/serverless.js');
// prod: the stage with every protection on (deletion protection, Retain).
const STAGE = 'prod';
const REGION = 'us-west-2';
// Its own esbuild work folder, so a concurrent `npm run package` is not disturbed.
const WORK_FOLDER = join('.esbuild', `template-test-${process.pid}`);

type Json = any;
interface Resource {
  Type: string;
  Properties: Json;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, Json>;
}

let template: Template;
let packageDir: string;
let artifacts: string[];

beforeAll(async () => {
  packageDir = await mkdtemp(join(tmpdir(), 'edgar-package-'));
  await run(
    process.execPath,
    [OSLS, 'package', '--stage', STAGE, '--region', REGION, '--package', packageDir],
    {
      cwd: ROOT,
      env: { ...process.env, ESBUILD_WORK_FOLDER: WORK_FOLDER },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 170_000,
    },
  );
  artifacts = await readdir(packageDir);
  template = JSON.parse(
    await readFile(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
}, 180_000);

afterAll(async () => {
  // serverless-esbuild removes its work folder itself, unless packaging failed half-way.
  await rm(join(ROOT, WORK_FOLDER), { recursive: true, force: true });
  if (packageDir) await rm(packageDir, { recursive: true, force: true });
});

function resource(logicalId: string, type: string): Resource {
  const found = template.Resources[logicalId];
  expect(found).toBeDefined();
  expect(found?.Type).toBe(type);
  return found as Resource;
}

function resourcesOfType(type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

const getAtt = (logicalId: string, attribute: string) => ({ 'Fn::GetAtt': [logicalId, attribute] });
const ref = (logicalId: string) => ({ Ref: logicalId });
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const FUNCTIONS = {
  api: { logicalId: 'ApiLambdaFunction', handler: 'handlers/api.handler', role: 'ApiRole' },
  worker: { logicalId: 'WorkerLambdaFunction', handler: 'handlers/move-worker.handler', role: 'WorkerRole' },
  sweeper: { logicalId: 'SweeperLambdaFunction', handler: 'handlers/sweeper.handler', role: 'SweeperRole' },
} as const;
type FunctionKey = keyof typeof FUNCTIONS;
const FUNCTION_KEYS = Object.keys(FUNCTIONS) as FunctionKey[];

/** A caller role's ARN as CloudFormation would give it on this stage. */
const CALLER_ROLE_ARN = (role: string) => `arn:aws:iam::123456789012:role/edgar-auto-shop-${STAGE}-${role}`;
const CALLER_ROLES = {
  ViewerCallerRole: 'viewer',
  StaffCallerRole: 'staff',
  AdminCallerRole: 'admin',
} as const;

/** Evaluates the few intrinsics the environment uses (Ref, GetAtt of a caller role, Join). */
function resolveCfn(value: unknown, refs: Record<string, string>): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if ('Ref' in v) return refs[v.Ref] ?? 'unresolved';
  if ('Fn::GetAtt' in v) {
    const [id, attr] = v['Fn::GetAtt'] as [keyof typeof CALLER_ROLES, string];
    return attr === 'Arn' && id in CALLER_ROLES ? CALLER_ROLE_ARN(CALLER_ROLES[id]) : 'unresolved';
  }
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveCfn(p, refs)).join(sep);
  }
  return 'unresolved';
}

describe('osls package', () => {
  it('writes the template and one bundle per function', () => {
    expect(artifacts).toEqual(
      expect.arrayContaining([
        'cloudformation-template-update-stack.json',
        'api.zip',
        'worker.zip',
        'sweeper.zip',
      ]),
    );
  });
});

describe('the DynamoDB table', () => {
  const code = tableDefinition('ignored');
  const table = () => resource('Table', 'AWS::DynamoDB::Table').Properties;
  const byName = <T extends { AttributeName?: string; IndexName?: string }>(items: T[]) =>
    [...items].sort((a, b) =>
      String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)),
    );

  it('has the key schema and attribute definitions of infra/dynamodb/table.ts', () => {
    expect(table().KeySchema).toEqual(code.KeySchema);
    expect(byName(table().AttributeDefinitions)).toEqual(byName(code.AttributeDefinitions ?? []));
  });

  it('has exactly the indexes of infra/dynamodb/table.ts, with their keys and projections', () => {
    const deployed = table().GlobalSecondaryIndexes as Json[];
    const expected = code.GlobalSecondaryIndexes ?? [];
    expect(deployed.map((i) => i.IndexName).sort()).toEqual(expected.map((i) => i.IndexName).sort());
    for (const index of expected) {
      const mine = deployed.find((i) => i.IndexName === index.IndexName);
      expect(mine.KeySchema).toEqual(index.KeySchema);
      expect(mine.Projection.ProjectionType).toBe(index.Projection?.ProjectionType);
      expect([...(mine.Projection.NonKeyAttributes ?? [])].sort()).toEqual(
        [...(index.Projection?.NonKeyAttributes ?? [])].sort(),
      );
    }
  });

  it('is on demand, with point-in-time recovery, and protected from deletion on prod', () => {
    expect(table().BillingMode).toBe('PAY_PER_REQUEST');
    expect(table().PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table().DeletionProtectionEnabled).toBe(true);
    expect(resource('Table', 'AWS::DynamoDB::Table').DeletionPolicy).toBe('Retain');
  });
});

describe('the move queues', () => {
  const queue = () => resource('MoveQueue', 'AWS::SQS::Queue').Properties;
  const dlq = () => resource('MoveDeadLetterQueue', 'AWS::SQS::Queue').Properties;

  it('are FIFO, named like the local ones, and encrypted', () => {
    expect(queue().FifoQueue).toBe(true);
    expect(dlq().FifoQueue).toBe(true);
    expect(queue().QueueName).toMatch(new RegExp(`-${MOVE_QUEUE_NAME.replace('.', '\\.')}$`));
    expect(dlq().QueueName).toMatch(new RegExp(`-${DLQ_NAME.replace('.', '\\.')}$`));
    expect(queue().SqsManagedSseEnabled).toBe(true);
    expect(dlq().SqsManagedSseEnabled).toBe(true);
  });

  it('use high-throughput FIFO: dedup and throughput per message group', () => {
    expect(queue().DeduplicationScope).toBe('messageGroup');
    expect(queue().FifoThroughputLimit).toBe('perMessageGroupId');
    // The sender names the dedup id (the move_id).
    expect(queue().ContentBasedDeduplication).toBe(false);
  });

  it('redrive to the DLQ after the same receive count as the local stack', () => {
    expect(queue().RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt('MoveDeadLetterQueue', 'Arn'),
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
  });

  it('tell the worker the redrive receive count, and give up on a move only after the worker could retry it', () => {
    const env = (key: string) =>
      resource(FUNCTIONS[key as keyof typeof FUNCTIONS].logicalId, 'AWS::Lambda::Function').Properties
        .Environment.Variables as Record<string, string>;
    expect(Number(env('worker').MAX_RECEIVE_COUNT)).toBe(queue().RedrivePolicy.maxReceiveCount);
    expect(env('sweeper')).toMatchObject({ SWEEP_AFTER_SECONDS: '60', SWEEP_GIVE_UP_SECONDS: '900' });
    expect(env('api').SWEEP_AFTER_SECONDS).toBe(env('sweeper').SWEEP_AFTER_SECONDS);
    expect(Number(env('sweeper').SWEEP_GIVE_UP_SECONDS)).toBeGreaterThan(
      queue().RedrivePolicy.maxReceiveCount * queue().VisibilityTimeout,
    );
  });

  it('hide a received message for at least 6 × the worker timeout', () => {
    const workerTimeout = resource('WorkerLambdaFunction', 'AWS::Lambda::Function').Properties.Timeout;
    expect(queue().VisibilityTimeout).toBeGreaterThanOrEqual(6 * workerTimeout);
  });
});

describe('the functions', () => {
  it.each(FUNCTION_KEYS)('%s runs the bundled handler on nodejs24.x, arm64, with JSON logs', (key) => {
    const fn = resource(FUNCTIONS[key].logicalId, 'AWS::Lambda::Function').Properties;
    expect(fn.Handler).toBe(FUNCTIONS[key].handler);
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
    expect(fn.Role).toEqual(getAtt(FUNCTIONS[key].role, 'Arn'));
  });

  it.each(FUNCTION_KEYS)('%s gets an environment infra/config.ts accepts, without AWS_REGION', (key) => {
    const env = resource(FUNCTIONS[key].logicalId, 'AWS::Lambda::Function').Properties.Environment
      .Variables as Record<string, unknown>;
    expect(env).not.toHaveProperty('AWS_REGION');
    expect(env.TABLE_NAME).toEqual(ref('Table'));
    expect(env.MOVE_QUEUE_URL).toEqual(ref('MoveQueue'));
    expect(env.DLQ_URL).toEqual(ref('MoveDeadLetterQueue'));
    // What CloudFormation substitutes for each Ref, then the cold-start validation itself.
    const resolved: Record<string, string> = {
      Table: `edgar-auto-shop-${STAGE}`,
      MoveQueue: `https://sqs.${REGION}.amazonaws.com/123456789012/q.fifo`,
      MoveDeadLetterQueue: `https://sqs.${REGION}.amazonaws.com/123456789012/dlq.fifo`,
    };
    const plain = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, resolveCfn(v, resolved)]));
    const config = loadServiceConfig({ ...plain, AWS_REGION: REGION });
    expect(config.METRICS_SINK).toBe('auto');
    expect(config.SHOP_TIMEZONE).toBe('UTC');
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
    expect(config.SQS_ENDPOINT).toBeUndefined();
  });

  it('keep their logs for a set number of days', () => {
    const groups = resourcesOfType('AWS::Logs::LogGroup');
    expect(groups).toHaveLength(FUNCTION_KEYS.length);
    for (const [, group] of groups) expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('runs the sweeper on a schedule', () => {
    const rules = resourcesOfType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toEqual([
      expect.objectContaining({
        ScheduleExpression: expect.stringMatching(/^rate\(/),
        Targets: [expect.objectContaining({ Arn: getAtt('SweeperLambdaFunction', 'Arn') })],
      }),
    ]);
  });
});

describe("the worker's event source mapping", () => {
  const mapping = () => {
    const mappings = resourcesOfType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    return (mappings[0] as [string, Resource])[1].Properties;
  };

  it('feeds moves.fifo to the worker in FIFO-sized batches with no batching window', () => {
    expect(mapping().EventSourceArn).toEqual(getAtt('MoveQueue', 'Arn'));
    expect(mapping().FunctionName).toEqual(getAtt('WorkerLambdaFunction', 'Arn'));
    expect(mapping().BatchSize).toBe(10);
    expect(mapping().MaximumBatchingWindowInSeconds).toBeUndefined();
  });

  it('reports partial batch failures and caps its concurrency', () => {
    expect(mapping().FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping().ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
  });
});

describe('the function URL', () => {
  const url = () => resource('ApiLambdaFunctionUrl', 'AWS::Lambda::Url').Properties;

  it('fronts the API with IAM auth', () => {
    expect(url().TargetFunctionArn).toEqual(getAtt('ApiLambdaFunction', 'Arn'));
    expect(url().AuthType).toBe('AWS_IAM');
    // No resource policy opens it to the public.
    for (const [, permission] of resourcesOfType('AWS::Lambda::Permission')) {
      expect(permission.Properties.FunctionUrlAuthType).not.toBe('NONE');
    }
  });

  it("keeps the seed's CORS settings, with a named origin since credentials are allowed", () => {
    expect(url().Cors).toEqual({
      AllowCredentials: true,
      AllowHeaders: ['content-type', 'x-amz-date', 'authorization', 'x-api-key', 'x-amz-security-token'],
      AllowMethods: ['GET', 'POST', 'PATCH'],
      AllowOrigins: [expect.stringMatching(/^https?:\/\/[^*]+$/)],
      ExposeHeaders: ['date', 'keep-alive'],
      MaxAge: 86400,
    });
  });

  it('comes with a policy for its callers that names only this function', () => {
    const statements = resource('ApiCallerPolicy', 'AWS::IAM::ManagedPolicy').Properties.PolicyDocument
      .Statement as Json[];
    expect(statements.flatMap((s) => asList(s.Action)).sort()).toEqual([
      'lambda:InvokeFunction',
      'lambda:InvokeFunctionUrl',
    ]);
    for (const s of statements) expect(s.Resource).toEqual(getAtt('ApiLambdaFunction', 'Arn'));
  });
});

describe('IAM', () => {
  const TABLE = getAtt('Table', 'Arn');
  const index = (name: string) => ({ 'Fn::Sub': `\${Table.Arn}/index/${name}` });
  const QUEUE = getAtt('MoveQueue', 'Arn');

  /** action → resources, per function, as read from the code paths each handler reaches. */
  const EXPECTED: Record<FunctionKey, Record<string, unknown[]>> = {
    api: {
      'dynamodb:GetItem': [TABLE],
      'dynamodb:ConditionCheckItem': [TABLE],
      'dynamodb:PutItem': [TABLE],
      'dynamodb:DeleteItem': [TABLE],
      'dynamodb:Query': [TABLE, index('by_day'), index('by_month')],
      'dynamodb:DescribeTable': [TABLE],
      // Three statements: STATS# items (day bumps), REV# items (board revisions, in the card's
      // transaction) and MOVE# items (re-sends).
      'dynamodb:UpdateItem': [TABLE, TABLE, TABLE],
      'dynamodb:BatchWriteItem': [TABLE],
      'dynamodb:BatchGetItem': [TABLE],
      'sqs:SendMessage': [QUEUE],
      'sqs:GetQueueAttributes': [QUEUE],
      'logs:CreateLogStream': [getAtt('ApiLogGroup', 'Arn')],
      'logs:PutLogEvents': [getAtt('ApiLogGroup', 'Arn')],
    },
    worker: {
      'dynamodb:BatchGetItem': [TABLE],
      'dynamodb:GetItem': [TABLE],
      'dynamodb:PutItem': [TABLE],
      // Three statements: STATS# items (day bumps), REV# items (board revisions, in the applied
      // move's transaction) and MOVE# items (failed on the last delivery).
      'dynamodb:UpdateItem': [TABLE, TABLE, TABLE],
      'sqs:ReceiveMessage': [QUEUE],
      'sqs:DeleteMessage': [QUEUE],
      'sqs:GetQueueAttributes': [QUEUE],
      'logs:CreateLogStream': [getAtt('WorkerLogGroup', 'Arn')],
      'logs:PutLogEvents': [getAtt('WorkerLogGroup', 'Arn')],
    },
    sweeper: {
      'dynamodb:Query': [index('pending_moves')],
      // The zone guard's item only (PK=TABLE): read it, or claim a table that has none.
      'dynamodb:GetItem': [TABLE],
      'dynamodb:PutItem': [TABLE],
      'dynamodb:UpdateItem': [TABLE],
      'sqs:SendMessage': [QUEUE],
      'logs:CreateLogStream': [getAtt('SweeperLogGroup', 'Arn')],
      'logs:PutLogEvents': [getAtt('SweeperLogGroup', 'Arn')],
    },
  };

  function granted(roleLogicalId: string): Record<string, unknown[]> {
    const role = resource(roleLogicalId, 'AWS::IAM::Role').Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    const out: Record<string, unknown[]> = {};
    for (const policy of role.Policies as Json[]) {
      for (const statement of policy.PolicyDocument.Statement as Json[]) {
        expect(statement.Effect).toBe('Allow');
        for (const action of asList<string>(statement.Action)) {
          out[action] = [...(out[action] ?? []), ...asList(statement.Resource)];
        }
      }
    }
    return out;
  }

  it('gives each function its own role and creates no shared one', () => {
    expect(
      resourcesOfType('AWS::IAM::Role')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['ApiRole', 'SweeperRole', 'WorkerRole', ...Object.keys(CALLER_ROLES)].sort());
  });

  it.each(FUNCTION_KEYS)('grants %s exactly the actions and ARNs its code uses', (key) => {
    const actual = granted(FUNCTIONS[key].role);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(EXPECTED[key]).sort());
    for (const [action, resources] of Object.entries(EXPECTED[key])) {
      expect(actual[action]).toEqual(expect.arrayContaining(resources));
      expect(actual[action]).toHaveLength(resources.length);
    }
  });

  const leadingKeys = (prefix: string) => ({
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}*`] },
  });
  const STATS = keys.statsMonthPartition('');
  const MOVES = keys.move('').PK;
  const REVS = keys.revMonthPartition('');

  it.each([
    [
      'ApiRole',
      [
        [['dynamodb:BatchWriteItem', 'dynamodb:UpdateItem'], STATS],
        [['dynamodb:UpdateItem'], REVS],
        [['dynamodb:UpdateItem'], MOVES],
      ],
    ],
    [
      'WorkerRole',
      [
        [['dynamodb:UpdateItem'], STATS],
        [['dynamodb:UpdateItem'], REVS],
        [['dynamodb:UpdateItem'], MOVES],
      ],
    ],
    ['SweeperRole', [[['dynamodb:UpdateItem'], MOVES]]],
  ] as const)(
    '%s may update only stats day items (STATS#), board revisions (REV#) and move items (MOVE#): %j',
    (role, expected) => {
      const statements = (resource(role, 'AWS::IAM::Role').Properties.Policies as Json[]).flatMap(
        (p) => p.PolicyDocument.Statement as Json[],
      );
      const writes = statements.filter((s) =>
        asList<string>(s.Action).some((a) => a === 'dynamodb:UpdateItem' || a === 'dynamodb:BatchWriteItem'),
      );
      expect(writes.map((w) => [asList<string>(w.Action).sort(), w.Condition])).toEqual(
        expected.map(([actions, prefix]) => [[...actions], leadingKeys(prefix)]),
      );
    },
  );

  it("lets the sweeper read and write only the table's zone item (PK=TABLE), for the zone guard", () => {
    const statements = (resource('SweeperRole', 'AWS::IAM::Role').Properties.Policies as Json[]).flatMap(
      (p) => p.PolicyDocument.Statement as Json[],
    );
    const items = statements.filter((s) => asList<string>(s.Action).includes('dynamodb:GetItem'));
    expect(items.map((s) => [asList<string>(s.Action).sort(), s.Condition])).toEqual([
      [
        ['dynamodb:GetItem', 'dynamodb:PutItem'],
        { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [keys.tableZone.PK] } },
      ],
    ]);
  });

  it('lets the api batch-read only cards (APPT# keys), for the stats of settled days', () => {
    const statements = (resource('ApiRole', 'AWS::IAM::Role').Properties.Policies as Json[]).flatMap(
      (p) => p.PolicyDocument.Statement as Json[],
    );
    const reads = statements.filter((s) => asList<string>(s.Action).includes('dynamodb:BatchGetItem'));
    expect(reads).toHaveLength(1);
    expect(asList<string>(reads[0].Action)).toEqual(['dynamodb:BatchGetItem']);
    expect(reads[0].Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${keys.appointment('').PK}*`] },
    });
  });

  it('never grants a wildcard action or resource', () => {
    for (const [, role] of resourcesOfType('AWS::IAM::Role')) {
      for (const policy of role.Properties.Policies as Json[]) {
        for (const statement of policy.PolicyDocument.Statement as Json[]) {
          for (const action of asList<string>(statement.Action)) expect(action).not.toContain('*');
          for (const target of asList(statement.Resource)) {
            expect(JSON.stringify(target)).not.toMatch(/\*/);
          }
        }
      }
    }
  });

  it('lets the roles name only indexes the table has', () => {
    const indexes = (tableDefinition('t').GlobalSecondaryIndexes ?? []).map((i) => i.IndexName);
    const named = JSON.stringify(template.Resources).match(/\/index\/[A-Za-z0-9_.-]+/g) ?? [];
    expect(named.length).toBeGreaterThan(0);
    for (const n of named) expect(indexes).toContain(n.slice('/index/'.length));
  });

  /**
   * A tripwire for the day an adapter starts sending a new command: the IAM table above (and
   * serverless.yml) must then be looked at again.
   */
  it('covers every DynamoDB and SQS command the adapters send', async () => {
    const ACTION_OF: Record<string, string[]> = {
      GetCommand: ['dynamodb:GetItem'],
      PutCommand: ['dynamodb:PutItem'],
      DeleteCommand: ['dynamodb:DeleteItem'],
      UpdateCommand: ['dynamodb:UpdateItem'],
      QueryCommand: ['dynamodb:Query'],
      BatchGetCommand: ['dynamodb:BatchGetItem'],
      // Puts, the board revision's Update and the submit's ConditionCheck in our transactions.
      TransactWriteCommand: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      DescribeTableCommand: ['dynamodb:DescribeTable'],
      SendMessageCommand: ['sqs:SendMessage'],
      GetQueueAttributesCommand: ['sqs:GetQueueAttributes'],
      // Stored stats figures (the api, STATS# keys only). Catalog seeding (putServices) also
      // batches, but runs only in the local stack (local/table-setup.ts).
      BatchWriteCommand: ['dynamodb:BatchWriteItem'],
    };
    const files = [
      'infra/dynamodb/dynamodb-move-repository.ts',
      'infra/dynamodb/dynamodb-shop-repository.ts',
      'infra/dynamodb/cached-catalog.ts',
      'infra/dynamodb/dynamodb-stats-day-store.ts',
      'infra/dynamodb/board-revisions.ts',
      'infra/sqs-move-queue.ts',
    ];
    const used = new Set<string>();
    for (const file of files) {
      const source = await readFile(join(ROOT, file), 'utf8');
      for (const m of source.matchAll(/\bnew (\w+Command)\(/g)) used.add(m[1] as string);
    }
    expect([...used].filter((c) => !(c in ACTION_OF))).toEqual([]);
    const grantedAnywhere = new Set(
      Object.values(FUNCTIONS).flatMap(({ role }) => Object.keys(granted(role))),
    );
    for (const command of used) {
      for (const action of ACTION_OF[command] ?? []) expect(grantedAnywhere).toContain(action);
    }
  });
});

describe('the api function', () => {
  it("reserves the concurrency the local gateway enforces (API_CONCURRENCY's default)", () => {
    expect(
      resource('ApiLambdaFunction', 'AWS::Lambda::Function').Properties.ReservedConcurrentExecutions,
    ).toBe(API_RESERVED_CONCURRENCY);
  });
});

describe('the caller roles', () => {
  const apiEnv = () =>
    resource('ApiLambdaFunction', 'AWS::Lambda::Function').Properties.Environment.Variables as Record<
      string,
      unknown
    >;

  it.each(Object.keys(CALLER_ROLES))(
    '%s may only call this function URL, and only this account may assume it',
    (id) => {
      const role = resource(id, 'AWS::IAM::Role').Properties;
      expect(role.RoleName).toBe(`edgar-auto-shop-${STAGE}-${CALLER_ROLES[id as keyof typeof CALLER_ROLES]}`);
      expect(role.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:root' } },
          Action: 'sts:AssumeRole',
        },
      ]);
      const statements = (role.Policies as Json[]).flatMap((p) => p.PolicyDocument.Statement as Json[]);
      const fnArn = {
        'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:edgar-auto-shop-${STAGE}-api`,
      };
      expect(statements).toEqual([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunctionUrl',
          Resource: fnArn,
          Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        },
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fnArn },
      ]);
      // The ARN spelled out is the API function's own name.
      expect(resource('ApiLambdaFunction', 'AWS::Lambda::Function').Properties.FunctionName).toBe(
        `edgar-auto-shop-${STAGE}-api`,
      );
    },
  );

  it('passes the API the mapping from each role ARN to its app role, which maps their sessions', () => {
    const principals = parsePrincipalRoles(resolveCfn(apiEnv().AUTH_PRINCIPALS, {}));
    expect([...principals]).toEqual([
      [CALLER_ROLE_ARN('viewer'), 'viewer'],
      [CALLER_ROLE_ARN('staff'), 'staff'],
      [CALLER_ROLE_ARN('admin'), 'admin'],
    ]);
    for (const role of ['viewer', 'staff', 'admin'] as const) {
      const session = `arn:aws:sts::123456789012:assumed-role/edgar-auto-shop-${STAGE}-${role}/maria`;
      expect(resolveCaller({ accessKey: 'ASIAEXAMPLE', userArn: session }, principals)).toEqual({
        ok: true,
        actor: { role, principal: session },
      });
    }
  });

  it("sets prod's write policy explicitly (moves-only unless the stage parameter says otherwise)", () => {
    expect(apiEnv().WRITE_POLICY).toBe('moves-only');
  });

  it('never lets unsigned requests have a role on AWS', () => {
    for (const key of FUNCTION_KEYS) {
      const env = resource(FUNCTIONS[key].logicalId, 'AWS::Lambda::Function').Properties.Environment
        .Variables;
      expect(env).not.toHaveProperty('AUTH_UNSIGNED_ROLE');
    }
  });
});

describe('alarms', () => {
  const alarm = (id: string) => resource(id, 'AWS::CloudWatch::Alarm').Properties;

  it.each([
    ['ApiErrorsAlarm', 'ApiLambdaFunction'],
    ['WorkerErrorsAlarm', 'WorkerLambdaFunction'],
    ['SweeperErrorsAlarm', 'SweeperLambdaFunction'],
  ])('%s fires on 5 or more errors in each of two 5-minute periods', (id, fn) => {
    expect(alarm(id)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref(fn) }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('watches API latency at p95, not the average', () => {
    const latency = alarm('ApiLatencyAlarm');
    expect(latency).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Dimensions: [{ Name: 'FunctionName', Value: ref('ApiLambdaFunction') }],
      ExtendedStatistic: 'p95',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(latency.Statistic).toBeUndefined();
    expect(latency.Threshold).toBeGreaterThan(0);
  });

  it('fires as soon as the DLQ holds a message', () => {
    expect(alarm('DeadLetterQueueNotEmptyAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt('MoveDeadLetterQueue', 'QueueName') }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('watches the age of the oldest message on moves.fifo', () => {
    const age = alarm('MoveQueueAgeAlarm');
    expect(age).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: getAtt('MoveQueue', 'QueueName') }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(age.Threshold).toBeGreaterThan(0);
  });

  it('sends every alarm and recovery to the alarm topic', () => {
    for (const [, a] of resourcesOfType('AWS::CloudWatch::Alarm')) {
      expect(a.Properties.AlarmActions).toEqual([ref('AlarmTopic')]);
      expect(a.Properties.OKActions).toEqual([ref('AlarmTopic')]);
    }
  });

  describe('OCC conflict rate', () => {
    const OUTCOMES = ['noop', ...MOVE_STATUSES.filter((s) => s !== 'pending')];
    const conflictAlarm = () => alarm('ConflictRateAlarm');
    const queries = () => conflictAlarm().Metrics as Json[];
    const byValue = (a: { Value: string }, b: { Value: string }) => a.Value.localeCompare(b.Value);

    /**
     * Evaluates the alarm's metric math on one period's values (undefined = no datapoint), with
     * IF and FILL as CloudWatch defines them; the expressions use nothing else.
     */
    function evaluate(values: Record<string, number | undefined>): number {
      const IF = (cond: boolean, yes: number, no: number) => (cond ? yes : no);
      const FILL = (v: number | undefined, fill: number) => v ?? fill;
      const scope: Record<string, number | undefined> = { ...values };
      const expressions = queries().filter((q) => q.Expression);
      // Expressions refer to the ones after them ("rate" uses "total"): evaluate in reverse.
      for (const q of [...expressions].reverse()) {
        const ids = Object.keys(scope);
        const fn = new Function('IF', 'FILL', ...ids, `return (${q.Expression});`) as (
          ...args: unknown[]
        ) => number;
        scope[q.Id] = fn(IF, FILL, ...ids.map((id) => scope[id]));
      }
      const result = queries().find((q) => q.ReturnData);
      return scope[result.Id] as number;
    }

    /** One 5-minute period: `moves` per outcome, and the matching occ_conflicts_total. */
    function period(moves: Partial<Record<string, number>>): Record<string, number | undefined> {
      const values: Record<string, number | undefined> = { conflicts: moves.conflict };
      for (const q of queries().filter((m) => m.MetricStat)) {
        const dim = q.MetricStat.Metric.Dimensions?.[0]?.Value as string | undefined;
        if (dim) values[q.Id] = moves[dim];
      }
      return values;
    }

    it('divides occ_conflicts_total by moves_total of every outcome, in the EMF namespace', () => {
      const stats = queries().filter((q) => q.MetricStat);
      for (const q of stats) {
        expect(q.MetricStat.Metric.Namespace).toBe(METRICS_NAMESPACE);
        expect(q.MetricStat.Stat).toBe('Sum');
        expect(q.MetricStat.Period).toBe(300);
        expect(q.ReturnData).toBe(false);
      }
      const moves = stats.filter((q) => q.MetricStat.Metric.MetricName === 'moves_total');
      for (const q of moves) expect(q.MetricStat.Metric.Dimensions).toHaveLength(1);
      expect(moves.map((q) => q.MetricStat.Metric.Dimensions[0]).sort(byValue)).toEqual(
        OUTCOMES.map((o) => ({ Name: 'outcome', Value: o })).sort(byValue),
      );
      expect(stats.filter((q) => q.MetricStat.Metric.MetricName === 'occ_conflicts_total')).toHaveLength(1);
      expect(queries().filter((q) => q.ReturnData)).toHaveLength(1);
    });

    it('fires above 10 % in three 5-minute periods in a row', () => {
      expect(conflictAlarm()).toMatchObject({
        Threshold: 0.1,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
      });
    });

    it.each([
      {
        name: '20 conflicts in 100 moves',
        moves: { applied: 70, noop: 5, conflict: 20, rejected: 5 },
        rate: 0.2,
      },
      { name: '5 conflicts in 100 moves', moves: { applied: 95, conflict: 5 }, rate: 0.05 },
      {
        name: 'no conflict (occ_conflicts_total has no datapoint)',
        moves: { applied: 40, failed: 2 },
        rate: 0,
      },
      { name: 'a period with no moves', moves: {}, rate: 0 },
      { name: 'too few moves to judge', moves: { applied: 1, conflict: 1 }, rate: 0 },
    ])('reads $name as $rate', ({ moves, rate }) => {
      expect(evaluate(period(moves))).toBeCloseTo(rate, 10);
    });
  });
});

describe('the dashboard', () => {
  const body = () => {
    const props = resource('Dashboard', 'AWS::CloudWatch::Dashboard').Properties;
    expect(typeof props.DashboardBody).toBe('string');
    return JSON.parse(props.DashboardBody) as { widgets: Json[] };
  };
  const titles = () => body().widgets.map((w) => String(w.properties.title));
  const widget = (pattern: RegExp) => body().widgets.find((w) => pattern.test(w.properties.title));

  it('shows conflict rate, latency percentiles, queue depth and age, and worker errors', () => {
    for (const pattern of [
      /conflict rate/i,
      /p50/,
      /p95/,
      /p99/,
      /queue depth/i,
      /oldest message/i,
      /worker errors/i,
    ]) {
      expect(titles().some((t) => pattern.test(t))).toBe(true);
    }
  });

  it.each(['p50', 'p95', 'p99'])('plots move latency %s for every transition', (stat) => {
    const w = widget(new RegExp(`latency ${stat}`));
    const expression = String(w.properties.metrics[0][0].expression);
    expect(expression).toContain(`{${METRICS_NAMESPACE},transition}`);
    expect(expression).toContain('move_latency_ms');
    expect(expression).toContain(`'${stat}'`);
  });

  it('plots the queues and the worker of this stage', () => {
    const text = JSON.stringify(body());
    expect(text).toContain(`edgar-auto-shop-${STAGE}-${MOVE_QUEUE_NAME}`);
    expect(text).toContain(`edgar-auto-shop-${STAGE}-${DLQ_NAME}`);
    expect(text).toContain(`edgar-auto-shop-${STAGE}-worker`);
    expect(text).toContain(`"region":"${REGION}"`);
  });
});
