/** What one bench run produces (runs.ts fills it, report.ts turns it into markdown). */
import type { Floor, MoveFloor } from './floor';
import type { ContentionResult, OpenLoopResult } from './moves';
import type { Plan } from './plan';
import type { ReadResult, StatsReadResult } from './reads';
import type { ServerCost } from './server-cost';

/** One open-loop run at a fixed rate, with what it cost the server and the client. */
export interface RateRun {
  result: OpenLoopResult;
  cost: ServerCost;
  clientCpuMsPerMove: number;
}

/** The machine the bench ran on, as the report's first table shows it. */
export interface Machine {
  /** `<cores> × <model>`. */
  cpus: string;
  /** Number of cores, for the capacity estimate. */
  cores: number;
  memory: string;
  node: string;
  java: string;
  os: string;
}

export interface Results {
  started: Date;
  finished: Date;
  command: string;
  machine: Machine;
  loadBefore: number[];
  loadAfter: number[];
  plan: Plan;
  /** CPU ms per second of the idle stack: DynamoDB Local's JVM and the stack process. */
  idle: { java: number; node: number };
  floor: Floor;
  moveFloor: MoveFloor;
  rates: RateRun[];
  steps: RateRun[];
  /** The open-loop run at twice the highest sustained rate (absent when none was sustained). */
  overload?: { seconds: number; run: RateRun };
  highestRate: number;
  stepStop: string;
  contention: ContentionResult[];
  board: Array<{ perDay: number; read: ReadResult }>;
  stats: Array<{ label: string; days: number; read: StatsReadResult }>;
}
