/**
 * The local runtime behaves like AWS where the worker's rules depend on it: the SQS emulator
 * hands out several messages of one group per receive (and locks the group while any is in
 * flight), and the local event source mapping enforces the function timeout.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { createSqsClient } from '../../infra/aws-clients';
import { readEndpointsFile } from '../../local/endpoints-file';
import { loadLocalConfig } from '../../local/local-config';
import { startLocalStackFromConfig } from '../../local/run-local-stack';
import { ensureMoveQueues } from '../../local/sqs-local';
import { startPoller, type Poller } from '../../local/sqs-poller';
import { eventually, localServices } from '../support/test-app';

const services = localServices();
let sqs: SQSClient;
beforeAll(() => {
  sqs = createSqsClient({ region: services.region, endpoint: services.sqsEndpoint });
});
afterAll(() => {
  sqs.destroy();
});

/** Fresh queues of their own on the shared emulator. */
async function queues(opts: { visibilityTimeoutSeconds: number; maxReceiveCount?: number }) {
  return ensureMoveQueues(sqs, { ...opts, prefix: `lr${randomUUID().slice(0, 8)}-` });
}

async function send(queueUrl: string, group: string, body: string): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: randomUUID(),
    }),
  );
}

async function receive(queueUrl: string, max = 10): Promise<Message[]> {
  const res = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return res.Messages ?? [];
}

async function remove(queueUrl: string, messages: Array<Message | undefined>): Promise<void> {
  for (const m of messages) {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m?.ReceiptHandle }));
  }
}

const view = (messages: Message[]) =>
  messages.map((m) => ({ body: m.Body, count: m.Attributes?.ApproximateReceiveCount }));

/** Receives until something comes back, within a bound (waiting out a visibility timeout). */
function receiveEventually(queueUrl: string, timeoutMs = 10_000): Promise<Message[]> {
  return eventually(async () => {
    const messages = await receive(queueUrl);
    return messages.length > 0 ? messages : undefined;
  }, timeoutMs);
}

describe('the SQS emulator (fauxqs, patched for group batches)', () => {
  it('hands out several messages of one group in one receive, in order, each received once', async () => {
    const { queueUrl } = await queues({ visibilityTimeoutSeconds: 30 });
    for (const body of ['a1', 'a2', 'a3']) await send(queueUrl, 'card-a', body);

    const batch = await receive(queueUrl);

    expect(view(batch)).toEqual([
      { body: 'a1', count: '1' },
      { body: 'a2', count: '1' },
      { body: 'a3', count: '1' },
    ]);
  });

  it("keeps a group locked while its batch is in flight, and still hands out another group's", async () => {
    const { queueUrl } = await queues({ visibilityTimeoutSeconds: 30 });
    for (const body of ['a1', 'a2', 'a3']) await send(queueUrl, 'card-a', body);
    await receive(queueUrl);
    await send(queueUrl, 'card-a', 'a4');
    await send(queueUrl, 'card-b', 'b1');

    const second = await receive(queueUrl);

    expect(view(second)).toEqual([{ body: 'b1', count: '1' }]);
  });

  it('unlocks the group only when every message of its batch is deleted', async () => {
    const { queueUrl } = await queues({ visibilityTimeoutSeconds: 30 });
    for (const body of ['a1', 'a2', 'a3']) await send(queueUrl, 'card-a', body);
    const [a1, a2, a3] = await receive(queueUrl);
    await send(queueUrl, 'card-a', 'a4');

    await remove(queueUrl, [a1, a2]);
    const whileOneInFlight = await receive(queueUrl);
    await remove(queueUrl, [a3]);
    const afterAll = await receive(queueUrl);

    expect(whileOneInFlight).toEqual([]);
    expect(view(afterAll)).toEqual([{ body: 'a4', count: '1' }]);
  });

  it('brings the whole batch back in order after the visibility timeout, each received twice', async () => {
    const { queueUrl } = await queues({ visibilityTimeoutSeconds: 1 });
    for (const body of ['a1', 'a2', 'a3']) await send(queueUrl, 'card-a', body);
    await receive(queueUrl);

    const again = await receiveEventually(queueUrl);

    expect(view(again)).toEqual([
      { body: 'a1', count: '2' },
      { body: 'a2', count: '2' },
      { body: 'a3', count: '2' },
    ]);
  });

  it('hands out nothing more of a group that has a message in flight from an earlier receive', async () => {
    const { queueUrl } = await queues({ visibilityTimeoutSeconds: 30 });
    for (const body of ['a1', 'a2', 'a3']) await send(queueUrl, 'card-a', body);
    const first = await receive(queueUrl, 1);

    const second = await receive(queueUrl);

    expect(view(first)).toEqual([{ body: 'a1', count: '1' }]);
    expect(second).toEqual([]);
  });

  it('keeps the groups of one batch together and each in order', async () => {
    const { queueUrl } = await queues({ visibilityTimeoutSeconds: 30 });
    for (const [group, body] of [
      ['card-a', 'a1'],
      ['card-b', 'b1'],
      ['card-a', 'a2'],
      ['card-b', 'b2'],
      ['card-a', 'a3'],
    ]) {
      await send(queueUrl, group as string, body as string);
    }

    const batch = await receive(queueUrl);

    expect(batch.map((m) => m.Body)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
  });

  it('moves a message received more than maxReceiveCount times to the DLQ', async () => {
    const { queueUrl, dlqUrl } = await queues({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    await send(queueUrl, 'card-a', 'poison');
    await receive(queueUrl);
    await receiveEventually(queueUrl);

    const dead = await eventually(async () => {
      await receive(queueUrl);
      const messages = await receive(dlqUrl);
      return messages.length > 0 ? messages : undefined;
    });

    expect(dead.map((m) => m.Body)).toEqual(['poison']);
  });
});

describe('the group-batch patch', () => {
  const ROOT = resolve(__dirname, '../..');
  /**
   * Runs the patch in a process of its own: it loads fauxqs's ES modules by file URL, which Jest's
   * module sandbox does not allow.
   */
  async function patchInChild(script: string): Promise<string> {
    const { stdout } = await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['-e', `const l = require(${JSON.stringify(join(ROOT, 'local/sqs-local.ts'))});\n${script}`],
      { cwd: ROOT, timeout: 20_000 },
    );
    return stdout.trim();
  }

  it('stops start-up, naming the fauxqs version, when the internals it wraps are missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-fauxqs-'));
    await mkdir(join(dir, 'dist/sqs'), { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"type":"module","version":"9.9.9"}');
    await writeFile(
      join(dir, 'dist/sqs/sqsStore.js'),
      'export class SqsQueue { dequeue() { return []; } }\n',
    );

    const output = await patchInChild(
      `l.patchFauxqsGroupBatches(${JSON.stringify(dir)}, '9.9.9').then(() => console.log('patched'), (e) => console.log(e.message));`,
    );
    await rm(dir, { recursive: true, force: true });

    expect(output).toBe(
      'fauxqs 9.9.9 does not have the internals local/sqs-local.ts patches ' +
        '(no SqsQueue.prototype.dequeueFifo); pin fauxqs to 2.4.1 or update the patch',
    );
  });

  it('wraps dequeueFifo once however often the emulator starts in a process', async () => {
    const output = await patchInChild(
      `(async () => {
        const dir = l.fauxqsDir();
        const store = await import(require('node:url').pathToFileURL(dir + '/dist/sqs/sqsStore.js').href);
        await l.patchFauxqsGroupBatches(dir, 'x');
        const once = store.SqsQueue.prototype.dequeueFifo;
        await l.patchFauxqsGroupBatches(dir, 'x');
        console.log(once === store.SqsQueue.prototype.dequeueFifo ? 'same' : 'wrapped again');
      })();`,
    );

    expect(output).toBe('same');
  });
});

describe('the local event source mapping', () => {
  let poller: Poller | undefined;
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });

  it('fails the whole batch of a handler slower than the function timeout, which comes back after the visibility timeout', async () => {
    const { queueUrl } = await queues({ visibilityTimeoutSeconds: 1 });
    for (const body of ['a1', 'a2']) await send(queueUrl, 'card-a', body);
    const deliveries: Array<{ records: Array<{ body: string; count: string }>; remainingMs: number }> = [];
    const timeouts: Array<{ timeoutMs: number; messageIds: string[] }> = [];
    const handler = async (event: SQSEvent, context: Context) => {
      deliveries.push({
        records: event.Records.map((r) => ({ body: r.body, count: r.attributes.ApproximateReceiveCount })),
        remainingMs: context.getRemainingTimeInMillis(),
      });
      // The first delivery overruns the timeout, then reports success: too late to count.
      if (deliveries.length === 1) await new Promise((r) => setTimeout(r, 600));
      return { batchItemFailures: [] };
    };

    poller = await startPoller({
      sqs,
      queueUrl,
      region: services.region,
      handler,
      concurrency: 1,
      waitTimeSeconds: 1,
      functionTimeoutMs: 200,
      onTimeout: (info) => timeouts.push(info),
    });
    await eventually(async () => (deliveries.length >= 2 ? true : undefined), 15_000);

    expect(deliveries.map((d) => d.records)).toEqual([
      [
        { body: 'a1', count: '1' },
        { body: 'a2', count: '1' },
      ],
      [
        { body: 'a1', count: '2' },
        { body: 'a2', count: '2' },
      ],
    ]);
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]).toMatchObject({ timeoutMs: 200 });
    expect(timeouts[0]?.messageIds).toHaveLength(2);
    expect(deliveries[0]?.remainingMs).toBeGreaterThan(0);
    expect(deliveries[0]?.remainingMs).toBeLessThanOrEqual(200);
  });

  it('deletes the batch of a handler that returns within the function timeout', async () => {
    const { queueUrl } = await queues({ visibilityTimeoutSeconds: 1 });
    await send(queueUrl, 'card-a', 'a1');
    const seen: string[] = [];

    poller = await startPoller({
      sqs,
      queueUrl,
      region: services.region,
      handler: async (event) => {
        seen.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
      concurrency: 1,
      waitTimeSeconds: 1,
      functionTimeoutMs: 5000,
    });
    await eventually(async () => (seen.length > 0 ? true : undefined));
    await poller.stop();
    poller = undefined;
    // Past the visibility timeout: a message not deleted would be visible again.
    await new Promise((r) => setTimeout(r, 1200));

    expect(seen).toEqual(['a1']);
    expect(await receive(queueUrl)).toEqual([]);
  });
});

describe("npm start's endpoints file", () => {
  /** A stack on the shared services, with queues of its own so no other test's poller meets it. */
  async function startStack(dataDir: string, writeEndpointsFile: boolean) {
    const id = randomUUID().slice(0, 8);
    const config = loadLocalConfig({
      PORT: '0',
      PROXY_PORT: '0',
      HOST: '127.0.0.1',
      SEED: 'none',
      TABLE_NAME: `endpoints-${id}`,
      AWS_REGION: services.region,
      DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
      SQS_ENDPOINT: services.sqsEndpoint,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      METRICS_SINK: 'off',
      SWEEP_INTERVAL_MS: '0',
    });
    return startLocalStackFromConfig(config, {
      inMemory: true,
      verbose: false,
      writeEndpointsFile,
      queuePrefix: `ep${id}-`,
    });
  }

  it('is written while the stack runs, naming everything the scripts need, and removed on stop', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'endpoints-'));
    const stack = await startStack(dataDir, true);
    let whileRunning;
    try {
      whileRunning = await readEndpointsFile(join(dataDir, 'endpoints.json'));
    } finally {
      await stack.stop();
    }
    const afterStop = await readdir(dataDir);
    await rm(dataDir, { recursive: true, force: true });

    expect(whileRunning).toEqual({
      region: services.region,
      api_url: stack.apiUrl,
      proxy_url: stack.proxyUrl,
      dynamodb_endpoint: services.dynamodbEndpoint,
      sqs_endpoint: services.sqsEndpoint,
      table_name: expect.stringMatching(/^endpoints-/),
      move_queue_url: stack.app.container.config.MOVE_QUEUE_URL,
      dlq_url: expect.stringMatching(/moves-dlq\.fifo$/),
      pid: process.pid,
      started_at: expect.any(String),
    });
    expect(afterStop).toEqual([]);
  });

  it('is not written by a stack that does not ask for it (the load test, the benchmark)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'endpoints-'));
    const stack = await startStack(dataDir, false);
    const whileRunning = await readdir(dataDir).finally(() => stack.stop());
    await rm(dataDir, { recursive: true, force: true });

    expect(whileRunning).toEqual([]);
  });
});
