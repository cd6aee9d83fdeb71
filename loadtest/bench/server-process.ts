/**
 * The parent's handle on the bench's server process (server.ts): forks it, waits for its ready
 * message, asks it for samples of its counters over the IPC channel, and stops it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { ServerProfiled, ServerReady, ServerRequest, ServerSample } from './server';

const ROOT = resolve(__dirname, '..', '..');

/** The stack in its own process, with a request/response channel for its counters. */
export class ServerProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (s: ServerSample | ServerProfiled) => void>();
  private constructor(
    private readonly child: ChildProcess,
    readonly info: ServerReady,
  ) {
    child.on('message', (m: ServerSample | ServerProfiled | ServerReady) => {
      if (m.type === 'ready') return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  static start(pollers: number): Promise<ServerProcess> {
    // fork reuses this process's execArgv, so tsx's loader runs the TypeScript child too.
    const child = fork(join(__dirname, 'server.ts'), [], {
      cwd: ROOT,
      env: { ...process.env, BENCH_POLLERS: String(pollers) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolveStart, reject) => {
      const timer = setTimeout(() => reject(new Error('the stack did not start within 90 s')), 90_000);
      child.once('exit', (code) => reject(new Error(`the stack process exited with code ${code}`)));
      child.on('message', (m: ServerReady) => {
        if (m.type !== 'ready') return;
        clearTimeout(timer);
        resolveStart(new ServerProcess(child, m));
      });
    });
  }

  private ask<T extends ServerSample | ServerProfiled>(request: ServerRequest & { id: number }): Promise<T> {
    return new Promise((resolveAnswer) => {
      this.waiting.set(request.id, resolveAnswer as (m: ServerSample | ServerProfiled) => void);
      this.child.send(request);
    });
  }

  sample(): Promise<ServerSample> {
    return this.ask({ type: 'sample', id: this.nextId++ });
  }

  /** Starts the V8 CPU profiler in the stack process. */
  async startProfile(): Promise<void> {
    await this.ask({ type: 'profile-start', id: this.nextId++ });
  }

  /** Stops it and has the stack process write the profile to `path` (.cpuprofile, Chrome's format). */
  async stopProfile(path: string): Promise<void> {
    await this.ask({ type: 'profile-stop', id: this.nextId++, path });
  }

  /** CPU so far of DynamoDB Local and of the stack process, for the floor's per-call figures. */
  async cpu(): Promise<{ java: number; node: number }> {
    const s = await this.sample();
    return { java: s.javaCpuMs, node: s.nodeCpuMs };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ type: 'stop' } satisfies ServerRequest);
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(kill);
  }
}
