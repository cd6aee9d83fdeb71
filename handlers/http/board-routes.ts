/**
 * The status board and the dashboard stats, both served from indexes. A poll whose If-None-Match
 * still matches the days' revisions is answered 304 from those few small items, before any card
 * is read (domain/board-revision.ts). The scope names the shop's zone too: reindex-days re-keys
 * cards to other days without a card write, and the zone is what it changes.
 */
import { boardSchema, dashboardStatsSchema } from '../../domain/api-schemas';
import { canonicalQuery } from '../../domain/board-revision';
import { boardQuerySchema, dayRangeQuerySchema } from '../../domain/schemas';
import { boardRevision, getBoard, getStats, statsRevision } from '../../domain/use-cases/shop';
import type { RouteHandler } from './http-types';
import { etagMatches, notModified, okWithEtag, parseInput, revisionEtag } from './response';

export const board: RouteHandler = async ({ query, event, deps }) => {
  const boardQuery = parseInput(boardQuerySchema, query, 'query');
  const ifNoneMatch = event.headers['if-none-match'];
  const key = await boardRevision(
    deps,
    boardQuery,
    `board@${deps.timeZone}?${canonicalQuery(query)}`,
    deps.config.INDEX_LAG_MS,
  );
  const etag = key === undefined ? undefined : revisionEtag(key);
  if (etag && etagMatches(ifNoneMatch, etag)) return notModified(etag);
  return okWithEtag(boardSchema, await getBoard(deps, boardQuery), ifNoneMatch, etag);
};

export const stats: RouteHandler = async ({ query, event, deps }) => {
  const range = parseInput(dayRangeQuerySchema, query, 'query');
  const ifNoneMatch = event.headers['if-none-match'];
  const key = await statsRevision(
    deps,
    range,
    `stats@${deps.timeZone}?${canonicalQuery(query)}`,
    deps.config.INDEX_LAG_MS,
  );
  const etag = key === undefined ? undefined : revisionEtag(key);
  if (etag && etagMatches(ifNoneMatch, etag)) return notModified(etag);
  return okWithEtag(dashboardStatsSchema, await getStats(deps, range), ifNoneMatch, etag);
};
