/**
 * The plan of `npm run uat-data`, pure: everything the run will create (technicians, customers,
 * their vehicles, appointments, the technician each card is given (about one in four is left
 * unassigned) and the column each card is to end in), computed from the seed, the catalog and the
 * start day alone, and the moves that take a card there. The same inputs give the same plan; every
 * move it asks for is one the status machine allows. scripts/lib/uat-executor.ts carries it out.
 */
import { createHash } from 'node:crypto';
import type { Service } from '../../domain/catalog';
import { addDays, localInstant } from '../../domain/days';
import { STATUSES, allowedTargets, type Status } from '../../domain/status';

/** mulberry32: a tiny, fast PRNG with a 32-bit state; plenty for test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST =
  'Maria James Aiko Carlos Fatima Liam Priya Noah Sofia Mateo Chen Olivia Kwame Emma Diego Hana Lucas Amara Ivan Zoe'.split(
    ' ',
  );
const LAST =
  'Garcia Smith Tanaka Nguyen Okafor Johnson Patel Kim Rossi Lopez Wang Brown Mensah Muller Silva Sato Martin Diallo Petrov Clark'.split(
    ' ',
  );
const CARS = (
  'Toyota/Camry Toyota/RAV4 Honda/Civic Honda/CR-V Ford/F-150 Ford/Escape Chevrolet/Malibu Nissan/Altima ' +
  'Subaru/Outback Hyundai/Elantra Kia/Sorento Mazda/CX-5 Volkswagen/Jetta Tesla/Model_3'
)
  .split(' ')
  .map((car) => car.replace('_', ' ').split('/') as [string, string]);
const NOTES = [
  'Customer waiting in lobby',
  'Needs a ride back',
  'Check the squeak up front',
  'Loaner requested',
];

/** Share of each status in the dataset; every status gets at least one card when there are six. */
const STATUS_SHARE: Record<Status, number> = {
  scheduled: 0.4,
  in_progress: 0.1,
  ready: 0.08,
  completed: 0.25,
  no_show: 0.07,
  canceled: 0.1,
};

/**
 * The statuses a new (scheduled) card goes through to reach each column: the shortest run of legal
 * moves (domain/status.ts), found breadth-first, so the plan can never ask for a move the API refuses.
 */
export function pathsFromScheduled(): Record<Status, readonly Status[]> {
  const paths = new Map<Status, Status[]>([['scheduled', ['scheduled']]]);
  const queue: Status[] = ['scheduled'];
  for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
    const path = paths.get(at) as Status[];
    for (const to of allowedTargets(at)) {
      if (paths.has(to)) continue;
      paths.set(to, [...path, to]);
      queue.push(to);
    }
  }
  const result = {} as Record<Status, readonly Status[]>;
  for (const status of STATUSES) {
    const path = paths.get(status);
    if (!path) throw new Error(`no legal moves lead from scheduled to ${status}`);
    result[status] = path;
  }
  return result;
}

const PATH_TO = pathsFromScheduled();

export interface PlannedCustomer {
  id: string;
  name: string;
  phone: string;
  email: string;
  vehicles: Array<{ id: string; year: number; make: string; model: string; plate: string }>;
}

export interface PlannedTechnician {
  id: string;
  name: string;
}

/** How many technicians a plan has; every fourth card is left to nobody. */
export const UAT_TECHNICIANS = 3;

export interface PlannedAppointment {
  customer_id: string;
  vehicle_id: string;
  appt_start: string;
  appt_end: string;
  service_codes: string[];
  notes?: string;
  /** Given to the card (PATCH technician_id) before it is moved; absent: left unassigned. */
  technician_id?: string;
  target: Status;
}

export interface UatPlan {
  technicians: PlannedTechnician[];
  customers: PlannedCustomer[];
  appointments: PlannedAppointment[];
}

/** Largest-remainder split of `total` by STATUS_SHARE, with one of each first when total allows. */
export function statusQuotas(total: number): Record<Status, number> {
  const floor = total >= STATUSES.length ? 1 : 0;
  const rest = total - floor * STATUSES.length;
  const exact = STATUSES.map((s) => ({ s, x: rest * STATUS_SHARE[s] }));
  const quotas = Object.fromEntries(exact.map(({ s, x }) => [s, floor + Math.floor(x)])) as Record<
    Status,
    number
  >;
  let left = total - Object.values(quotas).reduce((a, b) => a + b, 0);
  for (const { s } of [...exact].sort((a, b) => b.x - Math.floor(b.x) - (a.x - Math.floor(a.x)))) {
    if (left-- <= 0) break;
    quotas[s] += 1;
  }
  return quotas;
}

/** The shop's opening hours, local time: late-evening appointments included. */
export const UAT_HOURS = { open: 8 * 60, close: 21 * 60 } as const;

/**
 * Everything the run will create, from the seed alone (and the catalog, the start day and the
 * shop's time zone: appointments are at local hours of its local days).
 */
export function planUatData(opts: {
  seed: number;
  customers: number;
  days: number;
  appointments: number;
  start: string;
  catalog: readonly Service[];
  timeZone: string;
}): UatPlan {
  const rand = mulberry32(opts.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const catalog = [...opts.catalog].sort((a, b) => (a.code < b.code ? -1 : 1));
  if (catalog.length === 0) throw new Error('the service catalog is empty');

  const customers: PlannedCustomer[] = [];
  for (let i = 1; i <= opts.customers; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const id = `uat-${opts.seed}-c${i}`;
    const vehicles = Array.from({ length: rand() < 0.35 ? 2 : 1 }, (_, k) => {
      const [make, model] = pick(CARS);
      const plate = Array.from({ length: 7 }, () => pick([...'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'])).join('');
      return { id: `${id}-v${k + 1}`, year: 2006 + Math.floor(rand() * 19), make, model, plate };
    });
    customers.push({
      id,
      name: `${first} ${last}`,
      phone: `+1-555-${String(Math.floor(rand() * 10_000)).padStart(4, '0')}`,
      email: `${first}.${last}.${i}@example.com`.toLowerCase(),
      vehicles,
    });
  }

  const taken = new Set<string>();
  const appointments: Omit<PlannedAppointment, 'target'>[] = [];
  for (let j = 0; j < opts.appointments; j++) {
    // Round-robin over customers, so each has a card before anyone gets a second.
    const customer = customers[j % customers.length] as PlannedCustomer;
    const vehicle = pick(customer.vehicles);
    const count = rand() < 0.6 ? 1 : rand() < 0.75 ? 2 : 3;
    const services = new Set<Service>();
    while (services.size < Math.min(count, catalog.length)) services.add(pick(catalog));
    const codes = [...services].sort((a, b) => (a.code < b.code ? -1 : 1));
    const minutes = Math.ceil(codes.reduce((m, s) => m + s.duration_minutes, 0) / 30) * 30;
    // Starts on the half hour from opening, ending by closing (local time).
    const lastSlot = Math.max(0, (UAT_HOURS.close - minutes - UAT_HOURS.open) / 30);
    let start = '';
    for (let attempt = 0; attempt < 50; attempt++) {
      const day = addDays(opts.start, Math.floor(rand() * opts.days));
      const minute = UAT_HOURS.open + 30 * Math.floor(rand() * (lastSlot + 1));
      const candidate = localInstant(day, minute, opts.timeZone);
      if (!taken.has(`${customer.id}|${candidate}`) && !taken.has(`${vehicle.id}|${candidate}`)) {
        start = candidate;
        break;
      }
    }
    if (!start) continue; // this customer's days are full; fewer cards rather than double bookings
    taken.add(`${customer.id}|${start}`);
    taken.add(`${vehicle.id}|${start}`);
    appointments.push({
      customer_id: customer.id,
      vehicle_id: vehicle.id,
      appt_start: start,
      appt_end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
      service_codes: codes.map((s) => s.code),
      ...(rand() < 0.2 ? { notes: pick(NOTES) } : {}),
    });
  }

  // Earlier cards are further along: done (completed or no-show) first, then ready, in the shop,
  // and still to come; cancellations fall anywhere.
  const quotas = statusQuotas(appointments.length);
  const order = appointments.map((a, i) => ({ a, i, r: rand() }));
  const canceled = new Set(
    [...order]
      .sort((x, y) => x.r - y.r)
      .slice(0, quotas.canceled)
      .map((x) => x.i),
  );
  const byStart = order
    .filter((x) => !canceled.has(x.i))
    .sort((x, y) => (x.a.appt_start < y.a.appt_start ? -1 : x.a.appt_start > y.a.appt_start ? 1 : x.i - y.i));
  const done: Status[] = [
    ...Array<Status>(quotas.completed).fill('completed'),
    ...Array<Status>(quotas.no_show).fill('no_show'),
  ];
  for (let k = done.length - 1; k > 0; k--) {
    const m = Math.floor(rand() * (k + 1));
    [done[k], done[m]] = [done[m] as Status, done[k] as Status];
  }
  const sequence: Status[] = [
    ...done,
    ...Array<Status>(quotas.ready).fill('ready'),
    ...Array<Status>(quotas.in_progress).fill('in_progress'),
  ];
  const targets = new Map<number, Status>();
  for (const i of canceled) targets.set(i, 'canceled');
  byStart.forEach((x, k) => targets.set(x.i, sequence[k] ?? 'scheduled'));

  // Technicians come last, so adding them left every earlier draw (and so the rest of the plan) as it was.
  const technicians = Array.from({ length: UAT_TECHNICIANS }, (_, k) => ({
    id: `uat-${opts.seed}-t${k + 1}`,
    name: `${pick(FIRST)} ${pick(LAST)}`,
  }));
  // Round-robin over the technicians and one empty slot: each gets cards, and some stay unassigned.
  const technicianOf = (i: number) => technicians[i % (technicians.length + 1)]?.id;

  return {
    technicians,
    customers,
    appointments: appointments.map((a, i) => {
      const technician_id = technicianOf(i);
      return { ...a, ...(technician_id ? { technician_id } : {}), target: targets.get(i) ?? 'scheduled' };
    }),
  };
}

/** The statuses still to go through from `current` to `target`; undefined when it is off the path. */
export function remainingMoves(current: Status, target: Status): Status[] | undefined {
  const path = PATH_TO[target];
  const at = path.indexOf(current);
  return at < 0 ? undefined : path.slice(at + 1);
}

/**
 * A stable move_id (a UUID, version 8) per card, target and version: if a run dies between submit
 * and poll, the next run re-posts the same move and gets the stored one back instead of a second move.
 */
export function moveIdFor(seed: number, appointmentId: string, to: Status, expectedVersion: number): string {
  const hex = createHash('sha256')
    .update(`uat|${seed}|${appointmentId}|${to}|${expectedVersion}`)
    .digest('hex');
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
