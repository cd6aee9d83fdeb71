/**
 * The MoveRepository port in memory, with the conditional-write semantics domain/ports.ts documents;
 * test/support/move-repository-contract.ts holds it to the same behaviour as the DynamoDB adapter.
 * Unit tests reach into `moves` and `cards` to arrange a state or to change it under a use case.
 */
import type { Appointment } from '../../domain/appointment';
import { failMove, type FailureReason, type MoveRecord } from '../../domain/move';
import type { CommitResult, MoveRepository, RecordMoveResult } from '../../domain/ports';

const clone = <T>(value: T): T => structuredClone(value);
/** When the sweeper should look at a pending move; one recorded without a due time is due from its submission. */
const dueAt = (move: MoveRecord) => move.sweep_due_at ?? move.submitted_at;

export class InMemoryMoveRepository implements MoveRepository {
  readonly moves = new Map<string, MoveRecord>();
  readonly cards = new Map<string, Appointment>();
  /** When each move was last re-sent (markResent's `at`). */
  readonly resent = new Map<string, string>();
  /** Runs at the start of each commitAppliedMove: lets a test change things under the worker. */
  beforeCommit?: () => void;

  async recordPendingMove(record: MoveRecord): Promise<RecordMoveResult> {
    const existing = this.moves.get(record.move_id);
    if (existing) return { kind: 'exists', record: clone(existing) };
    if (!this.cards.has(record.appointment_id)) return { kind: 'appointment_not_found' };
    this.moves.set(record.move_id, clone(record));
    return { kind: 'created' };
  }

  async getMove(moveId: string): Promise<MoveRecord | undefined> {
    const move = this.moves.get(moveId);
    return move && clone(move);
  }

  async getMoveAndCard(moveId: string, appointmentId: string) {
    const move = this.moves.get(moveId);
    const card = this.cards.get(appointmentId);
    return { ...(move ? { move: clone(move) } : {}), ...(card ? { card: clone(card) } : {}) };
  }

  async commitAppliedMove(
    card: Appointment,
    readVersion: number,
    settled: MoveRecord,
  ): Promise<CommitResult> {
    this.beforeCommit?.();
    if (this.moves.get(settled.move_id)?.status !== 'pending') return { kind: 'already_settled' };
    const stored = this.cards.get(card.id);
    if (stored?.version !== readVersion)
      return { kind: 'card_changed', ...(stored ? { card: clone(stored) } : {}) };
    this.cards.set(card.id, clone(card));
    this.moves.set(settled.move_id, clone(settled));
    return { kind: 'committed' };
  }

  async settleMove(settled: MoveRecord): Promise<'settled' | 'already_settled'> {
    if (this.moves.get(settled.move_id)?.status !== 'pending') return 'already_settled';
    this.moves.set(settled.move_id, clone(settled));
    return 'settled';
  }

  async failPendingMove(moveId: string, reason: FailureReason, at: string) {
    const move = this.moves.get(moveId);
    if (move?.status !== 'pending') return 'already_settled' as const;
    this.moves.set(moveId, failMove(move, reason, at));
    return 'settled' as const;
  }

  async markResent(moveId: string, at: string, sweepDueAt: string): Promise<void> {
    const move = this.moves.get(moveId);
    if (move?.status !== 'pending') return;
    this.resent.set(moveId, at);
    this.moves.set(moveId, { ...move, sweep_due_at: sweepDueAt, resends: (move.resends ?? 0) + 1 });
  }

  async listDueMoves(now: string, limit: number): Promise<MoveRecord[]> {
    return [...this.moves.values()]
      .filter((m) => m.status === 'pending' && dueAt(m) < now)
      .sort((a, b) => (dueAt(a) < dueAt(b) ? -1 : 1))
      .slice(0, limit)
      .map(clone);
  }
}
