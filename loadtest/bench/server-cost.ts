/**
 * What the server did during a run, per decided move: its SDK calls and its CPU (the stack process
 * and DynamoDB Local), from two samples of its counters (server.ts) taken around the run. Pure.
 */
import { cpus } from 'node:os';
import type { ServerSample } from './server';

export interface ServerCost {
  dynamoCallsPerMove: number;
  pollReadsPerMove: number;
  sqsCallsPerMove: number;
  nodeCpuMsPerMove: number;
  javaCpuMsPerMove: number;
  /** Share of the machine's cores the server side used (node + java, idle burn included) during the run. */
  cpuShare: number;
  loopDelayP99: number;
  calls: Record<string, number>;
}

export const DYNAMO_COMMANDS = /^(Get|Put|Update|Delete|Query|BatchGet|BatchWrite|TransactWrite|TransactGet)/;
export const SQS_COMMANDS = /Message|Queue/;

/** A key of server.ts's counter that counts failed calls of a command by error ("Cmd!reason"). */
export const isFailureKey = (key: string) => key.includes('!');

/** Per move, less the CPU the idle stack would have burnt anyway over the run. */
export function serverCost(
  before: ServerSample,
  after: ServerSample,
  moves: number,
  seconds: number,
  idle: { java: number; node: number },
  cores: number = cpus().length,
): ServerCost {
  const calls: Record<string, number> = {};
  for (const [name, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[name] ?? 0);
    if (d > 0) calls[name] = d;
  }
  // Keys with a "!" count failed calls again by their error (server.ts), not more calls.
  const sum = (re: RegExp) =>
    Object.entries(calls).reduce((a, [k, n]) => (re.test(k) && !isFailureKey(k) ? a + n : a), 0);
  const per = (x: number) => (moves > 0 ? x / moves : NaN);
  const node = Math.max(0, after.nodeCpuMs - before.nodeCpuMs - idle.node * seconds);
  const java = Math.max(0, after.javaCpuMs - before.javaCpuMs - idle.java * seconds);
  const gets = Object.entries(calls).reduce((a, [k, n]) => (/^Get(Item)?Command$/.test(k) ? a + n : a), 0);
  return {
    dynamoCallsPerMove: per(sum(DYNAMO_COMMANDS)),
    // The submit is one transaction (its GetItem only when it falls back on a TransactionConflict,
    // which the failed calls show): the single-item Gets are the long-poll's.
    pollReadsPerMove: per(gets),
    sqsCallsPerMove: per(sum(SQS_COMMANDS)),
    nodeCpuMsPerMove: per(node),
    javaCpuMsPerMove: per(java),
    cpuShare:
      (after.nodeCpuMs - before.nodeCpuMs + after.javaCpuMs - before.javaCpuMs) / (seconds * 1000 * cores),
    loopDelayP99: after.loopDelay.p99,
    calls,
  };
}
