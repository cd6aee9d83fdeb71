/**
 * The SQS emulator of `npm start` keeps its queues on disk: what was queued when the process died
 * is there after a restart on the same data, under the same queue URL, as on SQS.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');

interface EmulatorRun {
  port: number;
  queueUrl: string;
  queueUrlPort?: number;
  received: string[];
}

/**
 * Runs the emulator in a process of its own (it loads fauxqs's ES modules by file URL, which
 * Jest's module sandbox does not allow): starts it on dataDir, creates the move queues, optionally
 * sends a message, receives what is ready, prints what it saw and, with `crash`, dies by SIGKILL
 * instead of stopping.
 */
async function runEmulator(dataDir: string, opts: { send?: string; crash?: boolean }): Promise<EmulatorRun> {
  const script = `
    const { SendMessageCommand, ReceiveMessageCommand } = require('@aws-sdk/client-sqs');
    const { createSqsClient } = require(${JSON.stringify(join(ROOT, 'infra/aws-clients.ts'))});
    const l = require(${JSON.stringify(join(ROOT, 'local/sqs-local.ts'))});
    (async () => {
      const emulator = await l.startSqsEmulator({ region: 'us-west-2', dataDir: ${JSON.stringify(dataDir)} });
      const sqs = createSqsClient({ region: 'us-west-2', endpoint: emulator.endpoint });
      const { queueUrl } = await l.ensureMoveQueues(sqs, { visibilityTimeoutSeconds: 30 });
      const body = ${JSON.stringify(opts.send ?? null)};
      if (body !== null) {
        await sqs.send(new SendMessageCommand({
          QueueUrl: queueUrl, MessageBody: body, MessageGroupId: 'card-1', MessageDeduplicationId: body,
        }));
      }
      const res = body === null
        ? await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))
        : {};
      process.stdout.write(JSON.stringify({
        port: emulator.port, queueUrl, queueUrlPort: emulator.queueUrlPort,
        received: (res.Messages ?? []).map((m) => m.Body),
      }));
      if (${JSON.stringify(opts.crash === true)}) process.kill(process.pid, 'SIGKILL');
      sqs.destroy();
      await emulator.stop();
    })().catch((err) => { console.error(err); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['-e', script], {
    cwd: ROOT,
    timeout: 20_000,
  }).catch((err: { stdout?: string; signal?: string; code?: number }) => {
    // The crashing run is killed on purpose (tsx reports its child's SIGKILL as exit code 137);
    // what it printed before is all we need.
    const killed = err.signal === 'SIGKILL' || err.code === 128 + 9;
    if (opts.crash && killed && err.stdout) return { stdout: err.stdout };
    throw err;
  });
  return JSON.parse(stdout) as EmulatorRun;
}

function listen(port: number): Promise<Server> {
  return new Promise((resolveServer, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '0.0.0.0' }, () => resolveServer(server));
  });
}

describe('the SQS emulator on disk', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sqs-emulator-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps a message queued when the process is killed, under the same queue URL', async () => {
    const before = await runEmulator(dataDir, { send: 'move-1', crash: true });

    const after = await runEmulator(dataDir, {});

    expect(after).toEqual({ port: before.port, queueUrl: before.queueUrl, received: ['move-1'] });
  });

  it('runs on another port when the kept one is taken, and says which port the queue URLs name', async () => {
    const before = await runEmulator(dataDir, { send: 'move-1' });
    const squatter = await listen(before.port);

    const after = await runEmulator(dataDir, {}).finally(
      () => new Promise<void>((done) => squatter.close(() => done())),
    );

    expect(after.port).not.toBe(before.port);
    expect(after.queueUrlPort).toBe(before.port);
    expect(after.received).toEqual(['move-1']);
  });
});
