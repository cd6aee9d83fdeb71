/**
 * The drawer's and booking form's logic: what an edit sends, what changed under it, what a history
 * entry says, and which field a server error names. Pure.
 */
import { ApiError, type Appointment, type HistoryEntry, type PatchBody } from './api';
import { COLUMN_LABELS } from './board-view';
import { localTime, wallClock, zonedToUtc } from './format';

/** The API's field names and the labels the page gives them. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  customer_id: 'Customer',
  vehicle_id: 'Vehicle',
  appt_start: 'Start',
  appt_end: 'End',
  service_codes: 'Services',
  notes: 'Notes',
  technician_id: 'Technician',
  status: 'Status',
};

/** What the drawer's form holds: times as the shop's wall clock (`YYYY-MM-DDTHH:MM`). */
export interface Draft {
  notes: string;
  technician_id: string;
  start: string;
  end: string;
  service_codes: string[];
}

export function localDateTime(instant: string, zone: string): string {
  const { day } = wallClock(new Date(instant), zone);
  return `${day}T${localTime(instant, zone)}`;
}

function utcOf(local: string, zone: string): string {
  const [day = '', time = ''] = local.split('T');
  return zonedToUtc(day, time.slice(0, 5), zone);
}

export function draftOf(a: Appointment, zone: string): Draft {
  return {
    notes: a.notes ?? '',
    technician_id: a.technician_id ?? '',
    start: localDateTime(a.appt_start, zone),
    end: localDateTime(a.appt_end, zone),
    service_codes: [...a.service_codes],
  };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The PATCH body for a draft: only the fields it changes (and only those the caller may change),
 * with the version it was edited from. Undefined when nothing changed.
 */
export function patchFor(
  base: Appointment,
  draft: Draft,
  zone: string,
  may: { admin: boolean; technician: boolean },
): PatchBody | undefined {
  const body: PatchBody = { expected_version: base.version };
  const before = draftOf(base, zone);
  if (draft.notes !== before.notes) body.notes = draft.notes === '' ? null : draft.notes;
  if (may.technician && draft.technician_id !== before.technician_id) {
    body.technician_id = draft.technician_id === '' ? null : draft.technician_id;
  }
  if (may.admin) {
    if (draft.start !== before.start) body.appt_start = utcOf(draft.start, zone);
    if (draft.end !== before.end) body.appt_end = utcOf(draft.end, zone);
    if (!sameList(draft.service_codes, before.service_codes)) body.service_codes = draft.service_codes;
  }
  return Object.keys(body).length > 1 ? body : undefined;
}

/** The labels of the fields that differ between two versions of a card (a 409's "what changed"). */
export function changedFields(before: Appointment, after: Appointment): string[] {
  const fields = ['status', 'appt_start', 'appt_end', 'service_codes', 'notes', 'technician_id'] as const;
  return fields
    .filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]))
    .map((f) => FIELD_LABELS[f] ?? f);
}

function show(field: string, value: unknown, zone: string, names: Names): string {
  if (value === null || value === undefined || value === '') return 'none';
  if ((field === 'appt_start' || field === 'appt_end') && typeof value === 'string') {
    return localDateTime(value, zone).replace('T', ' ');
  }
  if (Array.isArray(value)) return value.map((c) => names.services.get(String(c)) ?? String(c)).join(', ');
  if (field === 'technician_id' && typeof value === 'string')
    return `“${names.technicians.get(value) ?? value}”`;
  return typeof value === 'string' ? `“${value}”` : JSON.stringify(value);
}

/** Names for the codes and ids a history entry holds. */
export interface Names {
  services: ReadonlyMap<string, string>;
  technicians: ReadonlyMap<string, string>;
}

/** What a history entry did, in words: `Moved Scheduled → In progress`, `Notes: none → “x”`. */
export function describeEntry(
  entry: HistoryEntry,
  zone: string,
  names: Names = { services: new Map(), technicians: new Map() },
): string {
  switch (entry.kind) {
    case 'created':
      return `Booked in ${COLUMN_LABELS[entry.status]}`;
    case 'moved':
      return `Moved ${COLUMN_LABELS[entry.from]} → ${COLUMN_LABELS[entry.to]}`;
    case 'edited':
      return Object.entries(entry.changes)
        .map(
          ([field, c]) =>
            `${FIELD_LABELS[field] ?? field}: ${show(field, c.old, zone, names)} → ${show(field, c.new, zone, names)}`,
        )
        .join('; ');
  }
}

/** The server's words for each field its error's `details` name (a 400 or 422), by API field name. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || (err.status !== 400 && err.status !== 422)) return {};
  const out: Record<string, string> = {};
  for (const [field, why] of Object.entries(err.details)) {
    out[field] = typeof why === 'string' ? why : JSON.stringify(why);
  }
  return out;
}

/** The form-level message for an error no field claims. */
export function formError(err: unknown, claimed: readonly string[]): string | undefined {
  const fields = Object.keys(fieldErrors(err)).filter((f) => claimed.includes(f));
  if (fields.length > 0) return undefined;
  return err instanceof Error ? err.message : String(err);
}

/**
 * After a 409: the fresh card's values for the fields the user left alone, the user's own for the
 * ones they changed (their unsaved text is kept).
 */
export function rebaseDraft(draft: Draft, oldBase: Draft, freshBase: Draft): Draft {
  const pick = <K extends keyof Draft>(k: K): Draft[K] =>
    JSON.stringify(draft[k]) === JSON.stringify(oldBase[k]) ? freshBase[k] : draft[k];
  return {
    notes: pick('notes'),
    technician_id: pick('technician_id'),
    start: pick('start'),
    end: pick('end'),
    service_codes: pick('service_codes'),
  };
}
