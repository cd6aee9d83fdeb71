/** Submit a move (202 + Location) and poll its outcome, optionally long-polling with wait_ms. */
import { moveSchema, pendingMoveSchema } from '../../domain/api-schemas';
import { NotFoundError } from '../../domain/errors';
import { presentMove } from '../../domain/move';
import { idSchema, moveIdSchema, movePollQuerySchema, submitMoveSchema } from '../../domain/schemas';
import { submitMove, waitForMove } from '../../domain/use-cases/moves';
import type { RouteHandler } from './http-types';
import { ok, parseInput } from './response';

export const submit: RouteHandler = async ({ params, body, deps, caller }) => {
  const appointmentId = params.id ?? '';
  if (!idSchema.safeParse(appointmentId).success) {
    throw new NotFoundError(`no appointment with id ${appointmentId}`, { appointment_id: appointmentId });
  }
  const input = parseInput(submitMoveSchema, body, 'body');
  const { record } = await submitMove(deps, appointmentId, input, caller);
  const location = `/api/admin/moves/${record.move_id}`;
  if (record.status === 'pending') {
    return ok(
      pendingMoveSchema,
      { move_id: record.move_id, appointment_id: record.appointment_id, status: 'pending' },
      202,
      {
        location,
      },
    );
  }
  return ok(moveSchema, presentMove(record), 200, { location });
};

export const poll: RouteHandler = async ({ params, query, deps }) => {
  const moveId = params.move_id ?? '';
  if (!moveIdSchema.safeParse(moveId).success)
    throw new NotFoundError(`no move with id ${moveId}`, { move_id: moveId });
  const { wait_ms } = parseInput(movePollQuerySchema, query, 'query');
  return ok(moveSchema, presentMove(await waitForMove(deps, moveId, wait_ms ?? 0)));
};
