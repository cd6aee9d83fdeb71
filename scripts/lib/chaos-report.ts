/**
 * What `npm run chaos` concludes from what its clients saw: the outcome figures, the version
 * chain of every card, and the printed table. Pure: the run gathers, this judges.
 */
import type { Status } from '../../domain/status';
import { markdownTable } from '../../loadtest/verdict';
import type { MoveView } from '../../client/api-client';

/** One move as a chaos client lived it. */
export interface TrackedMove {
  move_id: string;
  appointment_id: string;
  /** Answered 202, or 200 with the move decided. */
  accepted: boolean;
  /** Why the client stopped trying to submit it, when it was never accepted. */
  refused?: string;
  /** The last state the API reported. */
  view?: MoveView;
  /** Submitted (at least once) and not yet known decided when the stack was killed. */
  inFlightAtKill: boolean;
}

export interface CardState {
  id: string;
  status: Status;
  version: number;
}

export interface ChainBreak {
  appointment_id: string;
  reason: string;
}

/**
 * A card's history must be one unbroken chain: its applied (non-noop) moves carry versions exactly
 * 2..version, each starting from the column the previous one left it in (scheduled for the first),
 * and the card is where the move of its current version put it. Chaos makes no PATCHes, so every
 * version bump is a move.
 */
export function checkChain(card: CardState, moves: readonly MoveView[]): ChainBreak | undefined {
  const broken = (reason: string) => ({ appointment_id: card.id, reason });
  const applied = moves
    .filter((m) => m.appointment_id === card.id && m.status === 'applied' && m.noop !== true)
    .sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
  const versions = applied.map((m) => m.version ?? NaN);
  const expected = Array.from({ length: card.version - 1 }, (_, i) => i + 2);
  if (versions.length !== expected.length || versions.some((v, i) => v !== expected[i])) {
    return broken(`applied versions [${versions.join(', ')}], expected [${expected.join(', ')}]`);
  }
  let column: Status = 'scheduled';
  for (const m of applied) {
    if (m.from_status !== column) {
      return broken(
        `move ${m.move_id} (version ${m.version}) left ${m.from_status}, but the card was in ${column}`,
      );
    }
    column = m.to_status;
  }
  if (card.status !== column) {
    return broken(
      `card is in ${card.status} at version ${card.version}, its last applied move put it in ${column}`,
    );
  }
  return undefined;
}

export interface ChaosFigures {
  submitted: number;
  accepted: number;
  decided: number;
  pending: number;
  notAccepted: number;
  /** applied, applied (noop), conflict, rejected: <reason>, failed: <reason> → count. */
  outcomes: Record<string, number>;
  inFlightAtKill: number;
  chainBreaks: ChainBreak[];
  cards: number;
}

/** `failed: undeliverable` → `failed`. */
const outcomeKind = (label: string): string => label.replace(/:.*$/, '');

function outcomeLabel(view: MoveView): string {
  switch (view.status) {
    case 'applied':
      return view.noop ? 'applied (noop)' : 'applied';
    case 'rejected':
    case 'failed':
      return `${view.status}: ${view.reason ?? 'no reason'}`;
    default:
      return view.status;
  }
}

export function summarize(moves: readonly TrackedMove[], cards: readonly CardState[]): ChaosFigures {
  const accepted = moves.filter((m) => m.accepted);
  const decided = accepted.filter((m) => m.view !== undefined && m.view.status !== 'pending');
  const outcomes: Record<string, number> = {
    applied: 0,
    'applied (noop)': 0,
    conflict: 0,
    rejected: 0,
    failed: 0,
  };
  for (const m of decided) {
    const label = outcomeLabel(m.view as MoveView);
    // rejected / failed get their total row and one row per reason.
    const kind = outcomeKind(label);
    if (kind !== label) outcomes[kind] = (outcomes[kind] ?? 0) + 1;
    outcomes[label] = (outcomes[label] ?? 0) + 1;
  }
  // Every move the store knows of counts in the chain, accepted by its client or not.
  const known = moves.flatMap((m) => (m.view ? [m.view] : []));
  const chainBreaks = cards.flatMap((card) => checkChain(card, known) ?? []);
  return {
    submitted: moves.length,
    accepted: accepted.length,
    decided: decided.length,
    pending: accepted.length - decided.length,
    notAccepted: moves.length - accepted.length,
    outcomes,
    inFlightAtKill: moves.filter((m) => m.inFlightAtKill).length,
    chainBreaks,
    cards: cards.length,
  };
}

/** The promise holds: every accepted move decided, no move refused, no chain broken. */
export function promiseHeld(f: ChaosFigures): boolean {
  return f.accepted > 0 && f.pending === 0 && f.notAccepted === 0 && f.chainBreaks.length === 0;
}

export interface ChaosTimings {
  /** From the kill until the new stack answered /healthz. */
  downMs?: number;
  /** From the new stack's first healthy answer until the last accepted move was decided. */
  restartToAllDecidedMs?: number;
  /** The same, for the moves in flight at the kill only: how long recovery took. */
  restartToInFlightDecidedMs?: number;
  retries: number;
}

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** applied, applied (noop), conflict, rejected and its reasons, failed and its reasons. */
const OUTCOME_ORDER = ['applied', 'applied (noop)', 'conflict', 'rejected', 'failed'];

function outcomeRank(label: string): [number, string] {
  const kind = outcomeKind(label);
  return [OUTCOME_ORDER.indexOf(kind), label === kind ? '' : label];
}

export function chaosTable(f: ChaosFigures, t: ChaosTimings): string {
  const outcomeRows = Object.entries(f.outcomes)
    .sort(([a], [b]) => {
      const [ra, la] = outcomeRank(a);
      const [rb, lb] = outcomeRank(b);
      return ra - rb || la.localeCompare(lb);
    })
    .map(([label, n]) => [label, String(n)]);
  return markdownTable(
    ['figure', 'value'],
    [
      ['moves submitted', String(f.submitted)],
      ['moves accepted', String(f.accepted)],
      ['moves not accepted', String(f.notAccepted)],
      ['decided', String(f.decided)],
      ['still pending', String(f.pending)],
      ...outcomeRows,
      ['in flight at the kill', String(f.inFlightAtKill)],
      ['client retries (network error or 5xx)', String(t.retries)],
      ['stack down (kill to healthy)', seconds(t.downMs)],
      ['restart to all decided', f.pending === 0 ? seconds(t.restartToAllDecidedMs) : 'not all decided'],
      [
        'restart to the in-flight ones decided',
        f.pending === 0 ? seconds(t.restartToInFlightDecidedMs) : 'not all decided',
      ],
      ['cards checked', String(f.cards)],
      ['cards whose version chain broke', String(f.chainBreaks.length)],
    ],
  );
}
