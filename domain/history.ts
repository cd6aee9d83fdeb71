/**
 * A card's history: one entry per version, written in the same transaction as the change that made
 * that version, so the entries of a card are exactly versions 1..version. Pure rules for building
 * the entries and for the history endpoint's cursor.
 */
import type { Appointment } from './appointment';
import type { MoveRecord } from './move';
import type { Actor, Role } from './roles';
import type { Status } from './status';

/**
 * Who made a change. A move submitted before moves recorded their submitter has no `submitted_by`;
 * its entry says `unknown` rather than guess.
 */
export interface EntryActor {
  role: Role | 'unknown';
  principal: string;
}

interface EntryBase {
  at: string;
  /** The card's version after this change. */
  version: number;
  by: EntryActor;
}

/** The fields an edit may change, as PATCH names them. */
export const EDITABLE_FIELDS = ['notes', 'appt_start', 'appt_end', 'service_codes', 'technician_id'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export type FieldChange = { old: unknown; new: unknown };

export type HistoryEntry =
  | (EntryBase & {
      kind: 'created';
      status: Status;
      customer_id: string;
      vehicle_id: string;
      appt_start: string;
      appt_end: string;
      service_codes: string[];
      notes: string | null;
    })
  | (EntryBase & { kind: 'edited'; changes: Partial<Record<EditableField, FieldChange>> })
  | (EntryBase & { kind: 'moved'; from: Status; to: Status; move_id: string; rebased: boolean });

export function createdEntry(card: Appointment, by: Actor): HistoryEntry {
  return {
    kind: 'created',
    at: card.created_at,
    version: card.version,
    by,
    status: card.status,
    customer_id: card.customer_id,
    vehicle_id: card.vehicle_id,
    appt_start: card.appt_start,
    appt_end: card.appt_end,
    service_codes: [...card.service_codes],
    notes: card.notes,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** An edit: which fields changed, with old and new values (none, if the PATCH changed nothing). */
export function editedEntry(before: Appointment, after: Appointment, by: Actor): HistoryEntry {
  const changes: Partial<Record<EditableField, FieldChange>> = {};
  for (const field of EDITABLE_FIELDS) {
    // A card from before technicians has no technician_id at all: the same as null.
    const old = before[field] ?? null;
    const now = after[field] ?? null;
    if (!same(old, now)) changes[field] = { old, new: now };
  }
  return { kind: 'edited', at: after.updated_at, version: after.version, by, changes };
}

/** An applied move (never a no-op, which changes no version), by whoever submitted it. */
export function movedEntry(before: Appointment, after: Appointment, move: MoveRecord): HistoryEntry {
  return {
    kind: 'moved',
    at: after.updated_at,
    version: after.version,
    by: move.submitted_by ?? { role: 'unknown', principal: 'unknown' },
    from: before.status,
    to: after.status,
    move_id: move.move_id,
    rebased: move.rebased === true,
  };
}

// ---- the history endpoint's cursor -----------------------------------------------------------

export const MAX_HISTORY_LIMIT = 100;
export const DEFAULT_HISTORY_LIMIT = 20;

const CURSOR_PREFIX = 'before:';

/**
 * Opaque to clients: the version the next page starts below. base64url so that it is one token
 * with no characters a query string must escape.
 */
export function encodeHistoryCursor(beforeVersion: number): string {
  return btoa(`${CURSOR_PREFIX}${beforeVersion}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The version a cursor names, or undefined if it is not one this API made. */
export function decodeHistoryCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
  if (!text.startsWith(CURSOR_PREFIX)) return undefined;
  const digits = text.slice(CURSOR_PREFIX.length);
  if (!/^[1-9]\d{0,9}$/.test(digits)) return undefined;
  const version = Number(digits);
  return version >= 2 ? version : undefined;
}

/**
 * A page of entries, newest first: the next page starts below the last entry's version; there is
 * none once version 1 has been returned (versions are 1..N with no gap).
 */
export function historyPage(entries: HistoryEntry[]): {
  entries: HistoryEntry[];
  next_cursor: string | null;
} {
  const last = entries.at(-1);
  return {
    entries,
    next_cursor: last && last.version > 1 ? encodeHistoryCursor(last.version) : null,
  };
}
