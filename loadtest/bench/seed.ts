/**
 * Benchmark setup: appointments written straight into the table with BatchWriteItem (25 a call),
 * through the repository's own item mapping (appointmentItem), so the indexes hold exactly what
 * the app would have written. Tens of thousands of cards through the API would take minutes.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Appointment } from '../../domain/appointment';
import type { Status } from '../../domain/status';
import { DEFAULT_TIME_ZONE } from '../../domain/days';
import { appointmentItem } from '../../infra/dynamodb/items';

/** The bench's stack runs with the default SHOP_TIMEZONE (its throwaway stack sets none). */
export const BENCH_TIME_ZONE = DEFAULT_TIME_ZONE;

const SERVICES = ['OIL001', 'TIRE001', 'INSP001', 'BRAKE001', 'ALIGN001', 'BATT001'];

/** A mix like a real day's: most done, some in the shop, a few canceled or missed. */
function statusFor(i: number): Status {
  const r = i % 20;
  if (r < 9) return 'completed';
  if (r < 11) return 'ready';
  if (r < 13) return 'in_progress';
  if (r < 17) return 'scheduled';
  if (r < 19) return 'canceled';
  return 'no_show';
}

/**
 * The i-th card of `day` (ids `<prefix>-<day>-<i>`), starting between 07:00 and 19:00. With `mixed`
 * the status follows statusFor and the history fits it; otherwise every card is scheduled at version 1.
 */
export function makeAppointment(day: string, i: number, prefix: string, mixed = false): Appointment {
  const startMin = 7 * 60 + ((i * 7) % (12 * 60));
  const start = new Date(Date.parse(`${day}T00:00:00Z`) + startMin * 60_000);
  const at = (min: number) => new Date(start.getTime() + min * 60_000).toISOString();
  const status: Status = mixed ? statusFor(i) : 'scheduled';
  const entered: Appointment['status_entered_at'] = { scheduled: at(-24 * 60) };
  if (status === 'in_progress' || status === 'ready' || status === 'completed') entered.in_progress = at(3);
  if (status === 'ready' || status === 'completed') entered.ready = at(40 + (i % 50));
  if (status === 'completed') entered.completed = at(100);
  if (status === 'canceled') entered.canceled = at(-60);
  if (status === 'no_show') entered.no_show = at(20);
  const version = mixed ? Object.keys(entered).length : 1;
  return {
    id: `${prefix}-${day}-${i}`,
    status,
    version,
    status_version: version,
    customer_id: `c${i % 300}`,
    vehicle_id: `v${i % 300}`,
    customer_name: `Customer ${i % 300}`,
    vehicle_label: '2020 Toyota Camry',
    appt_start: start.toISOString(),
    appt_end: at(60),
    service_codes: [SERVICES[i % SERVICES.length] as string, ...(i % 4 === 0 ? ['INSP001'] : [])],
    notes: i % 5 === 0 ? 'Customer asked for a call before any extra work' : null,
    status_entered_at: entered,
    last_move_id: null,
    created_at: at(-24 * 60),
    updated_at: at(-24 * 60),
  };
}

/** Writes the cards in BatchWriteItem calls of 25, `concurrency` calls in flight, retrying unprocessed items. */
export async function writeAppointments(
  doc: DynamoDBDocumentClient,
  tableName: string,
  cards: readonly Appointment[],
  concurrency = 4,
  onProgress?: (written: number) => void,
): Promise<void> {
  const chunks: Appointment[][] = [];
  for (let i = 0; i < cards.length; i += 25) chunks.push(cards.slice(i, i + 25));
  let next = 0;
  let written = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as Appointment[];
      let requests: Record<string, unknown[]> | undefined = {
        [tableName]: chunk.map((card) => ({ PutRequest: { Item: appointmentItem(card, BENCH_TIME_ZONE) } })),
      };
      while (requests && Object.keys(requests).length > 0) {
        const res = await doc.send(new BatchWriteCommand({ RequestItems: requests as never }));
        requests = res.UnprocessedItems as Record<string, unknown[]> | undefined;
      }
      written += chunk.length;
      onProgress?.(written);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
}
