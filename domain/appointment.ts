/** Appointments: the cards on the board. Pure rules for creating and editing them. */
import type { Service } from './catalog';
import { vehicleLabel, type Customer, type Vehicle } from './customer';
import { UnprocessableError, VersionConflictError } from './errors';
import type { CreateAppointmentInput, PatchAppointmentInput } from './schemas';
import type { Status } from './status';
import { pick } from './pick';
import { assignTechnician, type Technician } from './technician';

export interface Appointment {
  id: string;
  status: Status;
  version: number;
  customer_id: string;
  vehicle_id: string;
  customer_name: string;
  vehicle_label: string;
  appt_start: string;
  appt_end: string;
  service_codes: string[];
  notes: string | null;
  /**
   * Who works on the card (null: unassigned); the name is copied in, as customer_name is. Absent on
   * cards written before technicians existed (the API shows them null).
   */
  technician_id?: string | null;
  technician_name?: string | null;
  /** The version at which the card entered its current column (tells status changes from edits). */
  status_version: number;
  /** When the card last entered each column; cycle time runs from in_progress to ready. */
  status_entered_at: Partial<Record<Status, string>>;
  /** The last move applied to this card (redelivery detection, audit). */
  last_move_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface AppointmentRefs {
  customer: Customer | undefined;
  vehicle: Vehicle | undefined;
  catalog: readonly Service[];
}

function checkSchedule(start: string, end: string, serviceCodes: string[], catalog: readonly Service[]) {
  const problems: Record<string, string> = {};
  if (Date.parse(end) <= Date.parse(start)) problems.appt_end = 'must be after appt_start';
  const known = new Set(catalog.map((s) => s.code));
  const unknown = serviceCodes.filter((c) => !known.has(c));
  if (unknown.length > 0) problems.service_codes = `unknown service code(s): ${unknown.join(', ')}`;
  return problems;
}

/** Builds a new scheduled appointment, or throws a 422 naming every field that does not fit. */
export function createAppointment(
  input: CreateAppointmentInput,
  refs: AppointmentRefs,
  id: string,
  now: string,
): Appointment {
  const problems = checkSchedule(input.appt_start, input.appt_end, input.service_codes, refs.catalog);
  if (!refs.customer) problems.customer_id = `no customer with id ${input.customer_id}`;
  if (!refs.vehicle) problems.vehicle_id = `no vehicle with id ${input.vehicle_id}`;
  else if (refs.vehicle.customer_id !== input.customer_id)
    problems.vehicle_id = `vehicle ${input.vehicle_id} belongs to another customer`;
  if (Object.keys(problems).length > 0 || !refs.customer || !refs.vehicle) {
    throw new UnprocessableError('the appointment cannot be created', problems);
  }
  return {
    id,
    status: 'scheduled',
    version: 1,
    status_version: 1,
    customer_id: input.customer_id,
    vehicle_id: input.vehicle_id,
    customer_name: refs.customer.name,
    vehicle_label: vehicleLabel(refs.vehicle),
    appt_start: new Date(input.appt_start).toISOString(),
    appt_end: new Date(input.appt_end).toISOString(),
    service_codes: [...input.service_codes],
    notes: input.notes ?? null,
    technician_id: null,
    technician_name: null,
    status_entered_at: { scheduled: now },
    last_move_id: null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Applies an edit (never a status change) checked against the caller's version. `technician` is
 * the technician `patch.technician_id` names, as read (undefined when there is none).
 */
export function patchAppointment(
  current: Appointment,
  patch: PatchAppointmentInput,
  catalog: readonly Service[],
  now: string,
  technician?: Technician,
): Appointment {
  if (patch.expected_version !== current.version) {
    throw new VersionConflictError(
      `appointment ${current.id} is at version ${current.version}, not ${patch.expected_version}`,
      current.version,
    );
  }
  const next: Appointment = {
    ...current,
    appt_start: patch.appt_start ? new Date(patch.appt_start).toISOString() : current.appt_start,
    appt_end: patch.appt_end ? new Date(patch.appt_end).toISOString() : current.appt_end,
    service_codes: patch.service_codes ? [...patch.service_codes] : current.service_codes,
    notes: patch.notes === undefined ? current.notes : patch.notes,
    ...(patch.technician_id === undefined ? {} : assignTechnician(patch.technician_id, technician)),
    version: current.version + 1,
    updated_at: now,
  };
  const problems = checkSchedule(next.appt_start, next.appt_end, next.service_codes, catalog);
  if (Object.keys(problems).length > 0) throw new UnprocessableError('the edit cannot be applied', problems);
  return next;
}

/**
 * The fields the board reads for a card (the board shows them, with status_since derived from
 * status_entered_at; updated_at stands in where that lacks the current column).
 */
export type BoardItem = Partial<Pick<Appointment, 'status_entered_at' | 'updated_at'>> &
  Pick<
    Appointment,
    | 'id'
    | 'status'
    | 'version'
    | 'appt_start'
    | 'appt_end'
    | 'customer_id'
    | 'vehicle_id'
    | 'customer_name'
    | 'vehicle_label'
    | 'service_codes'
    | 'notes'
    | 'technician_id'
    | 'technician_name'
  >;

/** The fields dashboard stats need (the stats index projects only these). */
export type StatsItem = Pick<
  Appointment,
  'id' | 'status' | 'appt_start' | 'service_codes' | 'status_entered_at' | 'technician_id'
>;

const APPOINTMENT_VIEW_ORDER = [
  'id',
  'status',
  'version',
  'customer_id',
  'vehicle_id',
  'customer_name',
  'vehicle_label',
  'appt_start',
  'appt_end',
  'service_codes',
  'notes',
  'technician_id',
  'technician_name',
  'status_since',
  'status_version',
  'status_entered_at',
  'last_move_id',
  'created_at',
  'updated_at',
] as const;

const BOARD_ITEM_ORDER = [
  'id',
  'status',
  'version',
  'appt_start',
  'appt_end',
  'customer_id',
  'vehicle_id',
  'customer_name',
  'vehicle_label',
  'service_codes',
  'notes',
  'technician_id',
  'technician_name',
  'status_since',
] as const;

/**
 * What the API shows beyond the stored card: both technician fields, null when unassigned, and
 * `status_since`, the instant the card entered its current column.
 */
type Derived = { technician_id: string | null; technician_name: string | null; status_since: string };
export type PresentedAppointment = Appointment & Derived;
export type PresentedBoardItem = Omit<BoardItem, 'status_entered_at' | 'updated_at'> & Derived;

/**
 * When the card entered its current column: `status_entered_at` of that column, which creating the
 * card and every applied move that changes its column set (a no-op move applies nothing, an edit
 * never touches it). A card written without it (by hand, or by a script that skipped the rules)
 * falls back to its last change, `updated_at`: never earlier than the real instant, so a page never
 * shows a card as waiting longer than it has.
 */
export function statusSince(card: BoardItem): string {
  return card.status_entered_at?.[card.status] ?? card.updated_at ?? card.appt_start;
}

/** Cards written before technicians existed have no technician attributes: unassigned. */
const withDerived = <T extends BoardItem>(card: T): T & Derived => ({
  ...card,
  technician_id: card.technician_id ?? null,
  technician_name: card.technician_name ?? null,
  status_since: statusSince(card),
});

/** The API's view of an appointment, fields in a stable order. */
export function presentAppointment(appt: Appointment): PresentedAppointment {
  return pick(withDerived(appt), APPOINTMENT_VIEW_ORDER) as PresentedAppointment;
}

export function presentBoardItem(item: BoardItem): PresentedBoardItem {
  return pick(withDerived(item), BOARD_ITEM_ORDER) as PresentedBoardItem;
}
