/**
 * Move drivers for the benchmark, through the API like any client (SigV4-signed, client/api-client.ts):
 * - openLoop: moves started on a fixed schedule (rate per second) whatever the latency, each on a
 *   card nobody else is moving, so every outcome should be `applied`;
 * - contention: a number of staff on a number of cards, each reading the board, dropping a card in
 *   a legal column with the version seen, and retrying once after a conflict (the graceful UX).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BoardItem } from '../../domain/appointment';
import { allowedTargets, type Status } from '../../domain/status';
import type { ApiClient, MoveView } from '../../client/api-client';
import { summarize, type Latency } from './latency';

export type Outcome =
  'applied' | 'noop' | 'conflict' | 'rejected' | 'failed' | 'http_error' | 'network_error' | 'timeout';

/** Outcomes that are errors: the API or the pipeline let the client down. Conflicts are not. */
export const ERROR_OUTCOMES: readonly Outcome[] = ['failed', 'http_error', 'network_error', 'timeout'];

export interface MoveSample {
  outcome: Outcome;
  submitMs?: number;
  e2eMs?: number;
  /** From the submit's answer reaching the client to the move's decided_at (one machine, one clock). */
  decisionAfterSubmitMs?: number;
  /** 429s the client waited out (Retry-After with jitter) on this move's requests. */
  shed?: number;
  move?: MoveView;
  /** The accepted move's id, kept when its outcome was not seen (timeout, poll error). */
  pendingMoveId?: string;
  detail?: string;
}

export interface MoveOptions {
  /** wait_ms of each poll. */
  waitMs: number;
  /** A move still pending this long after its submit is a timeout. */
  timeoutMs: number;
}

export const DEFAULT_MOVE_OPTIONS: MoveOptions = { waitMs: 5000, timeoutMs: 10_000 };

/** Submits one move and long-polls it to its outcome. */
export async function moveOnce(
  client: ApiClient,
  card: { id: string; status: Status; version: number },
  to: Status,
  opts: MoveOptions = DEFAULT_MOVE_OPTIONS,
): Promise<MoveSample> {
  const t0 = performance.now();
  try {
    const submit = await client.submitMove(card.id, {
      to_status: to,
      expected_version: card.version,
      from_status: card.status,
    });
    const submitMs = performance.now() - t0;
    const answeredAt = Date.now();
    if ((submit.status !== 202 && submit.status !== 200) || !submit.body?.ok) {
      return { outcome: 'http_error', submitMs, detail: `submit ${submit.status}` };
    }
    let move = submit.body.data as MoveView;
    let shed = submit.shed;
    while (move.status === 'pending') {
      const left = opts.timeoutMs - (performance.now() - t0);
      if (left <= 0) return { outcome: 'timeout', submitMs, pendingMoveId: move.move_id };
      const poll = await client.pollMove(move.move_id, Math.min(opts.waitMs, Math.ceil(left)));
      shed += poll.shed;
      if (poll.status !== 200 || !poll.body?.ok) {
        return {
          outcome: 'http_error',
          submitMs,
          detail: `poll ${poll.status}`,
          pendingMoveId: move.move_id,
        };
      }
      move = poll.body.data;
    }
    const e2eMs = performance.now() - t0;
    const outcome: Outcome = move.status === 'applied' ? (move.noop ? 'noop' : 'applied') : move.status;
    const decidedAt = move.decided_at ? Date.parse(move.decided_at) : NaN;
    return {
      outcome,
      submitMs,
      e2eMs,
      move,
      shed,
      ...(Number.isFinite(decidedAt) ? { decisionAfterSubmitMs: decidedAt - answeredAt } : {}),
    };
  } catch (err) {
    return { outcome: 'network_error', detail: (err as Error).message };
  }
}

export function countOutcomes(samples: readonly MoveSample[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = {
    applied: 0,
    noop: 0,
    conflict: 0,
    rejected: 0,
    failed: 0,
    http_error: 0,
    network_error: 0,
    timeout: 0,
  };
  for (const s of samples) counts[s.outcome] += 1;
  return counts;
}

export const errorsIn = (counts: Record<Outcome, number>) =>
  ERROR_OUTCOMES.reduce((a, o) => a + counts[o], 0);

export interface PoolCard {
  id: string;
  status: Status;
  version: number;
  busy: boolean;
}

/** in_progress ⇄ ready after the first move: every move is legal and no card ever completes. */
const cycleTarget = (s: Status): Status => (s === 'in_progress' ? 'ready' : 'in_progress');

export interface OpenLoopResult {
  rate: number;
  seconds: number;
  offered: number;
  submit: Latency;
  e2e: Latency;
  /**
   * From the submit's answer to the decision: where a long-poll sent right after the submit finds
   * its move decided (FIRST_POLL_DELAY_MS is derived from it).
   */
  decision: Latency;
  outcomes: Record<Outcome, number>;
  errors: number;
  /** Moves decided per second, from the first submit to the last outcome. */
  achieved: number;
  /** 429s the clients waited out, and moves whose submit was still refused with 429 after them. */
  shed: number;
  refused: number;
  /** Submits answered 202 or 200 whose outcome the client did not see decided (timeout, poll error). */
  undecided: number;
  /**
   * Those moves asked again once the run's backlog had cleared (the promise: every 202 is decided):
   * how many were decided by then, and how many were still pending or could not be read.
   */
  decidedAfter: number;
  stillUndecided: number;
  /** From the last scheduled submit to the last outcome: how long the backlog took to clear. */
  drainMs: number;
  /** How late the scheduler started a move, at worst (client saturation shows here). */
  maxLagMs: number;
  /** Moves that found every card of the pool busy (the pool is too small for the rate). */
  starved: number;
  firstErrors: string[];
}

/**
 * The moves whose outcome a run's clients did not see, asked again after the run, a few at a time
 * (the client backs off on 429 by itself), each long-polled until decided or `limitMs` has passed
 * since the first ask: an accepted move must be decided, whatever its client saw.
 */
async function askAgain(
  client: ApiClient,
  moveIds: readonly string[],
  limitMs = 60_000,
): Promise<{ decided: number; undecided: number }> {
  const deadline = performance.now() + limitMs;
  let decided = 0;
  const queue = [...moveIds];
  const one = async (id: string) => {
    while (performance.now() < deadline) {
      const poll = await client.pollMove(id, 5000);
      if (poll.status === 200 && poll.body?.ok) {
        if (poll.body.data.status !== 'pending') {
          decided += 1;
          return;
        }
      } else await sleep(500);
    }
  };
  const workers = Array.from({ length: Math.min(8, queue.length) }, async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await one(id);
  });
  await Promise.all(workers);
  return { decided, undecided: moveIds.length - decided };
}

/** `rate` moves a second for `seconds`, started on schedule whether or not earlier ones are done. */
export async function openLoop(
  client: ApiClient,
  pool: PoolCard[],
  rate: number,
  seconds: number,
  opts: MoveOptions = DEFAULT_MOVE_OPTIONS,
): Promise<OpenLoopResult> {
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  let cursor = 0;
  let maxLag = 0;
  let starved = 0;
  const pick = (): PoolCard | undefined => {
    for (let k = 0; k < pool.length; k++) {
      const card = pool[cursor++ % pool.length] as PoolCard;
      if (!card.busy) return card;
    }
    return undefined;
  };
  const run = async (card: PoolCard): Promise<MoveSample> => {
    card.busy = true;
    const to = cycleTarget(card.status);
    const sample = await moveOnce(client, card, to, opts);
    if (sample.move && sample.outcome === 'applied') {
      card.status = to;
      card.version = sample.move.version ?? card.version + 1;
    } else if (sample.move?.current) {
      card.status = sample.move.current.status;
      card.version = sample.move.current.version;
    }
    card.busy = false;
    return sample;
  };
  const started = performance.now();
  const inFlight: Promise<MoveSample>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    maxLag = Math.max(maxLag, performance.now() - due);
    const card = pick();
    if (!card) {
      starved += 1;
      continue;
    }
    inFlight.push(run(card));
  }
  const scheduleEnded = performance.now();
  const samples = await Promise.all(inFlight);
  const drainMs = performance.now() - scheduleEnded;
  const elapsed = (performance.now() - started) / 1000;
  const followUp = await askAgain(
    client,
    samples.flatMap((x) => (x.pendingMoveId ? [x.pendingMoveId] : [])),
  );
  const outcomes = countOutcomes(samples);
  return {
    rate,
    seconds,
    offered: total,
    submit: summarize(samples.flatMap((s) => (s.submitMs === undefined ? [] : [s.submitMs]))),
    e2e: summarize(samples.flatMap((s) => (s.e2eMs === undefined ? [] : [s.e2eMs]))),
    decision: summarize(
      samples.flatMap((s) => (s.decisionAfterSubmitMs === undefined ? [] : [s.decisionAfterSubmitMs])),
    ),
    outcomes,
    errors: errorsIn(outcomes) + starved,
    achieved: samples.filter((s) => s.e2eMs !== undefined).length / elapsed,
    shed: samples.reduce((sum, x) => sum + (x.shed ?? 0), 0),
    refused: samples.filter((x) => x.detail === 'submit 429').length,
    undecided: samples.filter((x) => x.outcome === 'timeout' || x.detail?.startsWith('poll ')).length,
    decidedAfter: followUp.decided,
    stillUndecided: followUp.undecided,
    drainMs,
    maxLagMs: maxLag,
    starved,
    firstErrors: samples
      .filter((s) => ERROR_OUTCOMES.includes(s.outcome))
      .slice(0, 3)
      .map((s) => `${s.outcome}${s.detail ? ` (${s.detail})` : ''}`),
  };
}

export interface ContentionResult {
  cards: number;
  staff: number;
  seconds: number;
  journeys: number;
  /** Decided moves, first attempts and retries. */
  decided: number;
  conflicts: number;
  conflictsFirst: number;
  /** Conflicts on the retry: the person gave up. */
  conflictsRetry: number;
  decidedFirst: number;
  noops: number;
  errors: number;
  e2e: Latency;
  movesPerSecond: number;
}

/** A legal column for a card, never `completed` (which would take the card out of play). */
function contentionTarget(status: Status): Status | undefined {
  const targets = allowedTargets(status).filter((t) => t !== 'completed');
  return targets[Math.floor(Math.random() * targets.length)];
}

/** `staff` people moving the `cards` cards of `day` for `seconds`, each thinking up to 2 × thinkMs. */
export async function contention(
  client: ApiClient,
  day: string,
  cards: number,
  staff: number,
  seconds: number,
  thinkMs: number,
  opts: MoveOptions = DEFAULT_MOVE_OPTIONS,
): Promise<ContentionResult> {
  const samples: Array<MoveSample & { attempt: number }> = [];
  let journeys = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const person = async () => {
    while (performance.now() < deadline) {
      journeys += 1;
      for (let attempt = 1; attempt <= 2; attempt++) {
        let items: BoardItem[];
        try {
          const board = await client.board({ date: day });
          if (board.status !== 200 || !board.body?.ok) {
            errors += 1;
            break;
          }
          items = Object.values(board.body.data.columns).flatMap((c) => c.items);
        } catch {
          errors += 1;
          break;
        }
        const movable = items.filter((c) => contentionTarget(c.status) !== undefined);
        const card = movable[Math.floor(Math.random() * movable.length)];
        if (!card) break;
        const to = contentionTarget(card.status) as Status;
        await sleep(Math.random() * 2 * thinkMs);
        const sample = await moveOnce(client, card, to, opts);
        samples.push({ ...sample, attempt });
        if (ERROR_OUTCOMES.includes(sample.outcome)) errors += 1;
        if (sample.outcome !== 'conflict') break;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: staff }, person));
  const elapsed = (performance.now() - started) / 1000;
  const decided = samples.filter((s) => s.e2eMs !== undefined);
  const conflicts = decided.filter((s) => s.outcome === 'conflict');
  return {
    cards,
    staff,
    seconds,
    journeys,
    decided: decided.length,
    conflicts: conflicts.length,
    conflictsFirst: conflicts.filter((s) => s.attempt === 1).length,
    conflictsRetry: conflicts.filter((s) => s.attempt === 2).length,
    decidedFirst: decided.filter((s) => s.attempt === 1).length,
    noops: decided.filter((s) => s.outcome === 'noop').length,
    errors,
    e2e: summarize(decided.map((s) => s.e2eMs as number)),
    movesPerSecond: decided.length / elapsed,
  };
}
