/** The words the page uses for move outcomes and refusals (toasts). Pure. */
import type { Status } from './api';
import { COLUMN_LABELS } from './board-view';
import type { InFlightMove, MoveResult, StartResult } from './move-machine';

/** The toast for a stale move; the board has already been refreshed when it shows. */
export const CONFLICT_MESSAGE = 'Updated, please try again';
export const LOCKED_MESSAGE = 'That card is still moving. Wait until it settles.';

export function notAllowedMessage(from: Status, to: Status, allowed: readonly Status[]): string {
  if (allowed.length === 0) return `${COLUMN_LABELS[from]} is final: this card cannot move.`;
  return `${COLUMN_LABELS[from]} cannot go to ${COLUMN_LABELS[to]}. Allowed: ${allowed
    .map((s) => COLUMN_LABELS[s])
    .join(', ')}.`;
}

export type Toast = { tone: 'info' | 'warn' | 'error'; text: string };

/** Why the server gave up on a move (a decided `failed`), in the words the page shows. */
export const FAILURE_REASONS: Readonly<Record<string, string>> = {
  processing_failed: 'the server could not process this move',
  undeliverable: 'the move could not be delivered in time',
  dead_lettered: 'the move was set aside after repeated server failures',
};

export function failureReasonText(reason: string): string {
  return FAILURE_REASONS[reason] ?? `the server gave up on this move (${reason})`;
}

/** The line a locked card shows (and announces) while its move is undecided. */
export function movingText(move: Pick<InFlightMove, 'to' | 'phase' | 'stillWorking'>): string {
  const moving = `${move.stillWorking ? 'Still moving' : 'Moving'} to ${COLUMN_LABELS[move.to]}`;
  return move.phase.phase === 'retrying' ? `${moving}, retrying…` : `${moving}…`;
}

/** The toast for a finished move, or undefined when the card settling says it all. */
export function outcomeToast(result: MoveResult): Toast | undefined {
  switch (result.kind) {
    case 'applied':
      return undefined;
    case 'conflict':
      return { tone: 'info', text: CONFLICT_MESSAGE };
    case 'rejected':
      if (result.reason === 'not_found') return { tone: 'warn', text: 'That appointment no longer exists.' };
      return {
        tone: 'warn',
        text: notAllowedMessage(result.current?.status ?? result.card.status, result.to, result.allowed),
      };
    case 'failed':
      return {
        tone: 'error',
        text: `Could not move ${result.card.customer_name}'s card to ${COLUMN_LABELS[result.to]}: ${failureReasonText(result.reason)}. You can move it again.`,
      };
    case 'error':
      return {
        tone: 'error',
        text: `Could not move ${result.card.customer_name}'s card: ${result.message}. Please try again.`,
      };
  }
}

/** The toast for a move the page refused to send, or undefined when there is nothing to say. */
export function refusalToast(
  refusal: Exclude<StartResult, { started: true }>,
  from: Status,
  to: Status,
): Toast | undefined {
  switch (refusal.reason) {
    case 'locked':
      return { tone: 'info', text: LOCKED_MESSAGE };
    case 'same_column':
      return undefined;
    case 'not_allowed':
      return { tone: 'warn', text: notAllowedMessage(from, to, refusal.allowed) };
  }
}
