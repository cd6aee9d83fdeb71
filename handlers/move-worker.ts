/**
 * The move worker: an SQS FIFO event handler with partial batch responses
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 *
 * Records of different appointments (message groups) run in parallel; records of one group run in
 * order. When a record fails twice (one jittered in-process retry), it and every later record of
 * its group are reported as batch item failures, so SQS redelivers them in order; other groups
 * carry on. That is Powertools' SqsFifoPartialProcessor with skipGroupOnError, with two differences
 * that are why it is written here: groups run in parallel (Powertools processes records one after
 * another), and on a record's last allowed delivery (ApproximateReceiveCount at the queue's
 * maxReceiveCount) a move that still fails is settled `failed` (`processing_failed`) and acknowledged,
 * and the rest of its group goes on in the same batch. SQS raises the receive count of every record
 * it hands out, so with skip-group alone the innocent moves behind a failing one would reach the DLQ
 * with it and later moves would overtake them. The failed-group set lives per invocation, so a warm
 * container never carries it over (Powertools issue #3673).
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { moveIdSchema, moveMessageSchema } from '../domain/schemas';
import { processMove, touchStatsDay, type ProcessOutcome } from '../domain/use-cases/process-move';
import type { MoveRecord } from '../domain/move';
import { transitionLabel } from '../domain/status';
import { defaultContainer, type Container } from '../infra/container';
import { withInvocationContext } from '../infra/observability';
import { withZoneGuard } from '../infra/zone-guard';

function jitter(baseMs: number): number {
  return baseMs / 2 + Math.random() * baseMs;
}

/**
 * The invocation's deadline, from the Lambda context. Lambda stops a function at its timeout; the
 * local event source mapping cannot stop a promise, so the worker itself does nothing more once the
 * deadline has passed (a timed-out invocation's batch comes back whole, as on AWS), and starts no
 * record with less than START_MARGIN_MS left (that record and the rest of its group come back).
 */
const START_MARGIN_MS = 100;

class Deadline {
  private readonly at: number;
  constructor(context?: Pick<Context, 'getRemainingTimeInMillis'>) {
    const left = context?.getRemainingTimeInMillis?.();
    this.at = typeof left === 'number' && Number.isFinite(left) ? Date.now() + left : Infinity;
  }
  left(): number {
    return this.at - Date.now();
  }
  /** Throws once the invocation has timed out: nothing it does after that may count. */
  check(what: string): void {
    if (this.left() <= 0) throw new Error(`${what} abandoned: the invocation reached its timeout`);
  }
}

/** A body we cannot parse is acknowledged (never blocks its group) and its move rejected if we can name it. */
async function rejectMalformed(deps: Container, record: SQSRecord, problem: string): Promise<void> {
  let moveId: unknown;
  try {
    moveId = (JSON.parse(record.body) as { move_id?: unknown }).move_id;
  } catch {
    moveId = undefined;
  }
  deps.log.error('malformed move message acknowledged', { message_id: record.messageId, problem });
  const id = moveIdSchema.safeParse(moveId);
  if (!id.success) return;
  const move = await deps.moves.getMove(id.data, true);
  if (!move || move.status !== 'pending') return;
  const rejected: MoveRecord = {
    ...move,
    status: 'rejected',
    reason: 'malformed_message',
    decided_at: deps.now(),
  };
  await deps.moves.settleMove(rejected);
}

async function recordOutcome(deps: Container, outcome: ProcessOutcome): Promise<void> {
  if (outcome.kind !== 'settled') {
    deps.log.debug('move message already handled', { kind: outcome.kind });
    return;
  }
  const { record } = outcome;
  const decidedAt = Date.parse(record.decided_at ?? deps.now());
  await deps.metrics.recordOutcome({
    outcome: record.noop ? 'noop' : record.status,
    transition: outcome.transition,
    latencyMs: Math.max(0, decidedAt - Date.parse(record.submitted_at)),
    moveId: record.move_id,
  });
  deps.log.info('move settled', {
    move_id: record.move_id,
    appointment_id: record.appointment_id,
    outcome: record.status,
    noop: record.noop,
    version: record.version,
    reason: record.reason,
  });
}

/** Runs `step`; on a failure, waits a jittered moment and runs it once more (a second failure throws). */
async function withOneRetry<T>(
  deps: Container,
  deadline: Deadline,
  what: string,
  moveId: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    deadline.check(what);
    deps.log.warn(`${what} failed; retrying once`, { move_id: moveId, err });
    await deps.sleep(jitter(50));
    deadline.check(what);
    return step();
  }
}

/** Whether this is the last delivery SQS allows before it moves the message to the DLQ. */
function isLastDelivery(deps: Container, record: SQSRecord): boolean {
  return Number(record.attributes.ApproximateReceiveCount) >= deps.config.MAX_RECEIVE_COUNT;
}

/** A move that failed on its last allowed delivery is decided: failed, and the client can see it. */
async function settleProcessingFailed(
  deps: Container,
  deadline: Deadline,
  record: SQSRecord,
  moveId: string,
  err: unknown,
): Promise<void> {
  deadline.check('settling a failed move');
  const now = deps.now();
  // If this write fails too the record fails, reaches the DLQ, and the sweeper settles the move.
  const written = await deps.moves.failPendingMove(moveId, 'processing_failed', now);
  if (written !== 'settled') return;
  deps.log.error('move failed on its last allowed delivery; settled failed (processing_failed)', {
    move_id: moveId,
    message_id: record.messageId,
    receive_count: record.attributes.ApproximateReceiveCount,
    err,
  });
  await deps.metrics.recordFailures('processing_failed', 1);
  const move = await deps.moves.getMove(moveId, true).catch(() => undefined);
  if (move) {
    await deps.metrics.recordOutcome({
      outcome: 'failed',
      transition: transitionLabel(move.from_status ?? undefined, move.to_status),
      latencyMs: Math.max(0, Date.parse(now) - Date.parse(move.submitted_at)),
      moveId,
    });
  }
}

async function handleRecord(deps: Container, deadline: Deadline, record: SQSRecord): Promise<void> {
  let message;
  try {
    message = moveMessageSchema.parse(JSON.parse(record.body));
  } catch (err) {
    await rejectMalformed(deps, record, (err as Error).message);
    return;
  }
  const { move_id: moveId, appointment_id: appointmentId } = message;
  const last = isLastDelivery(deps, record);
  let outcome: ProcessOutcome;
  try {
    outcome = await withOneRetry(deps, deadline, 'move', moveId, () =>
      processMove(deps, moveId, appointmentId),
    );
  } catch (err) {
    if (!last) throw err;
    await settleProcessingFailed(deps, deadline, record, moveId, err);
    return;
  }
  if (outcome.kind === 'orphan') {
    deps.log.error('move message without a move record acknowledged', { move_id: moveId });
  }
  await recordOutcome(deps, outcome);
  try {
    // A failure here fails the record like a failed move: the redelivery finds the move applied
    // (a duplicate) and bumps the day then.
    await withOneRetry(deps, deadline, 'stats day bump', moveId, () => touchStatsDay(deps, outcome));
  } catch (err) {
    if (!last) throw err;
    // The move is decided; failing the record now would only dead-letter it. The stats-day rules
    // keep a settled day's figures from going stale without this bump (domain/stats-days.ts).
    deps.log.error('stats day bump failed on the last delivery; acknowledged', { move_id: moveId, err });
  }
}

export function createMoveWorker(getDeps: () => Container = defaultContainer) {
  // A table of another zone fails the whole batch, before any record is touched (zone-guard.ts).
  const worker = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const deps = getDeps();
    const deadline = new Deadline(context);
    const groups = new Map<string, SQSRecord[]>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? record.messageId;
      const list = groups.get(group) ?? [];
      list.push(record);
      groups.set(group, list);
    }
    const failures: string[] = [];
    await Promise.all(
      [...groups.values()].map(async (records) => {
        for (let i = 0; i < records.length; i++) {
          const record = records[i] as SQSRecord;
          if (deadline.left() < START_MARGIN_MS) {
            deps.log.warn('invocation nearly out of time; leaving the rest of the group for redelivery', {
              message_id: record.messageId,
              left_ms: Math.max(0, Math.round(deadline.left())),
            });
            failures.push(...records.slice(i).map((r) => r.messageId));
            return;
          }
          try {
            await handleRecord(deps, deadline, record);
          } catch (err) {
            deps.log.error('record failed twice; failing the rest of its group for redelivery', {
              message_id: record.messageId,
              receive_count: record.attributes.ApproximateReceiveCount,
              err,
            });
            failures.push(...records.slice(i).map((r) => r.messageId));
            return;
          }
        }
      }),
    );
    // Report failures in the batch's own order.
    const failed = new Set(failures);
    return {
      batchItemFailures: event.Records.filter((r) => failed.has(r.messageId)).map((r) => ({
        itemIdentifier: r.messageId,
      })),
    };
  };
  return withInvocationContext(withZoneGuard(getDeps, worker));
}

export const handler = middy(createMoveWorker());
