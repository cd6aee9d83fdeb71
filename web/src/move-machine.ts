/**
 * A card's move from drop to outcome, and the coordinator that runs the page's moves.
 *
 * runMove: submit with a client-made move_id → long-poll the outcome with wait_ms → applied,
 * conflict or rejected is the answer; a failed move, a 5xx or a network error is retried after a
 * jittered backoff, at most twice, with the same move_id (the server treats a re-POST of a move_id
 * as the same move, so a retry can never apply twice) → then a clear error.
 *
 * MoveCoordinator: locks a card while its move is in flight, remembers what each outcome says about
 * the card (its new column and version) until the board catches up, and keeps the session's
 * telemetry. Framework-free, so it is tested with the API faked at the fetch boundary.
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
  /** Attempts after the first one; each reuses the move_id. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** wait_ms of each long poll (the API allows up to 10 000). */
  pollWaitMs: number;
  /** How long one attempt waits for a pending move before it counts as failed. */
  attemptTimeoutMs: number;
}

export const DEFAULT_POLICY: MovePolicy = {
  maxRetries: 2,
  baseDelayMs: 400,
  maxDelayMs: 4000,
  pollWaitMs: 5000,
  attemptTimeoutMs: 15_000,
};

export interface MoveDeps {
  api: BoardApi;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1); the backoff's jitter. */
  random(): number;
  newMoveId(): string;
}

type CardVersion = { status: Status; version: number };

export type MoveOutcome =
  | { kind: 'applied'; version: number; noop: boolean }
  | { kind: 'conflict'; current?: CardVersion }
  | { kind: 'rejected'; reason: string; allowed: Status[]; current?: CardVersion }
  | { kind: 'error'; message: string };

export type MoveResult = MoveOutcome & {
  moveId: string;
  card: BoardItem;
  to: Status;
  attempts: number;
  /** From the drop to the outcome, retries included. */
  ms: number;
};

export type MovePhase =
  | { phase: 'pending'; attempt: number }
  | { phase: 'retrying'; attempt: number; delayMs: number; reason: string };

/** Equal jitter: half of the exponential delay is fixed, half random, so tabs that failed together retry apart. */
export function backoffDelay(
  retry: number,
  policy: Pick<MovePolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
  retryAfterMs = 0,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const delay = exp / 2 + (random() * exp) / 2;
  return Math.round(Math.min(policy.maxDelayMs, Math.max(delay, retryAfterMs)));
}

class StillPendingError extends Error {
  override readonly name = 'StillPendingError';
}

/** Why an attempt failed, in words for the toast, when it is worth another attempt; undefined when it is not. */
function retryableFailure(err: unknown): { message: string; retryAfterMs?: number } | undefined {
  if (err instanceof StillPendingError) return { message: 'the server has not decided the move yet' };
  if (err instanceof NetworkError) return { message: 'the server could not be reached' };
  if (err instanceof ApiError && isRetryable(err)) {
    return { message: `the server failed (HTTP ${err.status})`, retryAfterMs: err.retryAfterMs };
  }
  return undefined;
}

function decided(view: MoveView, card: BoardItem): MoveOutcome | undefined {
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
    default:
      return undefined;
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

  for (;;) {
    attempts += 1;
    onPhase({ phase: 'pending', attempt: attempts });
    let failure: { message: string; retryAfterMs?: number };
    try {
      const attemptStarted = deps.now();
      let view = await deps.api.submitMove(req.card.id, body);
      while (view.status === 'pending') {
        const left = policy.attemptTimeoutMs - (deps.now() - attemptStarted);
        if (left <= 0) throw new StillPendingError();
        view = await deps.api.pollMove(moveId, Math.min(policy.pollWaitMs, left));
      }
      const outcome = decided(view, req.card);
      if (outcome) return finish(outcome);
      failure = { message: `the move failed (${view.reason ?? 'no reason given'})` };
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === 'not_found') {
        return finish({ kind: 'rejected', reason: 'not_found', allowed: [] });
      }
      const retryable = retryableFailure(err);
      if (!retryable) {
        return finish({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
      }
      failure = retryable;
    }
    if (attempts > policy.maxRetries) {
      return finish({ kind: 'error', message: `${failure.message}; tried ${attempts} times` });
    }
    const delayMs = backoffDelay(attempts, policy, deps.random, failure.retryAfterMs);
    onPhase({ phase: 'retrying', attempt: attempts, delayMs, reason: failure.message });
    await deps.sleep(delayMs);
  }
}

export interface InFlightMove {
  card: BoardItem;
  to: Status;
  phase: MovePhase;
  startedAt: number;
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
      phase: { phase: 'pending', attempt: 1 },
      startedAt: this.deps.now(),
    });
    const done = runMove(
      this.deps,
      { card, to },
      (phase) => {
        const current = this.snapshot.inFlight.get(card.id);
        if (current) this.setInFlight(card.id, { ...current, phase });
      },
      this.policy,
    ).then((result) => {
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
    case 'error':
      return undefined;
  }
}
