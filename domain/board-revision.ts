/**
 * Board and stats validators made from the days' revision counters instead of the cards, so a
 * poll whose ETag still matches is answered from a few small items. Pure.
 *
 * Every card write bumps one shard of its day's revision in the transaction that writes the card
 * (a PATCH that moves a card to another day bumps both days), so the counters and the cards never
 * disagree in the table. The cards are read from an index, though, which may lag the table: a
 * revision read just after a write, with a card read that missed it, would name a board it does
 * not show. So a revision validator is given only when every shard read has been quiet for the
 * index's lag; otherwise the answer's ETag is the body's hash, as before.
 */

export interface RevisionShard {
  shard: number;
  rev: number;
  /** The writer's clock at its last bump, in epoch ms. */
  changedAtMs: number;
}

export interface DayRevision {
  day: string;
  shards: readonly RevisionShard[];
}

/**
 * The canonical text a revision validator is the hash of: the scope (the route, its query and
 * anything else its body depends on, such as the catalog's prices) and every shard of every day,
 * read before the cards. Undefined when a shard changed within `indexLagMs` of `nowMs`.
 */
export function revisionKey(
  scope: string,
  days: readonly DayRevision[],
  nowMs: number,
  indexLagMs: number,
): string | undefined {
  const parts: string[] = [scope];
  for (const { day, shards } of [...days].sort((a, b) => (a.day < b.day ? -1 : 1))) {
    const sorted = [...shards].sort((a, b) => a.shard - b.shard);
    if (sorted.some((s) => nowMs - s.changedAtMs < indexLagMs)) return undefined;
    parts.push(`${day}:${sorted.map((s) => `${s.shard}=${s.rev}`).join(',')}`);
  }
  return parts.join('|');
}

/** A stable text of a query object, whatever the order of its keys. */
export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k] as string)}`)
    .join('&');
}
