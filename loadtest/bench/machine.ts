/** The machine the bench runs on: cores, memory, node, the java of DynamoDB Local. */
import { execFileSync } from 'node:child_process';
import { cpus, freemem, totalmem } from 'node:os';
import type { Machine } from './results';

export function describeMachine(): Machine {
  const cpu = cpus();
  let java = 'unknown';
  try {
    java = execFileSync('sh', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown
  }
  return {
    cpus: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    cores: cpu.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start)`,
    node: process.version,
    java,
    os: `${process.platform} ${process.arch}`,
  };
}
