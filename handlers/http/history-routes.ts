/** A card's history (newest first, a page at a time) and who the caller is (GET /api/me). */
import { ValidationError } from '../../domain/errors';
import { DEFAULT_HISTORY_LIMIT, decodeHistoryCursor } from '../../domain/history';
import { historyPageSchema, meSchema } from '../../domain/api-schemas';
import { historyQuerySchema } from '../../domain/schemas';
import { getHistory } from '../../domain/use-cases/shop';
import type { RouteHandler } from './http-types';
import { ok, parseInput } from './response';
import { pathId } from './shop-routes';

export const history: RouteHandler = async ({ params, query, deps }) => {
  const id = pathId(params);
  const { limit, cursor } = parseInput(historyQuerySchema, query, 'query');
  const beforeVersion = cursor === undefined ? undefined : decodeHistoryCursor(cursor);
  if (cursor !== undefined && beforeVersion === undefined) {
    throw new ValidationError('invalid request query', {
      cursor: 'is not a cursor this endpoint returned (use next_cursor as given)',
    });
  }
  return ok(
    historyPageSchema,
    await getHistory(deps, id, { limit: limit ?? DEFAULT_HISTORY_LIMIT, beforeVersion }),
  );
};

/** Any caller with a role may ask who they are; the board page hides what its role may not use. */
export const me: RouteHandler = async ({ caller, deps }) =>
  ok(meSchema, { role: caller.role, principal: caller.principal, write_policy: deps.config.WRITE_POLICY });
