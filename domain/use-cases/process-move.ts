/**
 * The worker's use case: decide one queued move against the card as it is now and record the
 * outcome. Safe to run any number of times for the same move: only a pending move is settled,
 * and an applied move's card write and settlement are one transaction.
 */
import { applyMoveToCard, decideMove, settleMove, type MoveRecord } from '../move';
import type { MoveRepository } from '../ports';
import { transitionLabel } from '../status';

export interface ProcessDeps {
  moves: MoveRepository;
  now(): string;
}

export type ProcessOutcome =
  | { kind: 'settled'; record: MoveRecord; transition: string }
  /** Already settled by an earlier delivery: nothing to do. */
  | { kind: 'duplicate'; record: MoveRecord }
  /** No move record: a message we did not write (or its record is gone). */
  | { kind: 'orphan' };

export class CardKeepsChangingError extends Error {
  constructor(moveId: string) {
    super(`move ${moveId}: the card changed under every attempt`);
    this.name = 'CardKeepsChangingError';
  }
}

const MAX_ATTEMPTS = 3;

/**
 * Steps: read the move and its card together (consistent); skip a settled move; decide; write
 * the card and the outcome atomically (apply) or the outcome alone; if the card changed between
 * read and write (a PATCH, or a redriven duplicate), read again and decide again.
 */
export async function processMove(
  deps: ProcessDeps,
  moveId: string,
  appointmentId: string,
): Promise<ProcessOutcome> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { move, card } = await deps.moves.getMoveAndCard(moveId, appointmentId);
    if (!move) return { kind: 'orphan' };
    if (move.status !== 'pending') return { kind: 'duplicate', record: move };

    const request = {
      move_id: move.move_id,
      appointment_id: move.appointment_id,
      to_status: move.to_status,
      expected_version: move.expected_version,
      ...(move.from_status ? { from_status: move.from_status } : {}),
    };
    const decision = decideMove(card, request);
    const now = deps.now();
    const settled = settleMove(move, decision, now);
    const transition = transitionLabel(card?.status ?? move.from_status ?? undefined, move.to_status);

    if (decision.kind === 'apply' && card) {
      const moved = applyMoveToCard(card, decision, move.move_id, now);
      const result = await deps.moves.commitAppliedMove(moved, decision.readVersion, settled);
      if (result.kind === 'committed') return { kind: 'settled', record: settled, transition };
      if (result.kind === 'already_settled') {
        const record = (await deps.moves.getMove(moveId, true)) ?? settled;
        return { kind: 'duplicate', record };
      }
      continue; // card_changed: decide again on the card as it is now
    }
    const written = await deps.moves.settleMove(settled);
    if (written === 'settled') return { kind: 'settled', record: settled, transition };
    return { kind: 'duplicate', record: (await deps.moves.getMove(moveId, true)) ?? settled };
  }
  throw new CardKeepsChangingError(moveId);
}
