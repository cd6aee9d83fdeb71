/**
 * Moves: a request to put a card in another column, decided later by the worker.
 * `decideMove` is the whole rule set, a pure function of the card as it is now and the move.
 */
import type { MoveView } from './api-schemas';
import type { Appointment } from './appointment';
import { pick } from './pick';
import type { Actor } from './roles';
import { allowedTargets, canTransition, type Status } from './status';

export const MOVE_STATUSES = ['pending', 'applied', 'conflict', 'rejected', 'failed'] as const;
export type MoveStatus = (typeof MOVE_STATUSES)[number];
export type RejectReason = 'invalid_transition' | 'not_found' | 'malformed_message';
/**
 * Why a move was settled `failed`. Each is final: the card was not changed by this move.
 * - processing_failed: the worker failed on every delivery the queue allows (MAX_RECEIVE_COUNT);
 * - undeliverable: still pending SWEEP_GIVE_UP_SECONDS after it was accepted (no delivery decided it);
 * - dead_lettered: its message reached the DLQ (it crashed the function on every delivery) and an
 *   operator's redrive-dlq settled it.
 */
export const FAILURE_REASONS = ['processing_failed', 'undeliverable', 'dead_lettered'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export interface MoveRequest {
  move_id: string;
  appointment_id: string;
  to_status: Status;
  expected_version: number;
  /** The column the client saw the card in; lets a move survive non-status edits. */
  from_status?: Status;
}

/** A move as stored and as returned by the poll endpoint. */
export interface MoveRecord {
  move_id: string;
  appointment_id: string;
  status: MoveStatus;
  from_status: Status | null;
  to_status: Status;
  expected_version: number;
  version?: number;
  noop?: boolean;
  rebased?: boolean;
  current?: { status: Status; version: number };
  reason?: RejectReason | FailureReason;
  allowed?: Status[];
  submitted_at: string;
  /** Who submitted it (absent on moves recorded before roles existed); the history entry's `by`. */
  submitted_by?: Actor;
  decided_at?: string;
  /** What the client asked for, to tell a retry of this move from a different request reusing its id. */
  request_key: string;
  /** Bookkeeping while pending: when the sweeper next looks at it (see nextSweepDue). */
  sweep_due_at?: string;
  /** Bookkeeping: how many times it was sent again after its first send. */
  resends?: number;
}

/** How long the sweeper waits before re-sending a pending move, and when it gives up on it. */
export interface MoveTimings {
  /** A pending move this long after its first send is re-sent (SWEEP_AFTER_SECONDS). */
  sweepAfterSeconds: number;
  /** A move still pending this long after it was accepted is settled failed (SWEEP_GIVE_UP_SECONDS). */
  giveUpSeconds: number;
}

/** The longest wait between two re-sends of one move. */
export const MAX_RESEND_BACKOFF_SECONDS = 300;

/**
 * When the sweeper should next look at a pending move (re)sent at `sentAt`: `sweepAfterSeconds`
 * after its first send, then after as long again as the move has been waiting (so the waits double:
 * 60 s, 120 s, 240 s, …), at most MAX_RESEND_BACKOFF_SECONDS apart. Derived from the move's age, so it
 * needs no counter in the sweeper's index.
 */
export function nextSweepDue(submittedAt: string, sentAt: string, timings: MoveTimings): string {
  const sentMs = Date.parse(sentAt);
  const ageMs = Math.max(0, sentMs - Date.parse(submittedAt));
  const waitMs = Math.min(
    Math.max(timings.sweepAfterSeconds * 1000, ageMs),
    Math.max(timings.sweepAfterSeconds, MAX_RESEND_BACKOFF_SECONDS) * 1000,
  );
  return new Date(sentMs + waitMs).toISOString();
}

/** What the sweeper does with a pending move that is due at `now`: send it again, or give up. */
export function sweepAction(record: MoveRecord, now: string, timings: MoveTimings): 'resend' | 'give_up' {
  const ageMs = Date.parse(now) - Date.parse(record.submitted_at);
  return ageMs >= timings.giveUpSeconds * 1000 ? 'give_up' : 'resend';
}

export type MoveDecision =
  | { kind: 'apply'; from: Status; to: Status; readVersion: number; newVersion: number; rebased: boolean }
  | { kind: 'noop'; status: Status; version: number }
  | { kind: 'conflict'; current: { status: Status; version: number } }
  | {
      kind: 'rejected';
      reason: 'invalid_transition' | 'not_found';
      current?: { status: Status; version: number };
      allowed?: Status[];
    };

export function decideMove(card: Appointment | undefined, move: MoveRequest): MoveDecision {
  if (!card) return { kind: 'rejected', reason: 'not_found' };
  const current = { status: card.status, version: card.version };
  // Two people dragging a card to the same column is agreement, not a conflict.
  if (card.status === move.to_status) return { kind: 'noop', status: card.status, version: card.version };

  const versionMatches = card.version === move.expected_version;
  // A stale version is rebased when only non-status edits (notes…) happened since the client's
  // version: the card is in the column the client saw and has not left it since (no A→B→A).
  const rebased =
    !versionMatches &&
    move.expected_version < card.version &&
    move.from_status !== undefined &&
    card.status === move.from_status &&
    (card.status_version ?? card.version) <= move.expected_version;
  if (!versionMatches && !rebased) return { kind: 'conflict', current };

  if (!canTransition(card.status, move.to_status)) {
    return {
      kind: 'rejected',
      reason: 'invalid_transition',
      current,
      allowed: [...allowedTargets(card.status)],
    };
  }
  return {
    kind: 'apply',
    from: card.status,
    to: move.to_status,
    readVersion: card.version,
    newVersion: card.version + 1,
    rebased,
  };
}

/** The card after an applied move. */
export function applyMoveToCard(
  card: Appointment,
  decision: Extract<MoveDecision, { kind: 'apply' }>,
  moveId: string,
  now: string,
): Appointment {
  return {
    ...card,
    status: decision.to,
    version: decision.newVersion,
    status_version: decision.newVersion,
    status_entered_at: { ...card.status_entered_at, [decision.to]: now },
    last_move_id: moveId,
    updated_at: now,
  };
}

/** The move record once decided. */
export function settleMove(record: MoveRecord, decision: MoveDecision, now: string): MoveRecord {
  const { sweep_due_at: _due, ...rest } = record;
  const base = { ...rest, decided_at: now };
  switch (decision.kind) {
    case 'apply':
      return {
        ...base,
        status: 'applied',
        from_status: decision.from,
        version: decision.newVersion,
        noop: false,
        rebased: decision.rebased,
      };
    case 'noop':
      return {
        ...base,
        status: 'applied',
        from_status: record.from_status ?? decision.status,
        version: decision.version,
        noop: true,
      };
    case 'conflict':
      return { ...base, status: 'conflict', current: decision.current };
    case 'rejected':
      return {
        ...base,
        status: 'rejected',
        reason: decision.reason,
        ...(decision.current ? { current: decision.current } : {}),
        ...(decision.allowed ? { allowed: decision.allowed } : {}),
      };
  }
}

/** Identifies the request a move_id was first used for; a re-POST must carry the same one. */
export function moveRequestKey(req: MoveRequest): string {
  return [req.appointment_id, req.to_status, req.expected_version, req.from_status ?? ''].join('|');
}

export function newMoveRecord(
  req: MoveRequest,
  submittedAt: string,
  timings?: MoveTimings,
  submittedBy?: Actor,
): MoveRecord {
  return {
    ...(timings ? { sweep_due_at: nextSweepDue(submittedAt, submittedAt, timings) } : {}),
    move_id: req.move_id,
    appointment_id: req.appointment_id,
    status: 'pending',
    from_status: req.from_status ?? null,
    to_status: req.to_status,
    expected_version: req.expected_version,
    submitted_at: submittedAt,
    ...(submittedBy ? { submitted_by: { role: submittedBy.role, principal: submittedBy.principal } } : {}),
    request_key: moveRequestKey(req),
  };
}

/** The move settled `failed` for `reason` at `now`. */
export function failMove(record: MoveRecord, reason: FailureReason, now: string): MoveRecord {
  const { sweep_due_at: _due, ...rest } = record;
  return { ...rest, status: 'failed', reason, decided_at: now };
}

/** The poll endpoint's view of a move (internal bookkeeping left out). */
const MOVE_VIEW_ORDER = [
  'move_id',
  'appointment_id',
  'status',
  'from_status',
  'to_status',
  'expected_version',
  'version',
  'noop',
  'rebased',
  'current',
  'reason',
  'allowed',
  'submitted_at',
  'submitted_by',
  'decided_at',
] as const;

export function presentMove(record: MoveRecord): MoveView {
  return pick(record, MOVE_VIEW_ORDER) as MoveView;
}
