/**
 * What each scenario needs, created through the API in its `before` flow (outside the measured
 * requests), so every scenario runs on an empty stack. Requests go through the API client, signed
 * the same way as the measured ones (or unsigned, for the signing proxy).
 */
import type { Board } from '../../domain/board';
import { ApiClient, type ApiResponse } from '../../client/api-client';
import { pool } from '../../client/pool';
import type { ArtilleryContext } from './artillery';
import { SETTINGS, explicitCredentials } from './settings';

const SERVICES = ['OIL001', 'TIRE001', 'INSP001', 'BRAKE001'];
/** Seeding requests in flight at once. */
const SEED_CONCURRENCY = 8;

const clients = new Map<string, ApiClient>();

function clientFor(target: string): ApiClient {
  let client = clients.get(target);
  if (!client) {
    client = new ApiClient({
      baseUrl: target,
      sign: SETTINGS.sign ? { region: SETTINGS.region, service: 'lambda', ...explicitCredentials() } : false,
    });
    clients.set(target, client);
  }
  return client;
}

/** The response's data (undefined for an error envelope) when its status is one of `codes`. */
function expectSeeded<T>(what: string, res: ApiResponse<T>, ...codes: number[]): T | undefined {
  if (!codes.includes(res.status)) {
    throw new Error(`seeding: ${what} answered ${res.status} ${res.text.slice(0, 300)}`);
  }
  return res.body?.ok ? res.body.data : undefined;
}

const iso = (day: string, minutes: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + minutes * 60_000).toISOString();

/** The run's customer and vehicle (409 when a rerun with the same LOADTEST_RUN_ID finds them). */
async function ensureOwner(client: ApiClient): Promise<string> {
  const id = `lt-${SETTINGS.runId}`;
  expectSeeded(
    'create customer',
    await client.createCustomer({ id, name: `Load test ${SETTINGS.runId}` }),
    201,
    409,
  );
  expectSeeded(
    'create vehicle',
    await client.createVehicle({ id, customer_id: id, make: 'Loadtest', model: 'Runner', year: 2020 }),
    201,
    409,
  );
  return id;
}

/** `count` appointments of `owner` on `day`, spread from 07:00 in 5-minute steps, 30 minutes each. */
async function createCards(client: ApiClient, owner: string, day: string, count: number, offset = 0) {
  const indexes = Array.from({ length: count }, (_, i) => i);
  await pool(indexes, SEED_CONCURRENCY, async (i) => {
    const start = 7 * 60 + (((offset + i) * 5) % (16 * 60));
    expectSeeded(
      `create appointment ${i + 1} on ${day}`,
      await client.createAppointment({
        customer_id: owner,
        vehicle_id: owner,
        appt_start: iso(day, start),
        appt_end: iso(day, start + 30),
        service_codes: [SERVICES[(offset + i) % SERVICES.length] as string],
      }),
      201,
    );
  });
}

export function boardCards(board: Pick<Board, 'columns'>) {
  return Object.values(board.columns).flatMap((column) => column.items);
}

const targetOf = (context: ArtilleryContext) => String(context.vars.target);

/** move.yml's `before`: LOADTEST_CARDS fresh cards of this run's own customer. */
export async function seedMoveCards(context: ArtilleryContext): Promise<void> {
  const client = clientFor(targetOf(context));
  const owner = await ensureOwner(client);
  await createCards(client, owner, SETTINGS.day, SETTINGS.cards);
  context.vars.owner = owner;
  context.vars.day = SETTINGS.day;
  console.log(`seeded ${SETTINGS.cards} cards of ${owner} on ${SETTINGS.day}`);
}

/** board.yml's `before`: tops the day up to LOADTEST_CARDS cards (a board after move.yml has them). */
export async function ensureBoardCards(context: ArtilleryContext): Promise<void> {
  const client = clientFor(targetOf(context));
  const board = expectSeeded(`board of ${SETTINGS.day}`, await client.board({ date: SETTINGS.day }), 200);
  const have = board ? boardCards(board).length : 0;
  if (have < SETTINGS.cards) {
    const owner = await ensureOwner(client);
    await createCards(client, owner, SETTINGS.day, SETTINGS.cards - have, have);
  }
  context.vars.day = SETTINGS.day;
  console.log(`board of ${SETTINGS.day}: ${Math.max(have, SETTINGS.cards)} cards`);
}

/**
 * p4.yml's `before`: nothing is created here. scripts/loadtest.ts has run `npm run seed`'s own code
 * (scripts/seed.ts) against the target; this checks the seed's cards are on the board of its day
 * and points the staff at them.
 */
export async function useSeedData(context: ArtilleryContext): Promise<void> {
  const client = clientFor(targetOf(context));
  const board = expectSeeded(`board of ${SETTINGS.p4Day}`, await client.board({ date: SETTINGS.p4Day }), 200);
  const cards = board ? boardCards(board).filter((c) => c.customer_id === SETTINGS.p4Owner) : [];
  if (cards.length === 0) {
    throw new Error(
      `seeding: no card of customer ${SETTINGS.p4Owner} on ${SETTINGS.p4Day}; run the seed first`,
    );
  }
  context.vars.owner = SETTINGS.p4Owner;
  context.vars.day = SETTINGS.p4Day;
  console.log(
    `board of ${SETTINGS.p4Day}: ${cards.length} cards of customer ${SETTINGS.p4Owner} (the seed's)`,
  );
}

/** stats.yml's `before`: LOADTEST_HISTORY_PER_DAY appointments on each of the 31 days up to the day. */
export async function seedHistory(context: ArtilleryContext): Promise<void> {
  const client = clientFor(targetOf(context));
  const owner = await ensureOwner(client);
  const last = SETTINGS.day;
  const days = Array.from({ length: 31 }, (_, i) =>
    new Date(Date.parse(`${last}T00:00:00Z`) - (30 - i) * 86_400_000).toISOString().slice(0, 10),
  );
  for (const day of days) await createCards(client, owner, day, SETTINGS.historyPerDay, 100);
  context.vars.day = last;
  context.vars.from7 = days[days.length - 7];
  context.vars.from31 = days[0];
  console.log(`seeded ${SETTINGS.historyPerDay} appointments a day from ${days[0]} to ${last}`);
}
