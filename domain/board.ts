/** Assembles the status board from the day's cards. Pure. */
import { presentBoardItem, type BoardItem, type PresentedBoardItem } from './appointment';
import { STATUSES, type Status } from './status';

export interface Board {
  /** Local days of `time_zone`. */
  from: string;
  to: string;
  /** The shop's time zone (SHOP_TIMEZONE), whose local days from..to are. */
  time_zone: string;
  columns: Record<Status, { items: PresentedBoardItem[]; count: number }>;
}

function byStart(a: PresentedBoardItem, b: PresentedBoardItem): number {
  return a.appt_start < b.appt_start
    ? -1
    : a.appt_start > b.appt_start
      ? 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;
}

export function assembleBoard(from: string, to: string, items: Iterable<BoardItem>, timeZone: string): Board {
  const columns = Object.fromEntries(
    STATUSES.map((s) => [s, { items: [] as PresentedBoardItem[], count: 0 }]),
  ) as Board['columns'];
  for (const item of items) columns[item.status].items.push(presentBoardItem(item));
  for (const s of STATUSES) {
    columns[s].items.sort(byStart);
    columns[s].count = columns[s].items.length;
  }
  return { from, to, time_zone: timeZone, columns };
}
