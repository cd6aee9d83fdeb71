/**
 * How entities map onto the single table's items: the key attributes each kind carries, and back.
 * Shared by the repositories; table.ts has the key layout itself.
 */
import type { Appointment } from '../../domain/appointment';
import { dayOf } from '../../domain/days';
import { keys } from './table';

/** Attributes that only place an item in the table or an index; never part of an entity. */
const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'type'];

/** Drops the key attributes, leaving the entity. */
export function fromItem<T>(item: Record<string, unknown>): T {
  const entity: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRIBUTES) delete entity[k];
  return entity as T;
}

/**
 * The index keys of a card: by_day and by_month partitions of its local day in the shop's time
 * zone (the table's zone item says which; scripts/reindex-days.ts re-keys them to another).
 */
export function appointmentDayKeys(
  appt: Pick<Appointment, 'id' | 'appt_start'>,
  timeZone: string,
): { GSI1PK: string; GSI1SK: string; GSI2PK: string; GSI2SK: string } {
  const day = dayOf(appt.appt_start, timeZone);
  return {
    GSI1PK: keys.dayPartition(day),
    GSI1SK: keys.startSort(appt.appt_start, appt.id),
    GSI2PK: keys.monthPartition(day.slice(0, 7)),
    GSI2SK: keys.startSort(appt.appt_start, appt.id),
  };
}

export function appointmentItem(appt: Appointment, timeZone: string): Record<string, unknown> {
  return {
    ...keys.appointment(appt.id),
    type: 'appointment',
    ...appointmentDayKeys(appt, timeZone),
    ...appt,
  };
}
