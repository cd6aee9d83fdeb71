/**
 * What the page shows: the server's board with the page's own moves laid over it. A card with a
 * move in flight sits in its target column whatever the board says (a poll never overwrites it);
 * a card whose outcome is newer than the board shows the outcome. Pure.
 */
import { dayOf } from '../../domain/days';
import { STATUSES } from '../../domain/status';
import type { Board, BoardItem, Status } from './api';
import type { MoveSnapshot } from './move-machine';

export interface BoardView {
  columns: Record<Status, BoardItem[]>;
  total: number;
}

export const COLUMN_LABELS: Readonly<Record<Status, string>> = {
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  ready: 'Ready',
  completed: 'Completed',
  no_show: 'No-show',
  canceled: 'Canceled',
};

function byStart(a: BoardItem, b: BoardItem): number {
  if (a.appt_start !== b.appt_start) return a.appt_start < b.appt_start ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function boardView(board: Board, moves: Pick<MoveSnapshot, 'inFlight' | 'known'>): BoardView {
  const cards = new Map<string, BoardItem>();
  for (const status of STATUSES) {
    for (const item of board.columns[status].items) {
      const known = moves.known.get(item.id);
      cards.set(
        item.id,
        known && known.version > item.version
          ? { ...item, status: known.status, version: known.version }
          : item,
      );
    }
  }
  for (const [id, move] of moves.inFlight) {
    const day = dayOf(move.card.appt_start, board.time_zone);
    // A move started on another day's board stays there.
    if (!cards.has(id) && (day < board.from || day > board.to)) continue;
    cards.set(id, { ...(cards.get(id) ?? move.card), status: move.to });
  }
  const columns = Object.fromEntries(STATUSES.map((s) => [s, [] as BoardItem[]])) as Record<
    Status,
    BoardItem[]
  >;
  for (const card of cards.values()) columns[card.status].push(card);
  for (const status of STATUSES) columns[status].sort(byStart);
  return { columns, total: cards.size };
}
