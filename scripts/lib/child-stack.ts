/**
 * A local stack (`scripts/start.ts --no-web`) run as a child process in its own process group, so
 * that it can be killed whole: DynamoDB Local is a java grandchild, and tsx runs the script in a
 * node grandchild of its own. Used by `npm run chaos` to crash the stack and start it again on the
 * same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../local/free-port';
import { ApiClient, ApiUnreachableError } from '../../client/api-client';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const START = join(ROOT, 'scripts', 'start.ts');

/** Variables that would point the child at services it does not own, so a kill would spare them. */
const INHERITED_BUT_NOT_WANTED = [
  'DYNAMODB_ENDPOINT',
  'SQS_ENDPOINT',
  'PORT',
  'PROXY_PORT',
  'DATA_DIR',
  'AUTH_ACCESS_KEY_ID',
  'AUTH_SECRET_ACCESS_KEY',
  'PROXY_ROLE',
  'WRITE_POLICY',
];

export interface ChildStackOptions {
  dataDir: string;
  /** The API port to ask for; taken by someone else, a free one is used instead. */
  port?: number;
  region: string;
  /** Extra environment of the stack (timings, SEED, AUTH…), over the parent's. */
  env: Record<string, string>;
  /** Where the child's stdout and stderr go (appended). */
  logFile: string;
  startTimeoutMs?: number;
}

export class ChildStackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChildStackError';
  }
}

/** Whether a loopback port can be listened on right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

/**
 * Whether any live process is left in the group. A SIGKILLed process can linger as a zombie
 * until its new parent reaps it (not every container's PID 1 does), and a zombie holds no files
 * or ports, so on Linux only non-zombie members count; elsewhere kill(-pgid, 0) has to do.
 */
export function groupAlive(pgid: number): boolean {
  try {
    let found = false;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') found = true;
    }
    return found;
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

export class ChildStack {
  private exited = false;
  private readonly onParentExit = () => this.killGroupNow();

  private constructor(
    private readonly child: ChildProcess,
    readonly pgid: number,
    readonly apiUrl: string,
    readonly client: ApiClient,
    private readonly log: WriteStream,
  ) {
    child.once('exit', () => (this.exited = true));
    // Last resort: the stack is detached, so it would outlive a parent that dies unexpectedly.
    process.once('exit', this.onParentExit);
  }

  get port(): number {
    return Number(new URL(this.apiUrl).port);
  }

  /** Starts the stack and waits until /healthz answers 200 through the API (signed). */
  static async start(opts: ChildStackOptions): Promise<ChildStack> {
    const port = opts.port !== undefined && (await portIsFree(opts.port)) ? opts.port : await freePort();
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of INHERITED_BUT_NOT_WANTED) delete env[name];
    Object.assign(env, opts.env, {
      PORT: String(port),
      // Nobody uses the proxy here; port 0 keeps it from ever colliding.
      PROXY_PORT: '0',
      HOST: '127.0.0.1',
      AWS_REGION: opts.region,
      DATA_DIR: opts.dataDir,
      // The default keys (client/local-keys.ts): the chaos clients sign as LOCALDEV, an admin.
      AUTH_KEYS: '',
    });
    const log = createWriteStream(opts.logFile, { flags: 'a' });
    log.write(`--- ${new Date().toISOString()} starting the stack, API port ${port}\n`);
    // The parent's node runs tsx's CLI: the same runtime whatever `env node` would find.
    const child = spawn(process.execPath, [TSX, START, '--no-web'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (d: Buffer) => {
      log.write(d);
      tail = (tail + d.toString()).slice(-3000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (child.pid === undefined) {
      log.end();
      throw new ChildStackError(`could not start the stack: ${tail}`);
    }
    const apiUrl = `http://127.0.0.1:${port}`;
    const client = new ApiClient({
      baseUrl: apiUrl,
      sign: { region: opts.region, service: 'lambda' },
      // Loopback with no AWS_ACCESS_KEY_ID: the local key pair set above.
      env: {},
      timeoutMs: 20_000,
    });
    const stack = new ChildStack(child, child.pid, apiUrl, client, log);
    const deadline = Date.now() + (opts.startTimeoutMs ?? 90_000);
    for (;;) {
      if (stack.exited) {
        await stack.kill();
        throw new ChildStackError(`the stack exited before it was healthy:\n${tail.trim()}`);
      }
      try {
        const res = await client.health();
        if (res.status === 200) return stack;
      } catch (err) {
        if (!(err instanceof ApiUnreachableError)) throw err;
      }
      if (Date.now() > deadline) {
        await stack.kill();
        throw new ChildStackError(`the stack did not answer /healthz on ${apiUrl} in time:\n${tail.trim()}`);
      }
      await sleep(200);
    }
  }

  private killGroupNow(signal: NodeJS.Signals = 'SIGKILL'): void {
    try {
      process.kill(-this.pgid, signal);
    } catch {
      // ESRCH: nothing left in the group.
    }
  }

  /** Waits until no live process is left in the group; false when `ms` ran out first. */
  private async groupGone(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (groupAlive(this.pgid)) {
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
    return true;
  }

  /** The crash: SIGKILL to the whole group, then waits until every member is dead. */
  async kill(): Promise<void> {
    if (!this.log.writableEnded)
      this.log.write(`--- ${new Date().toISOString()} SIGKILL to process group ${this.pgid}\n`);
    this.killGroupNow('SIGKILL');
    await this.groupGone(10_000);
    this.finish();
  }

  /** A clean stop (SIGTERM, as Ctrl-C in `npm start`), SIGKILL if it takes more than 10 s. */
  async stop(): Promise<void> {
    this.killGroupNow('SIGTERM');
    if (!(await this.groupGone(10_000))) await this.kill();
    this.finish();
  }

  private finish(): void {
    process.removeListener('exit', this.onParentExit);
    this.log.end();
  }
}
