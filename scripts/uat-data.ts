/**
 * `npm run uat-data`: a realistic non-production dataset, made through the API and the real move
 * pipeline: customers with one or two cars, appointments over the coming days in business hours,
 * and cards moved (submit + long-poll) into every column in plausible proportions: earlier cards are
 * further along. The same --seed and start day give the same data; a second run finds everything in
 * place (409 on customers and vehicles, the board for appointments, each card's status for moves)
 * and changes nothing.
 */
import { createHash } from 'node:crypto';
import type { BoardItem } from '../domain/appointment';
import type { Service } from '../domain/catalog';
import { addDays } from '../domain/days';
import { MAX_BOARD_DAYS } from '../domain/schemas';
import { STATUSES, type Status } from '../domain/status';
import { ApiUnreachableError, describeResponse, expectStatus, type ApiClient } from '../client/api-client';
import {
  COMMON_HELP,
  clientFor,
  dayOption,
  intOption,
  main,
  parseCli,
  processIo,
  runScript,
  type ScriptIo,
} from './lib/cli';

const HELP = `Usage: npm run uat-data [-- options]

Creates a realistic dataset for a non-production stage through the API: customers with 1-2
vehicles, appointments over --days days from today (08:00-19:00 UTC, 1-3 services each), and real
moves that bring cards into every status (scheduled, in_progress, ready, completed, no_show,
canceled). Deterministic for a given --seed and start day; ids look like uat-<seed>-c<i>. Safe to
run twice: existing customers, vehicles and appointments are skipped and no move is applied again.
It creates customers, vehicles and appointments, so it must act as an admin: the proxy of npm start
signs as LOCALDEV (admin) by default, --sign against 127.0.0.1 uses LOCALDEV too, and on AWS assume
the admin caller role (docs/deploy.md). The stage's WRITE_POLICY must be open (prod is moves-only).
Progress goes to stderr. Exit 0 when the data is complete, 1 when something was refused, 2 when it
could not run.

Options:
  --customers N     how many customers (default 20)
  --days D          over how many days, starting with --start (default 5)
  --seed S          seed of the generator, a whole number (default 1)
  --appointments A  how many appointments (default: twice the customers, at least 6)
  --start DAY       first day, YYYY-MM-DD (default: today, UTC)
  --concurrency C   requests in flight (default 8)

${COMMON_HELP}`;

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

/** The moves that bring a new (scheduled) card into each status, allowed by domain/status.ts. */
const PATH_TO: Record<Status, readonly Status[]> = {
  scheduled: ['scheduled'],
  in_progress: ['scheduled', 'in_progress'],
  ready: ['scheduled', 'in_progress', 'ready'],
  completed: ['scheduled', 'in_progress', 'ready', 'completed'],
  no_show: ['scheduled', 'no_show'],
  canceled: ['scheduled', 'canceled'],
};

export interface PlannedCustomer {
  id: string;
  name: string;
  phone: string;
  email: string;
  vehicles: Array<{ id: string; year: number; make: string; model: string; plate: string }>;
}

export interface PlannedAppointment {
  customer_id: string;
  vehicle_id: string;
  appt_start: string;
  appt_end: string;
  service_codes: string[];
  notes?: string;
  target: Status;
}

export interface UatPlan {
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

/** Everything the run will create, from the seed alone (and the catalog and start day). */
export function planUatData(opts: {
  seed: number;
  customers: number;
  days: number;
  appointments: number;
  start: string;
  catalog: readonly Service[];
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
    // Starts on the half hour from 08:00, ending by 19:00.
    const lastSlot = Math.max(0, (19 * 60 - minutes - 8 * 60) / 30);
    let start = '';
    for (let attempt = 0; attempt < 50; attempt++) {
      const day = addDays(opts.start, Math.floor(rand() * opts.days));
      const minute = 8 * 60 + 30 * Math.floor(rand() * (lastSlot + 1));
      const candidate = new Date(Date.parse(`${day}T00:00:00Z`) + minute * 60_000).toISOString();
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

  return {
    customers,
    appointments: appointments.map((a, i) => ({ ...a, target: targets.get(i) ?? 'scheduled' })),
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

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

/** A stderr line each time another 10 % is done. */
function progress(io: ScriptIo, label: string, total: number): () => void {
  let done = 0;
  let shown = 0;
  return () => {
    done += 1;
    const tenth = Math.floor((done * 10) / total);
    if (tenth > shown) {
      shown = tenth;
      io.err(`uat-data: ${label} ${Math.floor((done * 100) / total)}% (${done}/${total})`);
    }
  };
}

interface Tally {
  created: number;
  existing: number;
}

interface Outcome {
  customers: Tally;
  vehicles: Tally;
  appointments: Tally;
  moves: { applied: number; alreadyDone: number; leftAlone: number };
  statuses: Record<Status, number>;
  failures: string[];
}

async function createAll(client: ApiClient, plan: UatPlan, concurrency: number, io: ScriptIo, out: Outcome) {
  const tick = progress(io, 'customers', plan.customers.length);
  await pool(plan.customers, concurrency, async (c) => {
    const res = await client.createCustomer({ id: c.id, name: c.name, phone: c.phone, email: c.email });
    if (res.status === 201) out.customers.created += 1;
    else if (res.status === 409) out.customers.existing += 1;
    else out.failures.push(`customer ${c.id}: ${describeResponse(res)}`);
    for (const v of c.vehicles) {
      const vr = await client.createVehicle({ ...v, customer_id: c.id });
      if (vr.status === 201) out.vehicles.created += 1;
      else if (vr.status === 409) out.vehicles.existing += 1;
      else out.failures.push(`vehicle ${v.id}: ${describeResponse(vr)}`);
    }
    tick();
  });
}

/** This seed's cards already on the board, by customer and start. */
async function existingCards(client: ApiClient, seed: number, start: string, days: number) {
  const found = new Map<string, BoardItem>();
  for (let offset = 0; offset < days; offset += MAX_BOARD_DAYS) {
    const from = addDays(start, offset);
    const to = addDays(start, Math.min(days, offset + MAX_BOARD_DAYS) - 1);
    const board = expectStatus(`board ${from}..${to}`, await client.board({ from, to }), 200);
    for (const column of Object.values(board.columns)) {
      for (const item of column.items) {
        if (item.customer_id.startsWith(`uat-${seed}-`))
          found.set(`${item.customer_id}|${item.appt_start}`, item);
      }
    }
  }
  return found;
}

async function bringToTarget(
  client: ApiClient,
  seed: number,
  card: { id: string; status: Status; version: number },
  target: Status,
  out: Outcome,
  existed: boolean,
): Promise<void> {
  const steps = remainingMoves(card.status, target);
  if (!steps) {
    // Someone moved it off the planned path; their move stands.
    out.moves.leftAlone += 1;
    out.statuses[card.status] += 1;
    return;
  }
  if (existed && steps.length === 0) out.moves.alreadyDone += 1;
  let { status, version } = card;
  for (const to of steps) {
    const { submit, move } = await client.moveAndWait(card.id, {
      to_status: to,
      expected_version: version,
      from_status: status,
      move_id: moveIdFor(seed, card.id, to, version),
    });
    if (!move || move.status !== 'applied') {
      const why = move ? `${move.status}${move.reason ? ` (${move.reason})` : ''}` : describeResponse(submit);
      out.failures.push(`move ${card.id} ${status} -> ${to}: ${why}`);
      out.statuses[status] += 1;
      return;
    }
    out.moves.applied += 1;
    status = to;
    version = move.version ?? version + 1;
  }
  out.statuses[status] += 1;
}

async function placeAll(
  client: ApiClient,
  plan: UatPlan,
  opts: { seed: number; start: string; days: number; concurrency: number },
  io: ScriptIo,
  out: Outcome,
) {
  const existing = await existingCards(client, opts.seed, opts.start, opts.days);
  const tick = progress(io, 'appointments', plan.appointments.length);
  await pool(plan.appointments, opts.concurrency, async (planned) => {
    const { target, ...input } = planned;
    const found = existing.get(`${input.customer_id}|${input.appt_start}`);
    let card: { id: string; status: Status; version: number };
    if (found) {
      out.appointments.existing += 1;
      // The board may lag a write; the card itself is the truth about where it is now.
      const res = await client.getAppointment(found.id);
      if (res.status !== 200 || !res.body?.ok) {
        out.failures.push(`appointment ${found.id}: ${describeResponse(res)}`);
        return tick();
      }
      card = res.body.data;
    } else {
      const res = await client.createAppointment(input);
      if (res.status !== 201 || !res.body?.ok) {
        out.failures.push(
          `appointment of ${input.customer_id} at ${input.appt_start}: ${describeResponse(res)}`,
        );
        return tick();
      }
      out.appointments.created += 1;
      card = res.body.data;
    }
    await bringToTarget(client, opts.seed, card, target, out, found !== undefined);
    tick();
  });
}

export async function run(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript('uat-data', io, async () => {
    const { values, common, help } = parseCli(
      argv,
      {
        customers: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        appointments: { type: 'string' },
        start: { type: 'string' },
        concurrency: { type: 'string' },
      },
      io.env,
    );
    if (help) {
      io.out(HELP);
      return 0;
    }
    const customers = intOption('customers', values.customers, 20, { min: 1, max: 10_000 });
    const days = intOption('days', values.days, 5, { min: 1, max: 366 });
    const seed = intOption('seed', values.seed, 1, { min: 0, max: 2 ** 32 - 1 });
    const appointments = intOption('appointments', values.appointments, Math.max(6, customers * 2), {
      min: 0,
      max: 100_000,
    });
    const start = dayOption('start', values.start, new Date().toISOString().slice(0, 10));
    const concurrency = intOption('concurrency', values.concurrency, 8, { min: 1, max: 64 });
    const { client, description } = clientFor(common, io.env);

    io.out(
      `uat-data: seed ${seed}, ${customers} customers, ${appointments} appointments over ${days} day(s) from ${start}; ${description}`,
    );
    const out: Outcome = {
      customers: { created: 0, existing: 0 },
      vehicles: { created: 0, existing: 0 },
      appointments: { created: 0, existing: 0 },
      moves: { applied: 0, alreadyDone: 0, leftAlone: 0 },
      statuses: Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>,
      failures: [],
    };
    try {
      const catalog = expectStatus('service catalog', await client.listServices(), 200);
      const plan = planUatData({ seed, customers, days, appointments, start, catalog });
      await createAll(client, plan, concurrency, io, out);
      await placeAll(client, plan, { seed, start, days, concurrency }, io, out);
    } catch (err) {
      io.err(`uat-data: stopped: ${(err as Error).message}`);
      return err instanceof ApiUnreachableError ? 2 : 1;
    }

    const tally = (t: Tally) => `${t.created} created, ${t.existing} already there`;
    io.out(`customers     ${tally(out.customers)}`);
    io.out(`vehicles      ${tally(out.vehicles)}`);
    io.out(`appointments  ${tally(out.appointments)}`);
    io.out(
      `moves         ${out.moves.applied} applied, ${out.moves.alreadyDone} card(s) already in place, ${out.moves.leftAlone} moved by someone else and left alone`,
    );
    io.out(`statuses      ${STATUSES.map((s) => `${s} ${out.statuses[s]}`).join(', ')}`);
    for (const failure of out.failures) io.err(`uat-data: failed: ${failure}`);
    io.out(
      `uat-data: ${out.failures.length === 0 ? 'done' : `${out.failures.length} failure(s), see stderr`}`,
    );
    return out.failures.length === 0 ? 0 : 1;
  });
}

if (require.main === module) main(run);
