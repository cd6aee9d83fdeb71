/** The words the page uses for move outcomes and refusals (toasts). Pure. */
import type { Status } from './api';
import { COLUMN_LABELS } from './board-view';
import type { MoveResult, StartResult } from './move-machine';

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
