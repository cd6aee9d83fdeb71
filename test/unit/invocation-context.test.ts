/**
 * Every log line of an invocation carries its Lambda context (request id, cold start, function
 * name; the API adds method and route), with the contexts the local runtime hands out. No
 * services: the worker's lines come from a message it cannot parse, the API's from a DynamoDB
 * call failed at the SDK before it leaves.
 */
import type { SQSEvent } from 'aws-lambda';
import { createApiHandler } from '../../handlers/api';
import type { ParsedEvent } from '../../handlers/http/middleware';
import { createMoveWorker } from '../../handlers/move-worker';
import { loadServiceConfig } from '../../infra/config';
import { createContainer, type Container } from '../../infra/container';
import { createLog } from '../../infra/observability';
import { LOCAL_FUNCTION_NAMES, localLambdaContext } from '../../local/lambda-context';
import { toSqsRecord } from '../../local/sqs-poller';
import { injectFault } from '../support/fault-injection';

type Line = Record<string, unknown>;

/** A container whose clients point at a port nothing listens on, and whose log lines are kept. */
function containerLoggingTo(lines: Line[]): Container {
  const config = loadServiceConfig({
    MOVE_QUEUE_URL: 'http://127.0.0.1:9/000000000000/moves.fifo',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    SQS_ENDPOINT: 'http://127.0.0.1:9',
    METRICS_SINK: 'off',
    // These events carry no IAM caller (as with AUTH=none): give them a role, so they reach the route.
    AUTH_UNSIGNED_ROLE: 'admin',
  });
  return createContainer(config, {
    log: createLog({ LOG_LEVEL: 'debug' }, (l) => lines.push(JSON.parse(l))),
    // No table behind these endpoints: the zone guard's check passes here (tested in zone-guard.test.ts).
    ensureTableZone: async () => undefined,
  });
}

const workerContext = (requestId: string) =>
  localLambdaContext({
    functionName: LOCAL_FUNCTION_NAMES.worker,
    region: 'us-west-2',
    timeoutMs: 5000,
    requestId,
  });

const unreadableMessage = (id: string): SQSEvent => ({
  Records: [
    toSqsRecord(
      { MessageId: id, Body: 'not json', Attributes: { ApproximateReceiveCount: '1', MessageGroupId: 'a1' } },
      'arn:aws:sqs:us-west-2:000000000000:moves.fifo',
      'us-west-2',
    ),
  ],
});

function apiEvent(method: string, path: string, requestId: string): ParsedEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId,
    },
    isBase64Encoded: false,
  } as unknown as ParsedEvent;
}

describe('log lines of a worker invocation', () => {
  let lines: Line[];
  let deps: Container;
  beforeEach(() => {
    lines = [];
    deps = containerLoggingTo(lines);
  });
  afterEach(() => {
    deps.doc.destroy();
    deps.sqs.destroy();
  });

  it('carry the request id and function name, and cold start only on the first invocation', async () => {
    const worker = createMoveWorker(() => deps);

    await worker(unreadableMessage('m-1'), workerContext('req-1'));
    await worker(unreadableMessage('m-2'), workerContext('req-2'));

    const acknowledged = lines.filter((l) => l.msg === 'malformed move message acknowledged');
    expect(acknowledged).toEqual([
      expect.objectContaining({
        message_id: 'm-1',
        function_request_id: 'req-1',
        function_name: LOCAL_FUNCTION_NAMES.worker,
        cold_start: true,
      }),
      expect.objectContaining({
        message_id: 'm-2',
        function_request_id: 'req-2',
        function_name: LOCAL_FUNCTION_NAMES.worker,
        cold_start: false,
      }),
    ]);
  });

  it('carry cold start, without request id or function name, when no context is given', async () => {
    const worker = createMoveWorker(() => deps);

    await worker(unreadableMessage('m-3'));

    const line = lines.find((l) => l.msg === 'malformed move message acknowledged');
    expect(line).toMatchObject({ cold_start: true });
    expect(line).not.toHaveProperty('function_request_id');
    expect(line).not.toHaveProperty('function_name');
  });

  it('carry no invocation fields once the invocation is over', async () => {
    const worker = createMoveWorker(() => deps);
    await worker(unreadableMessage('m-4'), workerContext('req-4'));

    deps.log.info('after the invocation');

    expect(lines.at(-1)).toMatchObject({ msg: 'after the invocation' });
    expect(lines.at(-1)).not.toHaveProperty('function_request_id');
    expect(lines.at(-1)).not.toHaveProperty('cold_start');
  });
});

describe('log lines of an API invocation', () => {
  let lines: Line[];
  let deps: Container;
  beforeEach(() => {
    lines = [];
    deps = containerLoggingTo(lines);
    injectFault(
      deps.doc,
      () => true,
      () => new Error('injected: DynamoDB unreachable'),
    );
  });
  afterEach(() => {
    deps.doc.destroy();
    deps.sqs.destroy();
  });

  const apiContext = (requestId: string) =>
    localLambdaContext({
      functionName: LOCAL_FUNCTION_NAMES.api,
      region: 'us-west-2',
      timeoutMs: 5000,
      requestId,
    });

  it('carry the method and matched route beside the Lambda context', async () => {
    const api = createApiHandler(() => deps);

    const res = await api(apiEvent('GET', '/api/admin/services', 'r-1'), apiContext('r-1'));

    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    const failures = lines.filter((l) => l.level === 'warn' || l.level === 'error');
    expect(failures.length).toBeGreaterThan(0);
    for (const line of failures) {
      expect(line).toMatchObject({
        function_request_id: 'r-1',
        function_name: LOCAL_FUNCTION_NAMES.api,
        cold_start: true,
        method: 'GET',
        route: '/api/admin/services',
        path: '/api/admin/services',
      });
    }
  });

  it('keep each of two concurrent invocations to its own request id, route and cold start', async () => {
    const api = createApiHandler(() => deps);

    await Promise.all([
      api(apiEvent('GET', '/api/admin/services', 'r-a'), apiContext('r-a')),
      api(apiEvent('GET', '/api/admin/appointments/a-42', 'r-b'), apiContext('r-b')),
    ]);

    const failures = lines.filter((l) => l.level === 'warn' || l.level === 'error');
    const seen = new Set(failures.map((l) => JSON.stringify([l.function_request_id, l.route, l.cold_start])));
    expect(seen).toEqual(
      new Set([
        JSON.stringify(['r-a', '/api/admin/services', true]),
        JSON.stringify(['r-b', '/api/admin/appointments/{id}', false]),
      ]),
    );
  });
});
