/**
 * Use cases of the move pipeline: submit (record + enqueue), wait for an outcome, and the
 * sweeper that re-sends moves a crash left pending.
 */
import {
  IdempotencyMismatchError,
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
} from '../errors';
import { moveRequestKey, newMoveRecord, type MoveRecord, type MoveRequest } from '../move';
import type { MoveQueue, MoveRepository } from '../ports';
import type { SubmitMoveInput } from '../schemas';
import { STATUSES, isStatus } from '../status';

export interface MoveDeps {
  moves: MoveRepository;
  queue: MoveQueue;
  newMoveId(): string;
  now(): string;
  sleep(ms: number): Promise<void>;
  log?: { warn(msg: string, fields?: Record<string, unknown>): void };
}

export interface SubmitResult {
  record: MoveRecord;
  /** False when the move_id was seen before and the stored move is returned as it stands. */
  created: boolean;
}

/**
 * Steps: check status names (422); record the move as pending, which also checks the card exists
 * (404) and that the move_id is new; send it to the FIFO queue; if the send fails, mark it failed
 * (503). A re-POST of a known move_id returns the stored move, or 409 if the request differs.
 */
export async function submitMove(
  deps: MoveDeps,
  appointmentId: string,
  input: SubmitMoveInput,
): Promise<SubmitResult> {
  const unknown: Record<string, string> = {};
  if (!isStatus(input.to_status)) unknown.to_status = `unknown status; one of ${STATUSES.join(', ')}`;
  if (input.from_status !== undefined && !isStatus(input.from_status))
    unknown.from_status = `unknown status; one of ${STATUSES.join(', ')}`;
  if (Object.keys(unknown).length > 0) throw new UnprocessableError('unknown status name', unknown);

  const request: MoveRequest = {
    move_id: input.move_id ?? deps.newMoveId(),
    appointment_id: appointmentId,
    to_status: input.to_status as MoveRequest['to_status'],
    expected_version: input.expected_version,
    ...(input.from_status ? { from_status: input.from_status as MoveRequest['to_status'] } : {}),
  };
  let record = newMoveRecord(request, deps.now());
  const result = await deps.moves.recordPendingMove(record);
  if (result.kind === 'appointment_not_found') {
    throw new NotFoundError(`no appointment with id ${appointmentId}`, { appointment_id: appointmentId });
  }
  if (result.kind === 'exists') {
    if (result.record.request_key !== moveRequestKey(request)) {
      throw new IdempotencyMismatchError(
        `move ${request.move_id} was already submitted with a different request`,
        {
          move_id: request.move_id,
        },
      );
    }
    if (!(result.record.status === 'failed' && result.record.reason === 'queue_unavailable')) {
      return { record: result.record, created: false };
    }
    // The first attempt never reached the queue, so nothing can have applied it: try again,
    // keeping the move's original submission time.
    record = { ...record, submitted_at: result.record.submitted_at };
    if (!(await deps.moves.reopenFailedMove(record))) {
      const now = await deps.moves.getMove(record.move_id, true);
      return { record: now ?? result.record, created: false };
    }
  }
  try {
    await deps.queue.sendMove(record);
  } catch (err) {
    deps.log?.warn('move could not be queued; marking it failed', { move_id: record.move_id, err });
    const failed: MoveRecord = {
      ...record,
      status: 'failed',
      reason: 'queue_unavailable',
      decided_at: deps.now(),
    };
    await deps.moves.settleMove(failed).catch(() => undefined);
    throw new ServiceUnavailableError('the move queue is unavailable; try again', {
      move_id: record.move_id,
    });
  }
  return { record, created: result.kind === 'created' };
}

/**
 * The wait before poll number `attempt` (0, 1, …) while long-polling: 15 ms, then 1.5× longer
 * each time, at most 250 ms. Most moves settle within a few tens of ms, so the first polls are
 * quick; the backoff bounds the reads a waiting client makes when the queue has a backlog
 * (fixed short intervals made every waiting client add reads just when the store was busiest).
 */
export function pollDelay(attempt: number): number {
  return Math.min(250, Math.round(15 * 1.5 ** attempt));
}

/** Returns the move, waiting up to `waitMs` for it to leave pending. */
export async function waitForMove(deps: MoveDeps, moveId: string, waitMs = 0): Promise<MoveRecord> {
  const clock = () => Date.parse(deps.now());
  const started = clock();
  let record = await deps.moves.getMove(moveId, true);
  if (!record) throw new NotFoundError(`no move with id ${moveId}`, { move_id: moveId });
  for (let attempt = 0; record.status === 'pending'; attempt++) {
    const elapsed = clock() - started;
    if (elapsed >= waitMs) break;
    await deps.sleep(Math.min(pollDelay(attempt), waitMs - elapsed));
    record = (await deps.moves.getMove(moveId, true)) ?? record;
  }
  return record;
}

/**
 * Sweeper: re-sends moves still pending after `afterSeconds` (a crash between record and send, or
 * a queue that lost its messages), once each: a move that keeps failing belongs in the DLQ, not in
 * a loop. The dedup id is the move_id, so a move still in the queue is not duplicated within SQS's
 * 5-minute window, and the worker ignores moves already settled.
 */
export async function sweepPendingMoves(
  deps: MoveDeps,
  afterSeconds: number,
  limit = 100,
): Promise<{ resent: number; failed: number }> {
  const cutoff = new Date(Date.parse(deps.now()) - afterSeconds * 1000).toISOString();
  const pending = await deps.moves.listPendingMoves(cutoff, limit);
  let resent = 0;
  let failed = 0;
  for (const record of pending) {
    try {
      await deps.queue.sendMove(record);
      await deps.moves.markResent(record.move_id, deps.now());
      resent += 1;
    } catch (err) {
      failed += 1;
      deps.log?.warn('sweeper could not re-send a pending move', { move_id: record.move_id, err });
    }
  }
  return { resent, failed };
}
