/**
 * How long a card has sat in its column, and when that is too long. The thresholds live here,
 * in one object, so the shop can change them in one place. Pure: `now` is passed in.
 */
import type { BoardItem, Status } from './api';
import { COLUMN_LABELS } from './board-view';
import { formatDuration } from './format';

export interface AgingThresholds {
  /** An in-progress card is overdue once its appointment's end has passed. */
  inProgressPastEnd: boolean;
  /** A ready car waiting this long for its customer is marked. */
  readyMaxMinutes: number;
}

export const AGING_THRESHOLDS: Readonly<AgingThresholds> = {
  inProgressPastEnd: true,
  readyMaxMinutes: 30,
};

/** `in progress 1 h 20 m`: how long since the card entered its column (`status_since`). */
export function timeInStatus(card: Pick<BoardItem, 'status' | 'status_since'>, nowMs: number): string {
  return `${COLUMN_LABELS[card.status].toLowerCase()} ${formatDuration(nowMs - Date.parse(card.status_since))}`;
}

/** Why a card is overdue (`Overdue: past its end time`), or undefined when it is not. */
export function overdueLabel(
  card: Pick<BoardItem, 'status' | 'appt_end' | 'status_since'>,
  nowMs: number,
  thresholds: Readonly<AgingThresholds> = AGING_THRESHOLDS,
): string | undefined {
  const status: Status = card.status;
  if (status === 'in_progress' && thresholds.inProgressPastEnd && nowMs > Date.parse(card.appt_end)) {
    return 'Overdue: past its end time';
  }
  if (status === 'ready' && nowMs - Date.parse(card.status_since) > thresholds.readyMaxMinutes * 60_000) {
    return `Waiting: ready over ${thresholds.readyMaxMinutes} m`;
  }
  return undefined;
}
