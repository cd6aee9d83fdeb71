/**
 * zod schemas for everything that crosses an edge: HTTP bodies and queries, queue messages.
 * Every object is strict, so an unknown field is an error that names the field.
 */
import { z } from 'zod';
import { STATUSES } from './status';

export const MAX_BOARD_DAYS = 31;
export const MAX_STATS_DAYS = 366;
export const MAX_WAIT_MS = 10_000;

export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
const instant = z.iso.datetime({ message: 'must be an ISO-8601 UTC instant such as 2026-03-01T15:00:00Z' });
const day = z.iso.date({ message: 'must be a date YYYY-MM-DD' });
/** Status names are checked by the handler so that an unknown name is a 422, not a 400. */
const statusName = z.string().min(1).max(32);

export const createCustomerSchema = z.strictObject({
  id: idSchema.optional(),
  name: z.string().trim().min(1).max(200),
  phone: z.string().trim().min(1).max(40).optional(),
  email: z.email().max(254).optional(),
});
export type CreateCustomerInput = z.infer<typeof createCustomerSchema>;

/** `?q=` of the customer search: at least 2 characters (a name, phone or email prefix). */
export const customerSearchQuerySchema = z.strictObject({
  q: z.string().trim().min(2, 'must be at least 2 characters').max(100),
});

export const createVehicleSchema = z.strictObject({
  id: idSchema.optional(),
  customer_id: idSchema,
  year: z.number().int().min(1886).max(2100).optional(),
  make: z.string().trim().min(1).max(80),
  model: z.string().trim().min(1).max(80),
  vin: z.string().trim().min(1).max(32).optional(),
  plate: z.string().trim().min(1).max(20).optional(),
});
export type CreateVehicleInput = z.infer<typeof createVehicleSchema>;

const serviceCodes = z
  .array(z.string().regex(/^[A-Z0-9_-]{1,32}$/, 'must be a service code such as OIL001'))
  .min(1)
  .max(20);
const notes = z.string().max(2000);

export const createAppointmentSchema = z.strictObject({
  customer_id: idSchema,
  vehicle_id: idSchema,
  appt_start: instant,
  appt_end: instant,
  service_codes: serviceCodes,
  notes: notes.optional(),
});
export type CreateAppointmentInput = z.infer<typeof createAppointmentSchema>;

export const patchAppointmentSchema = z
  .strictObject({
    expected_version: z.number().int().min(1),
    notes: notes.nullable().optional(),
    appt_start: instant.optional(),
    appt_end: instant.optional(),
    service_codes: serviceCodes.optional(),
    technician_id: idSchema.nullable().optional(),
  })
  .refine(
    (p) =>
      p.notes !== undefined || p.technician_id !== undefined || p.appt_start || p.appt_end || p.service_codes,
    {
      message: 'nothing to change: send notes, technician_id, appt_start, appt_end or service_codes',
      path: ['body'],
    },
  );
export type PatchAppointmentInput = z.infer<typeof patchAppointmentSchema>;

export const createTechnicianSchema = z.strictObject({
  id: idSchema.optional(),
  name: z.string().trim().min(1).max(200),
  active: z.boolean().optional(),
});
export type CreateTechnicianInput = z.infer<typeof createTechnicianSchema>;

export const moveIdSchema = z.union([z.uuid(), z.ulid()], { message: 'must be a UUID or a ULID' });

export const submitMoveSchema = z.strictObject({
  to_status: statusName,
  expected_version: z.number().int().min(1),
  from_status: statusName.optional(),
  move_id: moveIdSchema.optional(),
});
export type SubmitMoveInput = z.infer<typeof submitMoveSchema>;

export const movePollQuerySchema = z.strictObject({
  wait_ms: z.coerce.number().int().min(0).max(MAX_WAIT_MS).optional(),
});

/** `?limit=&cursor=` of the history endpoint; the cursor is checked by decodeHistoryCursor. */
export const historyQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(64).optional(),
});

/** `?date=` or `?from=&to=` (inclusive UTC days). */
export const dayRangeQuerySchema = z.union(
  [
    z.strictObject({ date: day }).transform((q) => ({ from: q.date, to: q.date })),
    z.strictObject({ from: day, to: day }),
  ],
  { message: 'give either date=YYYY-MM-DD or both from=YYYY-MM-DD and to=YYYY-MM-DD' },
);

/** `technician_id=` of the board: a technician's id, or `none` for the unassigned cards. */
export const NO_TECHNICIAN = 'none';
const technicianFilter = z
  .union([z.literal(NO_TECHNICIAN), idSchema], { message: `must be a technician id or ${NO_TECHNICIAN}` })
  .optional();

/** The board's query: a day range as dayRangeQuerySchema, optionally narrowed to one technician's cards. */
export const boardQuerySchema = z.union(
  [
    z
      .strictObject({ date: day, technician_id: technicianFilter })
      .transform((q) => ({ from: q.date, to: q.date, technician_id: q.technician_id })),
    z.strictObject({ from: day, to: day, technician_id: technicianFilter }),
  ],
  { message: 'give either date=YYYY-MM-DD or both from=YYYY-MM-DD and to=YYYY-MM-DD' },
);
export type BoardQuery = z.infer<typeof boardQuerySchema>;

/** The message put on moves.fifo; the worker parses it with the same schema. */
export const moveMessageSchema = z.strictObject({
  move_id: moveIdSchema,
  appointment_id: idSchema,
  to_status: z.enum(STATUSES),
  expected_version: z.number().int().min(1),
  from_status: z.enum(STATUSES).optional(),
  submitted_at: instant,
});
export type MoveMessage = z.infer<typeof moveMessageSchema>;

/** Flattens zod issues into `{ field: message }`, the `details` of a 400. */
export function issuesToDetails(error: z.ZodError): Record<string, string> {
  const details: Record<string, string> = {};
  addIssues(details, error.issues, []);
  return details;
}

type Issue = z.core.$ZodIssue;

function addIssues(details: Record<string, string>, issues: readonly Issue[], base: PropertyKey[]): void {
  const name = (path: readonly PropertyKey[]) => path.map(String).join('.') || 'body';
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details[name([...path, key])] = 'unknown field';
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest (fewest issues), so the details name real fields; a
      // union of plain values (uuid | ulid) has no fields inside, so its own message says it best.
      const best = issue.errors.reduce((a, b) => (a.length <= b.length ? a : b));
      if (best.every((sub) => sub.path.length === 0 && sub.code !== 'unrecognized_keys')) {
        details[name(path)] = issue.message;
      } else {
        addIssues(details, best, path);
      }
    } else {
      details[name(path)] = issue.message;
    }
  }
}
