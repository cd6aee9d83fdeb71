/** The MoveQueue port in memory, for unit tests: it records what was sent and can be taken down. */
import type { MoveRecord } from '../../domain/move';
import type { MoveQueue } from '../../domain/ports';

export class InMemoryMoveQueue implements MoveQueue {
  readonly sent: MoveRecord[] = [];
  /** Whether each send was a re-send (which the SQS adapter gives a fresh deduplication id). */
  readonly resends: boolean[] = [];
  /** Refuses every send while true. */
  down = false;
  /** Refuses the sends of these moves. */
  readonly failFor = new Set<string>();

  async sendMove(record: MoveRecord, opts: { resend?: boolean } = {}): Promise<void> {
    if (this.down || this.failFor.has(record.move_id)) throw new Error('queue unavailable');
    this.sent.push(structuredClone(record));
    this.resends.push(opts.resend ?? false);
  }

  async ping(): Promise<void> {}
}
