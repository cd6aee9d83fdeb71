/**
 * The staff's move journey (move.yml): read the board, drag one of the run's cards to a column the
 * status machine (domain/status.ts) allows, with the version and column seen, long-poll the
 * outcome, and on a conflict refetch and retry once. Its figures are custom metrics: the counters
 * of MOVE_COUNTERS and the histograms move.submit_ms (POST …/move) and move.e2e_ms (submit →
 * decided outcome); loadtest/verdict.ts and move.yml's `ensure` read them by these names.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import type { Board } from '../../domain/board';
import type { BoardItem } from '../../domain/appointment';
import { allowedTargets, canTransition, isStatus, type Status } from '../../domain/status';
import type { ArtilleryContext, ArtilleryEvents, ArtilleryResponse, Next, RequestParams } from './artillery';
import { boardCards } from './seeding';
import { SETTINGS } from './settings';

/** Every counter the move journey may emit; each starts at 0 so the report always names it. */
export const MOVE_COUNTERS = [
  'move.submitted',
  'move.applied',
  'move.noop',
  'move.conflict',
  'move.conflict_first',
  'move.conflict_retry',
  'move.rejected',
  'move.failed',
  'move.timeout',
  'move.submit_error',
  'move.poll_error',
  'move.retried',
  'move.no_card',
  'move.retry_moot',
  'move.decided_first',
  'move.decided_retry',
  'move.shed',
] as const;

/** What the journey keeps in the virtual user's variables between its requests. */
interface JourneyVars {
  attempt: number;
  retry: boolean;
  waitMs: number;
  owner?: string;
  apptId: string | null;
  moveId: string | null;
  fromStatus?: Status;
  version?: number;
  toStatus?: Status;
  submitStarted: number;
}

/** The move as the submit and the polls return it: just what the journey reads. */
interface MoveAnswer {
  move_id: string;
  status: 'pending' | 'applied' | 'conflict' | 'rejected' | 'failed';
  noop?: boolean;
}

const journey = (context: ArtilleryContext) => context.vars as unknown as JourneyVars;
const targetsOf = (status: unknown): readonly Status[] => (isStatus(status) ? allowedTargets(status) : []);

/** Start of a journey: counters at 0 (so every name is in the report), first attempt. */
export function beginJourney(context: ArtilleryContext, events: ArtilleryEvents, next: Next) {
  for (const name of MOVE_COUNTERS) events.emit('counter', name, 0);
  const vars = journey(context);
  vars.attempt = 0;
  vars.retry = false;
  vars.waitMs = SETTINGS.waitMs;
  return next();
}

/** A target column: any legal one, but `completed` (which ends a card's moves) only rarely. */
export function pickTarget(status: Status, random: () => number = Math.random): Status | undefined {
  const targets = allowedTargets(status);
  const open = targets.filter((t) => t !== 'completed');
  if (open.length === 0 || (targets.includes('completed') && random() < 0.1)) return targets[0];
  return open[Math.floor(random() * open.length)];
}

/** What a person drags where: the card as the board showed it, and the column they drop it in. */
export interface MoveChoice {
  card: Pick<BoardItem, 'id' | 'status' | 'version'>;
  to: Status;
}

/**
 * The next drag, from the board just read. A first attempt takes a random card of `owner` that can
 * still move (completed is the one column with no way out). The retry after a conflict is of the
 * same card, with the version and column the refreshed board shows, to the same column when that is
 * still legal from there (else another legal one); none when the card is already in that column or
 * can no longer move.
 */
export function chooseMove(
  cards: ReadonlyArray<Pick<BoardItem, 'id' | 'customer_id' | 'status' | 'version'>>,
  owner: string | undefined,
  retryOf?: { apptId: string; to: Status },
  random: () => number = Math.random,
): MoveChoice | undefined {
  const movable = cards.filter((c) => c.customer_id === owner && targetsOf(c.status).length > 0);
  if (retryOf) {
    const card = movable.find((c) => c.id === retryOf.apptId);
    // Someone else already put it there, or it can no longer move: nothing left to retry.
    if (!card || card.status === retryOf.to) return undefined;
    const to = canTransition(card.status, retryOf.to) ? retryOf.to : pickTarget(card.status, random);
    return to ? { card, to } : undefined;
  }
  const card = movable[Math.floor(random() * movable.length)];
  const to = card ? pickTarget(card.status, random) : undefined;
  return card && to ? { card, to } : undefined;
}

/** After reading the board: choose one of the run's own cards that can still move, and where to. */
export function pickCard(
  _req: RequestParams,
  res: ArtilleryResponse,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
) {
  const vars = journey(context);
  const retryOf =
    vars.retry && vars.apptId && vars.toStatus ? { apptId: vars.apptId, to: vars.toStatus } : undefined;
  vars.attempt += 1;
  vars.retry = false;
  vars.apptId = null;
  vars.moveId = null;
  if (res.statusCode !== 200) return next();
  const board = (JSON.parse(res.body) as { data: Board }).data;
  const choice = chooseMove(boardCards(board), vars.owner, retryOf);
  if (!choice) {
    events.emit('counter', retryOf ? 'move.retry_moot' : 'move.no_card', 1);
    return next();
  }
  vars.apptId = choice.card.id;
  vars.fromStatus = choice.card.status;
  vars.version = choice.card.version;
  vars.toStatus = choice.to;
  return next();
}

export const hasCard = (vars: Record<string, unknown>) => Boolean(vars.apptId);
export const hasPendingMove = (vars: Record<string, unknown>) => Boolean(vars.moveId);

/** The time a person looks at the card before dropping it. */
export function thinkBeforeDrop(context: ArtilleryContext, _events: ArtilleryEvents, next: Next) {
  if (!context.vars.apptId || SETTINGS.thinkMs === 0) return next();
  setTimeout(next, Math.random() * 2 * SETTINGS.thinkMs);
}

/** Body of the submit: the version and column the person saw. */
export function moveBody(
  requestParams: RequestParams,
  context: ArtilleryContext,
  _events: ArtilleryEvents,
  next: Next,
) {
  const vars = journey(context);
  requestParams.json = {
    to_status: vars.toStatus,
    expected_version: vars.version,
    from_status: vars.fromStatus,
  };
  vars.submitStarted = performance.now();
  return next();
}

function recordOutcome(move: MoveAnswer, context: ArtilleryContext, events: ArtilleryEvents): void {
  const vars = journey(context);
  events.emit('histogram', 'move.e2e_ms', performance.now() - vars.submitStarted);
  events.emit('counter', vars.attempt === 1 ? 'move.decided_first' : 'move.decided_retry', 1);
  vars.moveId = null;
  switch (move.status) {
    case 'applied':
      events.emit('counter', move.noop ? 'move.noop' : 'move.applied', 1);
      return;
    case 'conflict':
      events.emit('counter', 'move.conflict', 1);
      if (vars.attempt === 1) {
        events.emit('counter', 'move.conflict_first', 1);
        // The graceful UX: refetch the board and try once more.
        vars.retry = true;
        events.emit('counter', 'move.retried', 1);
      } else {
        events.emit('counter', 'move.conflict_retry', 1);
      }
      return;
    default:
      events.emit('counter', `move.${move.status}`, 1);
  }
}

/** After the submit: 202 pending (poll next), 200 already decided, anything else an error. */
export function submitted(
  _req: RequestParams,
  res: ArtilleryResponse,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
) {
  const vars = journey(context);
  events.emit('histogram', 'move.submit_ms', performance.now() - vars.submitStarted);
  if (res.statusCode === 429) {
    // Shed before any handler ran (backOffOn429 waited): this drop never happened.
    events.emit('counter', 'move.shed', 1);
    return next();
  }
  if (res.statusCode !== 202 && res.statusCode !== 200) {
    events.emit('counter', 'move.submit_error', 1);
    return next();
  }
  events.emit('counter', 'move.submitted', 1);
  const move = (JSON.parse(res.body) as { data: MoveAnswer }).data;
  if (move.status === 'pending') vars.moveId = move.move_id;
  else recordOutcome(move, context, events);
  return next();
}

/** After a poll: record a decided move; give up on one pending for too long. */
export function polled(
  _req: RequestParams,
  res: ArtilleryResponse,
  context: ArtilleryContext,
  events: ArtilleryEvents,
  next: Next,
) {
  const vars = journey(context);
  // Shed (backOffOn429 waited): the move is still to be polled.
  if (res.statusCode === 429) return next();
  if (res.statusCode !== 200) {
    events.emit('counter', 'move.poll_error', 1);
    vars.moveId = null;
    return next();
  }
  const move = (JSON.parse(res.body) as { data: MoveAnswer }).data;
  if (move.status !== 'pending') {
    recordOutcome(move, context, events);
  } else if (performance.now() - vars.submitStarted > SETTINGS.moveTimeoutMs) {
    events.emit('counter', 'move.timeout', 1);
    vars.moveId = null;
  }
  return next();
}

export function stillPending(context: ArtilleryContext, next: (more: boolean) => void) {
  return next(Boolean(context.vars.moveId));
}

export function retryAfterConflict(context: ArtilleryContext, next: (more: boolean) => void) {
  const vars = journey(context);
  return next(Boolean(vars.retry) && vars.attempt < 2);
}
