/** Factories for domain records in unit tests; each test names only what it cares about. */
import type { Appointment } from '../../domain/appointment';

export function anAppointment(overrides: Partial<Appointment> = {}): Appointment {
  return {
    id: 'appt-1',
    status: 'scheduled',
    version: 3,
    status_version: 1,
    customer_id: 'cust-1',
    vehicle_id: 'veh-1',
    customer_name: 'Ada Lovelace',
    vehicle_label: '2019 Toyota Camry (7ABC123)',
    appt_start: '2025-10-01T15:00:00.000Z',
    appt_end: '2025-10-01T16:00:00.000Z',
    service_codes: ['OIL001'],
    notes: null,
    status_entered_at: { scheduled: '2025-09-30T08:00:00.000Z' },
    last_move_id: null,
    created_at: '2025-09-30T08:00:00.000Z',
    updated_at: '2025-09-30T08:00:00.000Z',
    ...overrides,
  };
}
