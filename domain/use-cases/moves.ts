/**
 * Use cases of the move pipeline: submit (record + enqueue), wait for an outcome, and the
 * sweeper that re-sends moves nothing has decided yet and settles those it has to give up on.
 */
import {
  IdempotencyMismatchError,
  NotFoundError,
  ServiceUnavailableError,
  UnprocessableError,
} from '../errors';
import {
  moveRequestKey,
  newMoveRecord,
  nextSweepDue,
  sweepAction,
  type MoveRecord,
  type MoveRequest,
  type MoveTimings,
} from '../move';
import type { MoveQueue, MoveRepository } from '../ports';
import type { Actor } from '../roles';
import type { SubmitMoveInput } from '../schemas';
import { STATUSES, isStatus } from '../status';

export interface MoveDeps {
  moves: MoveRepository;
  queue: MoveQueue;
  moveTimings: MoveTimings;
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
 * (404) and that the move_id is new; send it to the FIFO queue.
 *
 * A re-POST of a known move_id returns the stored move (409 if the request differs); while the move
 * is still pending it is sent again, since the client cannot know whether the first send reached
 * the queue. A failed send leaves the move pending and answers 503: the message may have reached
 * SQS although the client saw an error (a lost response), so "failed" would be a guess; the
 * re-POST or the sweeper sends it again, and the worker settles it exactly once either way.
 */
export async function submitMove(
  deps: MoveDeps,
  appointmentId: string,
  input: SubmitMoveInput,
  by: Actor,
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
  const record = newMoveRecord(request, deps.now(), deps.moveTimings, by);
  const result = await deps.moves.recordPendingMove(record);
  if (result.kind === 'appointment_not_found') {
    throw new NotFoundError(`no appointment with id ${appointmentId}`, { appointment_id: appointmentId });
  }
  if (result.kind === 'exists') {
    if (result.record.request_key !== moveRequestKey(request)) {
      throw new IdempotencyMismatchError(
        `move ${request.move_id} was already submitted with a different request`,
        { move_id: request.move_id },
      );
    }
    if (result.record.status !== 'pending') return { record: result.record, created: false };
    await sendOrAnswerUnavailable(deps, result.record, true);
    return { record: result.record, created: false };
  }
  await sendOrAnswerUnavailable(deps, record, false);
  return { record, created: true };
}

async function sendOrAnswerUnavailable(deps: MoveDeps, record: MoveRecord, resend: boolean): Promise<void> {
  try {
    await deps.queue.sendMove(record, { resend });
  } catch (err) {
    deps.log?.warn('move could not be queued; it stays pending for a re-POST or the sweeper', {
      move_id: record.move_id,
      err,
    });
    throw new ServiceUnavailableError(
      'the move queue did not confirm the move; it is pending: re-POST the same move to send it again',
      { move_id: record.move_id, status: 'pending' },
    );
  }
  if (resend) {
    const now = deps.now();
    // Best effort: a failure only means the sweeper may re-send it a little earlier than needed.
    await deps.moves
      .markResent(record.move_id, now, nextSweepDue(record.submitted_at, now, deps.moveTimings))
      .catch((err: unknown) => deps.log?.warn('could not note a re-send', { move_id: record.move_id, err }));
  }
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

/**
 * How long a long-poll waits before its first read, so that the read usually finds the move
 * decided and one strongly consistent GetItem answers the poll. Set from `npm run bench -- --moves-at
 * 10`'s measurement of the time from the submit's answer to the move's decided_at at 10 moves/s
 * (docs/PERFORMANCE.md, issue #15: p50 9 ms on 2026-12-01, a loaded machine), rounded up: the
 * poll's own way in (signing, the gateway) comes on top, so the first read lands a little after
 * the median decision. Later would add latency to every move, earlier a second read to most.
 */
export const FIRST_POLL_DELAY_MS = 10;

/** Returns the move, waiting up to `waitMs` for it to leave pending (the first read after FIRST_POLL_DELAY_MS). */
export async function waitForMove(deps: MoveDeps, moveId: string, waitMs = 0): Promise<MoveRecord> {
  const clock = () => Date.parse(deps.now());
  const started = clock();
  if (waitMs > 0) await deps.sleep(Math.min(FIRST_POLL_DELAY_MS, waitMs));
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
 * Sweeper: re-sends every move still pending when its sweep is due (SWEEP_AFTER_SECONDS after its
 * first send, then with doubling waits: nextSweepDue), each time under a fresh deduplication id, and
 * settles a move still pending SWEEP_GIVE_UP_SECONDS after it was accepted as `failed`
 * (`undeliverable`). Copies are harmless: the worker settles only a pending move. A send the queue
 * refuses is counted and tried again at the next sweep.
 */
export async function sweepPendingMoves(
  deps: MoveDeps,
  limit = 100,
): Promise<{ resent: number; failed: number; gaveUp: number }> {
  const now = deps.now();
  const due = await deps.moves.listDueMoves(now, limit);
  const result = { resent: 0, failed: 0, gaveUp: 0 };
  for (const record of due) {
    try {
      if (sweepAction(record, now, deps.moveTimings) === 'give_up') {
        if ((await deps.moves.failPendingMove(record.move_id, 'undeliverable', now)) === 'settled') {
          result.gaveUp += 1;
          deps.log?.warn('move undeliverable: still pending at the give-up time; settled failed', {
            move_id: record.move_id,
            submitted_at: record.submitted_at,
          });
        }
        continue;
      }
      await deps.queue.sendMove(record, { resend: true });
      await deps.moves.markResent(
        record.move_id,
        now,
        nextSweepDue(record.submitted_at, now, deps.moveTimings),
      );
      result.resent += 1;
    } catch (err) {
      result.failed += 1;
      deps.log?.warn('sweeper could not re-send a pending move', { move_id: record.move_id, err });
    }
  }
  return result;
}
