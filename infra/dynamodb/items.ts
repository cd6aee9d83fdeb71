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

export function appointmentItem(appt: Appointment): Record<string, unknown> {
  return {
    ...keys.appointment(appt.id),
    type: 'appointment',
    GSI1PK: keys.dayPartition(dayOf(appt.appt_start)),
    GSI1SK: keys.startSort(appt.appt_start, appt.id),
    GSI2PK: keys.monthPartition(appt.appt_start.slice(0, 7)),
    GSI2SK: keys.startSort(appt.appt_start, appt.id),
    ...appt,
  };
}
