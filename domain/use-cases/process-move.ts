/**
 * The worker's use case: decide one queued move against the card as it is now and record the
 * outcome. Safe to run any number of times for the same move: only a pending move is settled,
 * and an applied move's card write and settlement are one transaction.
 */
import type { Appointment } from '../appointment';
import { dayOf } from '../days';
import { movedEntry } from '../history';
import { applyMoveToCard, decideMove, settleMove, type MoveRecord } from '../move';
import type { CardVersion, MoveRepository, StatsDayStore } from '../ports';
import { daysToTouch } from '../stats-days';
import { transitionLabel } from '../status';

export interface ProcessDeps {
  moves: MoveRepository;
  statsDays: Pick<StatsDayStore, 'touchDays'>;
  /** The shop's time zone (SHOP_TIMEZONE): a card's stats day is its local day there. */
  timeZone: string;
  now(): string;
}

export type ProcessOutcome =
  /** `statsDay`: the day of a card this move changed (see touchStatsDay). */
  | { kind: 'settled'; record: MoveRecord; transition: string; statsDay?: string }
  /** Already settled by an earlier delivery: nothing to do but, for an applied move, the stats bump. */
  | { kind: 'duplicate'; record: MoveRecord; statsDay?: string }
  /** No move record: a message we did not write (or its record is gone). */
  | { kind: 'orphan' };

export class CardKeepsChangingError extends Error {
  constructor(moveId: string) {
    super(`move ${moveId}: the card changed under every attempt`);
    this.name = 'CardKeepsChangingError';
  }
}

const MAX_ATTEMPTS = 3;

/** The card's day when `record` is a move that changed it (applied, not a no-op). */
const changedDay = (record: MoveRecord, card: Appointment | undefined, timeZone: string) =>
  record.status === 'applied' && !record.noop && card ? { statsDay: dayOf(card.appt_start, timeZone) } : {};

/**
 * After a move changed a card of a settled day, bumps that day's stats rev so its stored figures
 * are read afresh, recording the version the move gave the card (stats-days.ts). Runs for
 * duplicates too: a delivery that applied the move and died before the bump leaves it to the
 * redelivery.
 */
export async function touchStatsDay(deps: ProcessDeps, outcome: ProcessOutcome): Promise<void> {
  // An applied record always carries the card's new version; without one there is nothing to record.
  if (outcome.kind === 'orphan' || !outcome.statsDay || outcome.record.version === undefined) return;
  await touchDayOf(deps, outcome.statsDay, {
    id: outcome.record.appointment_id,
    version: outcome.record.version,
  });
}

/** Bumps `day` with `card`'s version if a write now must (daysToTouch); today's cards cost no call. */
async function touchDayOf(deps: ProcessDeps, day: string, card: CardVersion): Promise<void> {
  const days = daysToTouch([day], Date.parse(deps.now()), deps.timeZone);
  if (days.length > 0) await deps.statsDays.touchDays(days, deps.now(), card);
}

/**
 * Steps: read the move and its card together (consistent); skip a settled move; decide; write
 * the card, the outcome and the card's history entry atomically (apply) or the outcome alone; if the card changed between
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
    if (move.status !== 'pending')
      return { kind: 'duplicate', record: move, ...changedDay(move, card, deps.timeZone) };

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
      // Recorded before the commit as well, so a worker that dies between commit and its bump
      // cannot leave a reader storing figures without this move (stats-days.ts).
      await touchDayOf(deps, dayOf(moved.appt_start, deps.timeZone), moved);
      const result = await deps.moves.commitAppliedMove(
        moved,
        decision.readVersion,
        settled,
        movedEntry(card, moved, settled),
      );
      if (result.kind === 'committed') {
        return { kind: 'settled', record: settled, transition, ...changedDay(settled, moved, deps.timeZone) };
      }
      if (result.kind === 'already_settled') {
        const record = (await deps.moves.getMove(moveId, true)) ?? settled;
        return { kind: 'duplicate', record, ...changedDay(record, card, deps.timeZone) };
      }
      continue; // card_changed: decide again on the card as it is now
    }
    const written = await deps.moves.settleMove(settled);
    if (written === 'settled') return { kind: 'settled', record: settled, transition };
    return { kind: 'duplicate', record: (await deps.moves.getMove(moveId, true)) ?? settled };
  }
  throw new CardKeepsChangingError(moveId);
}
