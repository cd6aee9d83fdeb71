/**
 * Demo data for a first start: a few customers, cars and technicians, and cards today and tomorrow
 * spread over every column, most of them given to a technician (a few left unassigned), so the
 * board and its technician filter have something to show. Deterministic ids: seeding twice writes
 * nothing new.
 */
import type { Appointment } from '../domain/appointment';
import { vehicleLabel, type Customer, type Vehicle } from '../domain/customer';
import { addDays, dayOf, localInstant } from '../domain/days';
import { AlreadyExistsError } from '../domain/errors';
import type { HistoryEntry } from '../domain/history';
import type { ShopRepository } from '../domain/ports';
import type { Status } from '../domain/status';
import { assignTechnician, type Technician } from '../domain/technician';

const CUSTOMERS: Array<Omit<Customer, 'created_at'>> = [
  { id: '1', name: 'Ada Lovelace', phone: '+1-555-0101', email: 'ada@example.com' },
  { id: '2', name: 'Grace Hopper', phone: '+1-555-0102', email: 'grace@example.com' },
  { id: '3', name: 'Alan Turing', phone: '+1-555-0103', email: null },
];
const VEHICLES: Array<Omit<Vehicle, 'created_at'>> = [
  { id: '1', customer_id: '1', year: 2019, make: 'Toyota', model: 'Camry', vin: null, plate: '7ABC123' },
  { id: '2', customer_id: '2', year: 2021, make: 'Honda', model: 'Civic', vin: null, plate: '8XYZ789' },
  { id: '3', customer_id: '3', year: 2016, make: 'Ford', model: 'F-150', vin: null, plate: '5TRK550' },
];
export const DEMO_TECHNICIANS: Array<Omit<Technician, 'created_at'>> = [
  { id: 'tech-1', name: 'Rosa Diaz', active: true },
  { id: 'tech-2', name: 'Sam Okoye', active: true },
];
/** `technician`: an index into DEMO_TECHNICIANS; absent: unassigned. */
const TODAY: Array<{
  hour: number;
  status: Status;
  customer: number;
  services: string[];
  notes?: string;
  technician?: number;
}> = [
  { hour: 8, status: 'completed', customer: 0, services: ['OIL001'], technician: 0 },
  {
    hour: 9,
    status: 'ready',
    customer: 1,
    services: ['TIRE001', 'INSP001'],
    notes: 'Customer waiting in lobby',
    technician: 1,
  },
  { hour: 10, status: 'in_progress', customer: 2, services: ['BRAKE001'], technician: 0 },
  { hour: 11, status: 'no_show', customer: 0, services: ['INSP001'] },
  { hour: 13, status: 'scheduled', customer: 1, services: ['OIL001'], technician: 1 },
  { hour: 14, status: 'scheduled', customer: 2, services: ['ALIGN001'] },
  { hour: 15, status: 'canceled', customer: 0, services: ['BATT001'], notes: 'Rescheduled by phone' },
  // Late evening: in a zone west of UTC, already the next UTC day, still today's board.
  {
    hour: 21,
    status: 'scheduled',
    customer: 2,
    services: ['OIL001'],
    notes: 'After-hours drop-off',
    technician: 1,
  },
];
const TOMORROW = [9, 10, 11, 13].map((hour, i) => ({
  hour,
  customer: i % 3,
  services: [i % 2 ? 'TIRE001' : 'OIL001'],
  ...(i < 2 ? { technician: i } : {}),
}));

/** The timestamps a card would have collected on its way to `status`. */
function history(status: Status, start: Date): Partial<Record<Status, string>> {
  const at = (min: number) => new Date(start.getTime() + min * 60_000).toISOString();
  const h: Partial<Record<Status, string>> = { scheduled: at(-24 * 60) };
  if (status === 'in_progress' || status === 'ready' || status === 'completed') h.in_progress = at(5);
  if (status === 'ready' || status === 'completed') h.ready = at(50);
  if (status === 'completed') h.completed = at(70);
  if (status === 'no_show') h.no_show = at(20);
  if (status === 'canceled') h.canceled = at(-120);
  return h;
}

const DEMO_ACTOR = { role: 'admin', principal: 'demo-data' } as const;

/**
 * Entries for versions 1..version of a demo card, so its history is as whole as a real one: created
 * scheduled, then one move per column it entered after that (status_entered_at, in order).
 */
function demoHistory(appt: Appointment): HistoryEntry[] {
  const columns = Object.entries(appt.status_entered_at) as Array<[Status, string]>;
  const entries: HistoryEntry[] = [
    {
      kind: 'created',
      at: appt.created_at,
      version: 1,
      by: DEMO_ACTOR,
      status: 'scheduled',
      customer_id: appt.customer_id,
      vehicle_id: appt.vehicle_id,
      appt_start: appt.appt_start,
      appt_end: appt.appt_end,
      service_codes: appt.service_codes,
      notes: appt.notes,
    },
  ];
  for (let i = 1; i < columns.length; i++) {
    const [from] = columns[i - 1] as [Status, string];
    const [to, at] = columns[i] as [Status, string];
    entries.push({
      kind: 'moved',
      at,
      version: i + 1,
      by: DEMO_ACTOR,
      from,
      to,
      move_id: `demo-${appt.id}-${i + 1}`,
      rebased: false,
    });
  }
  return entries;
}

async function ignoreExisting(write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

/** Seeds the demo cards on today and tomorrow of the shop's time zone, at local hours. */
export async function seedDemoData(
  shop: ShopRepository,
  timeZone: string,
  now: Date = new Date(),
): Promise<number> {
  const created = now.toISOString();
  for (const c of CUSTOMERS) await ignoreExisting(shop.createCustomer({ ...c, created_at: created }));
  for (const v of VEHICLES) await ignoreExisting(shop.createVehicle({ ...v, created_at: created }));
  const technicians: Technician[] = DEMO_TECHNICIANS.map((t) => ({ ...t, created_at: created }));
  for (const t of technicians) await ignoreExisting(shop.createTechnician(t));
  const today = dayOf(now.getTime(), timeZone);
  const cards = [
    ...TODAY.map((t) => ({ ...t, day: today })),
    ...TOMORROW.map((t) => ({
      ...t,
      day: addDays(today, 1),
      status: 'scheduled' as Status,
      notes: undefined,
    })),
  ];
  let count = 0;
  for (const card of cards) {
    const start = new Date(localInstant(card.day, card.hour * 60, timeZone));
    const customer = CUSTOMERS[card.customer] as (typeof CUSTOMERS)[number];
    const vehicle = VEHICLES[card.customer] as (typeof VEHICLES)[number];
    const status_entered_at = history(card.status, start);
    const version = Object.keys(status_entered_at).length;
    const technician = card.technician === undefined ? undefined : technicians[card.technician];
    const appt: Appointment = {
      id: `demo-${card.day}-${card.hour}`,
      status: card.status,
      version,
      status_version: version,
      customer_id: customer.id,
      vehicle_id: vehicle.id,
      customer_name: customer.name,
      vehicle_label: vehicleLabel(vehicle),
      appt_start: start.toISOString(),
      appt_end: new Date(start.getTime() + 60 * 60_000).toISOString(),
      service_codes: card.services,
      notes: card.notes ?? null,
      // The same rule as PATCH technician_id: the id and the name copied in, or both null.
      ...assignTechnician(technician?.id ?? null, technician),
      status_entered_at,
      last_move_id: null,
      created_at: created,
      updated_at: created,
    };
    await ignoreExisting(shop.createAppointment(appt, demoHistory(appt)).then(() => void (count += 1)));
  }
  return count;
}
