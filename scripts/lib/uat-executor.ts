/**
 * Carries out a uat-data plan (scripts/lib/uat-plan.ts) through the API: creates the technicians,
 * customers and vehicles, then each appointment, gives it its technician (PATCH technician_id), and
 * moves each card (submit + long-poll) along its planned path. Whatever is already there is counted,
 * not made again: a technician, customer or vehicle answering 409, a card that has a technician
 * already (someone's reassignment stands), an
 * appointment of this seed found on the board at its start, a card already further along its path
 * (a card someone moved off the path is left alone). Refusals are collected, not thrown; only an
 * unreachable API stops the run.
 */
import type { BoardItem } from '../../domain/appointment';
import { addDays } from '../../domain/days';
import { MAX_BOARD_DAYS } from '../../domain/schemas';
import { STATUSES, type Status } from '../../domain/status';
import { describeResponse, expectStatus, type ApiClient } from '../../client/api-client';
import { pool } from '../../client/pool';
import type { ScriptIo } from './cli';
import { moveIdFor, remainingMoves, type UatPlan } from './uat-plan';

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

export interface Tally {
  created: number;
  existing: number;
}

export interface Outcome {
  technicians: Tally;
  /** Cards given their planned technician by this run. */
  assigned: number;
  customers: Tally;
  vehicles: Tally;
  appointments: Tally;
  moves: { applied: number; alreadyDone: number; leftAlone: number };
  statuses: Record<Status, number>;
  failures: string[];
}

async function createAll(client: ApiClient, plan: UatPlan, concurrency: number, io: ScriptIo, out: Outcome) {
  for (const t of plan.technicians) {
    const res = await client.createTechnician({ id: t.id, name: t.name });
    if (res.status === 201) out.technicians.created += 1;
    else if (res.status === 409) out.technicians.existing += 1;
    else out.failures.push(`technician ${t.id}: ${describeResponse(res)}`);
  }
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
    const { target, technician_id, ...input } = planned;
    const found = existing.get(`${input.customer_id}|${input.appt_start}`);
    let card: { id: string; status: Status; version: number; technician_id: string | null };
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
    if (technician_id && card.technician_id === null) {
      const res = await client.patchAppointment(card.id, { technician_id, expected_version: card.version });
      if (res.status !== 200 || !res.body?.ok) {
        out.failures.push(`technician of ${card.id}: ${describeResponse(res)}`);
        return tick();
      }
      out.assigned += 1;
      card = res.body.data;
    }
    await bringToTarget(client, opts.seed, card, target, out, found !== undefined);
    tick();
  });
}

export interface UatRun {
  seed: number;
  start: string;
  days: number;
  concurrency: number;
}

/** Customers and vehicles first (appointments need them), then the appointments and their moves. */
export async function executeUatPlan(
  client: ApiClient,
  plan: UatPlan,
  run: UatRun,
  io: ScriptIo,
): Promise<Outcome> {
  const out = emptyOutcome();
  await createAll(client, plan, run.concurrency, io, out);
  await placeAll(client, plan, run, io, out);
  return out;
}

export function emptyOutcome(): Outcome {
  return {
    technicians: { created: 0, existing: 0 },
    assigned: 0,
    customers: { created: 0, existing: 0 },
    vehicles: { created: 0, existing: 0 },
    appointments: { created: 0, existing: 0 },
    moves: { applied: 0, alreadyDone: 0, leftAlone: 0 },
    statuses: Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>,
    failures: [],
  };
}
