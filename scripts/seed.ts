/**
 * `npm run seed`: the seed runbook's P4 data, written through the API like any client would:
 * customer 1 with vehicle 1, and tomorrow's (UTC) appointments for them: OIL001 15:00–16:00, then
 * hourly from 16:00 to 20:00 alternating TIRE001 / OIL001. Safe to run again: an existing customer
 * or vehicle (409) is skipped, and so is an appointment of customer 1 already on tomorrow's board at
 * the same start time.
 */
import { addDays } from '../domain/days';
import type { BoardItem } from '../domain/appointment';
import {
  ApiUnreachableError,
  describeResponse,
  expectStatus,
  type ApiClient,
  type ApiResponse,
} from '../client/api-client';
import {
  COMMON_HELP,
  clientFor,
  dayOption,
  main,
  parseCli,
  processIo,
  runScript,
  type ScriptIo,
} from './lib/cli';

const HELP = `Usage: npm run seed [-- options]

Creates the P4 seed data through the API: customer 1, vehicle 1, and five appointments of theirs
tomorrow (UTC): 15:00 OIL001, 16:00 TIRE001, 17:00 OIL001, 18:00 TIRE001, 19:00 OIL001 (one hour
each). Running it again creates nothing new. Exit 0 when everything exists afterwards, 1 when the API
refused something, 2 when it could not run.

Options:
  --date YYYY-MM-DD  the day of the appointments (default: tomorrow, UTC)

${COMMON_HELP}`;

export const SEED_CUSTOMER = {
  id: '1',
  name: 'Ada Lovelace',
  phone: '+1-555-0101',
  email: 'ada@example.com',
} as const;
export const SEED_VEHICLE = {
  id: '1',
  customer_id: '1',
  year: 2019,
  make: 'Toyota',
  model: 'Camry',
  plate: '7ABC123',
} as const;

/** [start hour UTC, service] of each seeded appointment; each lasts one hour. */
export const SEED_SLOTS: ReadonlyArray<readonly [number, string]> = [
  [15, 'OIL001'],
  [16, 'TIRE001'],
  [17, 'OIL001'],
  [18, 'TIRE001'],
  [19, 'OIL001'],
];

const at = (day: string, hour: number) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** 201 created, 409 already there; anything else stops the seed. */
function createdOrExisting(what: string, res: ApiResponse): 'created' | 'skipped' {
  if (res.status === 201) return 'created';
  if (res.status === 409) return 'skipped';
  throw new Error(`${what}: ${describeResponse(res)}`);
}

/** The seed's data on `day` through `client`; also what `npm run loadtest -- --only p4` runs on. */
export async function seed(
  client: ApiClient,
  day: string,
  io: ScriptIo,
): Promise<{ created: number; skipped: number }> {
  let created = 0;
  let skipped = 0;
  const report = (outcome: 'created' | 'skipped', line: string) => {
    if (outcome === 'created') created += 1;
    else skipped += 1;
    io.out(`${outcome.padEnd(8)} ${line}`);
  };

  const customer = createdOrExisting('customer 1', await client.createCustomer({ ...SEED_CUSTOMER }));
  report(customer, `customer 1 (${SEED_CUSTOMER.name})${customer === 'skipped' ? ': already exists' : ''}`);
  const vehicle = createdOrExisting('vehicle 1', await client.createVehicle({ ...SEED_VEHICLE }));
  report(
    vehicle,
    `vehicle 1 (${SEED_VEHICLE.year} ${SEED_VEHICLE.make} ${SEED_VEHICLE.model})${vehicle === 'skipped' ? ': already exists' : ''}`,
  );

  const board = expectStatus(`board of ${day}`, await client.board({ date: day }), 200);
  const existing = new Map<string, BoardItem>();
  for (const column of Object.values(board.columns)) {
    for (const item of column.items) {
      if (item.customer_id === SEED_CUSTOMER.id) existing.set(item.appt_start, item);
    }
  }

  for (const [hour, service] of SEED_SLOTS) {
    const start = at(day, hour);
    const label = `appointment ${day} ${String(hour).padStart(2, '0')}:00–${String(hour + 1).padStart(2, '0')}:00 ${service}`;
    const found = existing.get(start);
    if (found) {
      const same = found.service_codes.join(',') === service;
      report(
        'skipped',
        `${label}: customer 1 already has ${found.id} at that time (${found.status}${same ? '' : `, ${found.service_codes.join('+')}`})`,
      );
      continue;
    }
    const appt = expectStatus(
      label,
      await client.createAppointment({
        customer_id: SEED_CUSTOMER.id,
        vehicle_id: SEED_VEHICLE.id,
        appt_start: start,
        appt_end: at(day, hour + 1),
        service_codes: [service],
      }),
      201,
    );
    report('created', `${label}: ${appt.id}`);
  }
  return { created, skipped };
}

export async function run(argv: string[], io: ScriptIo = processIo): Promise<number> {
  return runScript('seed', io, async () => {
    const { values, common, help } = parseCli(argv, { date: { type: 'string' } }, io.env);
    if (help) {
      io.out(HELP);
      return 0;
    }
    const tomorrow = addDays(new Date().toISOString().slice(0, 10), 1);
    const day = dayOption('date', values.date, tomorrow);
    const { client, description } = clientFor(common, io.env);
    io.out(`seed: ${description}, appointments on ${day}`);
    try {
      const { created, skipped } = await seed(client, day, io);
      io.out(`seed: done, ${created} created, ${skipped} already there`);
      return 0;
    } catch (err) {
      io.err(`seed: failed: ${(err as Error).message}`);
      return err instanceof ApiUnreachableError ? 2 : 1;
    }
  });
}

if (require.main === module) main(run);
