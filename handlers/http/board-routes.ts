/** The status board and the dashboard stats, both served from indexes. */
import { boardSchema, dashboardStatsSchema } from '../../domain/api-schemas';
import { boardQuerySchema, dayRangeQuerySchema } from '../../domain/schemas';
import { getBoard, getStats } from '../../domain/use-cases/shop';
import type { RouteHandler } from './http-types';
import { okWithEtag, parseInput } from './response';

export const board: RouteHandler = async ({ query, event, deps }) => {
  const board = await getBoard(deps, parseInput(boardQuerySchema, query, 'query'));
  return okWithEtag(boardSchema, board, event.headers['if-none-match']);
};

export const stats: RouteHandler = async ({ query, event, deps }) => {
  const range = parseInput(dayRangeQuerySchema, query, 'query');
  return okWithEtag(dashboardStatsSchema, await getStats(deps, range), event.headers['if-none-match']);
};
