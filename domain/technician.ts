/** Technicians: who works on a card. A card carries its technician's id and name (copied in). */
import { UnprocessableError } from './errors';

export interface Technician {
  id: string;
  name: string;
  /** An inactive technician stays on the cards they had, but no card can be given to them. */
  active: boolean;
  created_at: string;
}

/** Active technicians first, then by name, then id: the order the API lists them in. */
export function sortTechnicians(list: readonly Technician[]): Technician[] {
  return [...list].sort(
    (a, b) =>
      Number(b.active) - Number(a.active) ||
      a.name.localeCompare(b.name) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * The technician fields a card gets from `technician_id` of an edit: null unassigns; an unknown or
 * inactive technician is a 422 naming the field.
 */
export function assignTechnician(
  technicianId: string | null,
  found: Technician | undefined,
): { technician_id: string | null; technician_name: string | null } {
  if (technicianId === null) return { technician_id: null, technician_name: null };
  if (!found) {
    throw new UnprocessableError('the edit cannot be applied', {
      technician_id: `no technician with id ${technicianId}`,
    });
  }
  if (!found.active) {
    throw new UnprocessableError('the edit cannot be applied', {
      technician_id: `technician ${technicianId} is not active`,
    });
  }
  return { technician_id: found.id, technician_name: found.name };
}
