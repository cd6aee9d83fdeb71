/**
 * What the page shows: the server's board with the page's own moves laid over it. A card with a
 * move in flight sits in its target column whatever the board says (a poll never overwrites it);
 * a card whose outcome is newer than the board shows the outcome. Pure.
 */
import { presentBoardItem } from '../../domain/appointment';
import { dayOf } from '../../domain/days';
import { STATUSES } from '../../domain/status';
import type { Appointment, Board, BoardItem, Status } from './api';
import { DEFAULT_ZONE } from './format';
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
    const day = dayOf(move.card.appt_start, shopZone(board));
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

/** The shop's zone the board names (issue 13); UTC from an API that does not name one yet. */
export function shopZone(board: Board | undefined): string {
  const zone = (board as (Board & { time_zone?: string }) | undefined)?.time_zone;
  return typeof zone === 'string' && zone !== '' ? zone : DEFAULT_ZONE;
}

/** An appointment as a board card: the fields the API's board gives (domain/appointment.ts). */
export function toBoardItem(a: Appointment): BoardItem {
  return presentBoardItem(a as unknown as Parameters<typeof presentBoardItem>[0]) as unknown as BoardItem;
}

/**
 * The board with the cards this page just booked on its days added, until a poll brings them:
 * a booking shows in Scheduled at once.
 */
export function withBooked(board: Board, booked: readonly BoardItem[]): Board {
  const shown = new Set(STATUSES.flatMap((s) => board.columns[s].items.map((i) => i.id)));
  const extra = booked.filter((b) => !shown.has(b.id) && inRange(board, b));
  if (extra.length === 0) return board;
  const scheduled = board.columns.scheduled;
  return {
    ...board,
    columns: {
      ...board.columns,
      scheduled: { items: [...scheduled.items, ...extra], count: scheduled.count + extra.length },
    },
  };
}

function inRange(board: Board, card: BoardItem): boolean {
  const day = dayOf(card.appt_start, shopZone(board));
  return day >= board.from && day <= board.to;
}
