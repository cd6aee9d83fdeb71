/**
 * A card's move from drop to decision, and the coordinator that runs the page's moves.
 *
 * The server's contract: a move it has answered 202 for is decided (applied, conflict, rejected or
 * failed) exactly once, however long that takes (the sweeper re-sends a pending move until
 * SWEEP_GIVE_UP_SECONDS, then settles it failed). Anything short of an answer (a 503, another
 * 5xx, a 429, a network error) says nothing about the move: it may already be recorded, or even
 * applied. So the page never gives up on its own:
 *
 * runMove: submit with a client-made move_id, re-POSTing the same move_id and body after a
 * jittered, capped backoff (honouring Retry-After) until the server answers → a 202 is long-polled
 * with wait_ms, poll failures retried the same way, with no overall deadline → the decided move is
 * the outcome. A 4xx other than 429 is a final answer; a decided `failed` is final too (the user
 * can drag again, which is a new move).
 *
 * MoveCoordinator: locks a card while its move is undecided, says when a move is taking long,
 * remembers what each outcome says about the card (its new column and version) until the board
 * catches up, and keeps the session's telemetry. Framework-free, so it is tested with the API
 * faked at the fetch boundary and a fake clock.
 */
import { allowedTargets, canTransition } from '../../domain/status';
import {
  ApiError,
  NetworkError,
  isRetryable,
  type BoardApi,
  type BoardItem,
  type MoveView,
  type Status,
} from './api';
import { MoveTelemetry, type TelemetrySummary } from './move-telemetry';

export interface MovePolicy {
  baseDelayMs: number;
  /** Cap of the backoff between two tries of one request. */
  maxDelayMs: number;
  /** The longest Retry-After honoured; a longer one is read as this. */
  maxRetryAfterMs: number;
  /** wait_ms of each long poll (the API allows up to 10 000; each poll holds a function slot meanwhile). */
  pollWaitMs: number;
  /** When the card starts saying the move is taking long. */
  stillWorkingAfterMs: number;
}

export const DEFAULT_POLICY: MovePolicy = {
  baseDelayMs: 400,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  pollWaitMs: 5000,
  stillWorkingAfterMs: 5000,
};

export interface MoveDeps {
  api: BoardApi;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Calls `fn` once after `ms`; the returned function cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
  /** In [0, 1); the backoff's jitter. */
  random(): number;
  newMoveId(): string;
}

type CardVersion = { status: Status; version: number };

export type MoveOutcome =
  | { kind: 'applied'; version: number; noop: boolean }
  | { kind: 'conflict'; current?: CardVersion }
  | { kind: 'rejected'; reason: string; allowed: Status[]; current?: CardVersion }
  /** Decided by the server: it gave up on the move (processing_failed, undeliverable, dead_lettered). */
  | { kind: 'failed'; reason: string }
  /** The server refused the request itself (a 4xx): nothing was decided. */
  | { kind: 'error'; message: string };

export type MoveResult = MoveOutcome & {
  moveId: string;
  card: BoardItem;
  to: Status;
  /** How many times the move was submitted (all with the same move_id and body). */
  attempts: number;
  /** From the drop to the outcome, retries included. */
  ms: number;
};

export type MovePhase =
  /** Sent, or being sent, and not decided yet. */
  | { phase: 'pending' }
  /** The last request got no answer; waiting `delayMs` before trying again. */
  | { phase: 'retrying'; delayMs: number; reason: string };

/** Equal jitter: half of the exponential delay is fixed, half random, so tabs that failed together retry apart. */
export function backoffDelay(
  retry: number,
  policy: Pick<MovePolicy, 'baseDelayMs' | 'maxDelayMs'> & Partial<Pick<MovePolicy, 'maxRetryAfterMs'>>,
  random: () => number,
  retryAfterMs = 0,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const delay = exp / 2 + (random() * exp) / 2;
  const serverSays = Math.min(retryAfterMs, policy.maxRetryAfterMs ?? policy.maxDelayMs);
  return Math.round(Math.max(delay, serverSays));
}

/** Why a request got no answer, in words for the card; undefined when the error is an answer. */
function noAnswer(err: unknown): { reason: string; retryAfterMs?: number } | undefined {
  if (err instanceof NetworkError) return { reason: 'the server could not be reached' };
  if (err instanceof ApiError && isRetryable(err)) {
    return { reason: `the server is busy (HTTP ${err.status})`, retryAfterMs: err.retryAfterMs };
  }
  return undefined;
}

function refused(err: unknown): MoveOutcome {
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}

function decided(
  view: MoveView & { status: Exclude<MoveView['status'], 'pending'> },
  card: BoardItem,
): MoveOutcome {
  switch (view.status) {
    case 'applied':
      return { kind: 'applied', version: view.version ?? card.version + 1, noop: view.noop === true };
    case 'conflict':
      return { kind: 'conflict', ...(view.current ? { current: view.current } : {}) };
    case 'rejected':
      return {
        kind: 'rejected',
        reason: view.reason ?? 'rejected',
        allowed: view.allowed ?? [],
        ...(view.current ? { current: view.current } : {}),
      };
    case 'failed':
      return { kind: 'failed', reason: view.reason ?? 'unknown' };
  }
}

export async function runMove(
  deps: MoveDeps,
  req: { card: BoardItem; to: Status },
  onPhase: (phase: MovePhase) => void = () => undefined,
  policy: MovePolicy = DEFAULT_POLICY,
): Promise<MoveResult> {
  const moveId = deps.newMoveId();
  const started = deps.now();
  const body = {
    move_id: moveId,
    to_status: req.to,
    expected_version: req.card.version,
    from_status: req.card.status,
  };
  let attempts = 0;
  const finish = (outcome: MoveOutcome): MoveResult => ({
    ...outcome,
    moveId,
    card: req.card,
    to: req.to,
    attempts,
    ms: Math.max(0, deps.now() - started),
  });
  let shown: MovePhase['phase'] | undefined;
  const show = (phase: MovePhase) => {
    if (phase.phase === 'pending' && shown === 'pending') return;
    shown = phase.phase;
    onPhase(phase);
  };
  const backOff = async (failures: number, why: { reason: string; retryAfterMs?: number }) => {
    const delayMs = backoffDelay(failures, policy, deps.random, why.retryAfterMs);
    show({ phase: 'retrying', delayMs, reason: why.reason });
    await deps.sleep(delayMs);
  };

  show({ phase: 'pending' });
  let view: MoveView;
  for (;;) {
    attempts += 1;
    try {
      view = await deps.api.submitMove(req.card.id, body);
      break;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === 'not_found') {
        return finish({ kind: 'rejected', reason: 'not_found', allowed: [] });
      }
      const why = noAnswer(err);
      if (!why) return finish(refused(err));
      await backOff(attempts, why);
    }
  }
  show({ phase: 'pending' });

  let pendingRounds = 0;
  let failures = 0;
  for (;;) {
    const { status } = view;
    if (status !== 'pending') return finish(decided({ ...view, status }, req.card));
    const polled = deps.now();
    try {
      view = await deps.api.pollMove(moveId, policy.pollWaitMs);
    } catch (err) {
      const why = noAnswer(err);
      if (!why) return finish(refused(err));
      failures += 1;
      await backOff(failures, why);
      continue;
    }
    failures = 0;
    show({ phase: 'pending' });
    if (view.status === 'pending') {
      // A poll that held its wait_ms is followed at once; one that came back early (a server
      // that does not long-poll) is spaced out, up to one wait.
      pendingRounds += 1;
      const gap = backoffDelay(pendingRounds, { ...policy, maxDelayMs: policy.pollWaitMs }, deps.random);
      const left = gap - (deps.now() - polled);
      if (left > 0) await deps.sleep(left);
    }
  }
}

export interface InFlightMove {
  card: BoardItem;
  to: Status;
  phase: MovePhase;
  startedAt: number;
  /** True once the move has been undecided for `stillWorkingAfterMs`. */
  stillWorking: boolean;
}

export interface MoveSnapshot {
  /** Cards with a move in flight, by id: locked, and shown in their target column. */
  inFlight: ReadonlyMap<string, InFlightMove>;
  /** What the last outcome said about a card, by id; wins over an older board until the board catches up. */
  known: ReadonlyMap<string, BoardItem>;
  telemetry: TelemetrySummary;
}

export type StartResult =
  | { started: true; done: Promise<MoveResult> }
  | { started: false; reason: 'locked' | 'same_column' }
  | { started: false; reason: 'not_allowed'; allowed: readonly Status[] };

export class MoveCoordinator {
  private snapshot: MoveSnapshot;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly deps: MoveDeps,
    private readonly policy: MovePolicy = DEFAULT_POLICY,
    private readonly telemetry: MoveTelemetry = new MoveTelemetry(),
  ) {
    this.snapshot = { inFlight: new Map(), known: new Map(), telemetry: telemetry.summary() };
  }

  /** For React's useSyncExternalStore. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): MoveSnapshot => this.snapshot;

  isLocked(cardId: string): boolean {
    return this.snapshot.inFlight.has(cardId);
  }

  /** Starts a move unless the card is locked or the status rules forbid it (those never reach the server). */
  start(card: BoardItem, to: Status): StartResult {
    if (this.isLocked(card.id)) return { started: false, reason: 'locked' };
    if (card.status === to) return { started: false, reason: 'same_column' };
    if (!canTransition(card.status, to)) {
      return { started: false, reason: 'not_allowed', allowed: allowedTargets(card.status) };
    }
    this.setInFlight(card.id, {
      card,
      to,
      phase: { phase: 'pending' },
      startedAt: this.deps.now(),
      stillWorking: false,
    });
    const cancelTimer = this.deps.setTimer(this.policy.stillWorkingAfterMs, () =>
      this.updateInFlight(card.id, { stillWorking: true }),
    );
    const done = runMove(
      this.deps,
      { card, to },
      (phase) => this.updateInFlight(card.id, { phase }),
      this.policy,
    ).then((result) => {
      cancelTimer();
      this.settle(result);
      return result;
    });
    return { started: true, done };
  }

  private settle(result: MoveResult): void {
    this.telemetry.record(result);
    const inFlight = new Map(this.snapshot.inFlight);
    inFlight.delete(result.card.id);
    const known = new Map(this.snapshot.known);
    const now = cardAfter(result);
    if (now) known.set(now.id, now);
    this.snapshot = { inFlight, known, telemetry: this.telemetry.summary() };
    this.emit();
  }

  private updateInFlight(
    cardId: string,
    change: Partial<Pick<InFlightMove, 'phase' | 'stillWorking'>>,
  ): void {
    const current = this.snapshot.inFlight.get(cardId);
    if (current) this.setInFlight(cardId, { ...current, ...change });
  }

  private setInFlight(cardId: string, move: InFlightMove): void {
    const inFlight = new Map(this.snapshot.inFlight);
    inFlight.set(cardId, move);
    this.snapshot = { ...this.snapshot, inFlight };
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

/** The card as the outcome describes it, when the outcome says where it is now. */
function cardAfter(result: MoveResult): BoardItem | undefined {
  switch (result.kind) {
    case 'applied':
      return { ...result.card, status: result.to, version: result.version };
    case 'conflict':
    case 'rejected':
      return result.current
        ? { ...result.card, status: result.current.status, version: result.current.version }
        : undefined;
    case 'failed':
    case 'error':
      return undefined;
  }
}
