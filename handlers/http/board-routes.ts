/**
 * The status board and the dashboard stats, both served from indexes. A poll whose If-None-Match
 * still matches the days' revisions is answered 304 from those few small items, before any card
 * is read (domain/board-revision.ts).
 */
import { boardSchema, dashboardStatsSchema } from '../../domain/api-schemas';
import { canonicalQuery } from '../../domain/board-revision';
import { dayRangeQuerySchema } from '../../domain/schemas';
import { boardRevision, getBoard, getStats, statsRevision } from '../../domain/use-cases/shop';
import type { RouteHandler } from './http-types';
import { etagMatches, notModified, okWithEtag, parseInput, revisionEtag } from './response';

export const board: RouteHandler = async ({ query, event, deps }) => {
  const range = parseInput(dayRangeQuerySchema, query, 'query');
  const ifNoneMatch = event.headers['if-none-match'];
  const key = await boardRevision(deps, range, `board?${canonicalQuery(query)}`, deps.config.INDEX_LAG_MS);
  const etag = key === undefined ? undefined : revisionEtag(key);
  if (etag && etagMatches(ifNoneMatch, etag)) return notModified(etag);
  return okWithEtag(boardSchema, await getBoard(deps, range), ifNoneMatch, etag);
};

export const stats: RouteHandler = async ({ query, event, deps }) => {
  const range = parseInput(dayRangeQuerySchema, query, 'query');
  const ifNoneMatch = event.headers['if-none-match'];
  const key = await statsRevision(deps, range, `stats?${canonicalQuery(query)}`, deps.config.INDEX_LAG_MS);
  const etag = key === undefined ? undefined : revisionEtag(key);
  if (etag && etagMatches(ifNoneMatch, etag)) return notModified(etag);
  return okWithEtag(dashboardStatsSchema, await getStats(deps, range), ifNoneMatch, etag);
};
