/**
 * The local stack's timings, derived from the queue's visibility timeout with AWS's ratios
 * (serverless.yml: visibility 90 s, worker timeout 15 s, sweeper every 60 s, SWEEP_AFTER 60 s,
 * give-up 900 s, maxReceiveCount 5), so a shorter local visibility keeps every rule AWS enforces.
 * Pure: the caller reads and validates the environment.
 */
import { ConfigError } from '../infra/config';

export interface LocalTimingsInput {
  VISIBILITY_TIMEOUT_SECONDS: number;
  WORKER_TIMEOUT_SECONDS?: number;
  SWEEP_AFTER_SECONDS?: number;
  SWEEP_INTERVAL_MS?: number;
  SWEEP_GIVE_UP_SECONDS?: number;
  MAX_RECEIVE_COUNT?: number;
}

export type LocalTimings = Required<LocalTimingsInput>;

/** ServiceConfig's bounds (infra/config.ts), which the derived defaults must also keep. */
const MAX_SWEEP_AFTER_SECONDS = 3600;
const MAX_GIVE_UP_SECONDS = 86_400;
const DEFAULT_MAX_RECEIVE_COUNT = 5;

/** Explicit values win; the rest follow from the visibility timeout. Throws ConfigError naming the variables. */
export function deriveLocalTimings(input: LocalTimingsInput): LocalTimings {
  const v = input.VISIBILITY_TIMEOUT_SECONDS;
  const timings: LocalTimings = {
    VISIBILITY_TIMEOUT_SECONDS: v,
    // AWS: 15 s of 90 s. Decimals allowed, so a 2 s test queue still gets a 1/3 s timeout.
    WORKER_TIMEOUT_SECONDS: input.WORKER_TIMEOUT_SECONDS ?? v / 6,
    SWEEP_AFTER_SECONDS:
      input.SWEEP_AFTER_SECONDS ?? Math.min(MAX_SWEEP_AFTER_SECONDS, Math.max(1, Math.round((2 * v) / 3))),
    SWEEP_INTERVAL_MS: input.SWEEP_INTERVAL_MS ?? Math.round((2000 * v) / 3),
    SWEEP_GIVE_UP_SECONDS: input.SWEEP_GIVE_UP_SECONDS ?? Math.min(MAX_GIVE_UP_SECONDS, 10 * v),
    MAX_RECEIVE_COUNT: input.MAX_RECEIVE_COUNT ?? DEFAULT_MAX_RECEIVE_COUNT,
  };

  const problems: Record<string, string> = {};
  if (timings.WORKER_TIMEOUT_SECONDS > v) {
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
    problems.WORKER_TIMEOUT_SECONDS =
      `(${timings.WORKER_TIMEOUT_SECONDS}) must not exceed VISIBILITY_TIMEOUT_SECONDS (${v}): ` +
      "AWS refuses an SQS event source mapping whose function timeout exceeds the queue's visibility timeout";
  }
  const workerBound = timings.MAX_RECEIVE_COUNT * v;
  if (timings.SWEEP_GIVE_UP_SECONDS <= workerBound) {
    problems.SWEEP_GIVE_UP_SECONDS =
      `(${timings.SWEEP_GIVE_UP_SECONDS}) must exceed MAX_RECEIVE_COUNT × VISIBILITY_TIMEOUT_SECONDS ` +
      `(${timings.MAX_RECEIVE_COUNT} × ${v} = ${workerBound}), so the sweeper never gives up on a move ` +
      'the worker may still decide';
  }
  if (Object.keys(problems).length > 0) throw new ConfigError(problems);
  return timings;
}
