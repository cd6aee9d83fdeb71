/**
 * zod schemas of what the HTTP API answers: the success and error envelopes and each resource's
 * view. With the request schemas of schemas.ts they are the API's contract: the OpenAPI document is
 * generated from them (handlers/http/openapi.ts), the handlers' answers are typed by them
 * (handlers/http/response.ts `reply`), and every integration test checks the wire against them.
 *
 * Each registered schema becomes a named component (`#/components/schemas/<id>`) of the document.
 */
import { z } from 'zod';
import { FAILURE_REASONS, MOVE_STATUSES } from './move';
import { EDITABLE_FIELDS } from './history';
import { ROLES, WRITE_POLICIES } from './roles';
import { STATUSES } from './status';

/** The registry the document's components come from; the id is the component's name. */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

function named<S extends z.ZodType>(schema: S, id: string, description?: string): S {
  apiSchemas.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}

const instant = z.iso.datetime();
const day = z.iso.date();
const timeZone = z
  .string()
  .describe(
    "The shop's time zone (SHOP_TIMEZONE, an IANA name such as America/Los_Angeles): from and to are its local days; instants stay ISO-8601 UTC.",
  );

export const statusSchema = named(z.enum(STATUSES), 'Status', "A column of the board (a card's status).");

export const appointmentSchema = named(
  z.strictObject({
    id: z.string(),
    status: statusSchema,
    version: z.number().int().min(1),
    customer_id: z.string(),
    vehicle_id: z.string(),
    customer_name: z.string(),
    vehicle_label: z.string(),
    appt_start: instant,
    appt_end: instant,
    service_codes: z.array(z.string()),
    notes: z.string().nullable(),
    technician_id: z.string().nullable().describe('Who works on the card; null: unassigned.'),
    technician_name: z.string().nullable().describe("The technician's name, copied in when assigned."),
    status_since: instant.describe(
      'When the card entered its current column: set on create and by every applied move that changes the column, not by no-ops or edits.',
    ),
    status_version: z
      .number()
      .int()
      .min(1)
      .describe('The version at which the card entered its current column.'),
    status_entered_at: z
      .partialRecord(statusSchema, instant)
      .describe('When the card last entered each column.'),
    last_move_id: z.string().nullable().describe('The last move applied to this card.'),
    created_at: instant,
    updated_at: instant,
  }),
  'Appointment',
  'A card: one appointment, in one column, at one version.',
);
export type AppointmentView = z.output<typeof appointmentSchema>;

export const boardItemSchema = named(
  appointmentSchema.pick({
    id: true,
    status: true,
    version: true,
    appt_start: true,
    appt_end: true,
    customer_id: true,
    vehicle_id: true,
    customer_name: true,
    vehicle_label: true,
    service_codes: true,
    notes: true,
    technician_id: true,
    technician_name: true,
    status_since: true,
  }),
  'BoardItem',
  'The fields the board shows for a card.',
);
export type BoardItemView = z.output<typeof boardItemSchema>;

const column = z.strictObject({ items: z.array(boardItemSchema), count: z.number().int().min(0) });
export const boardSchema = named(
  z.strictObject({
    from: day,
    to: day,
    time_zone: timeZone,
    columns: z.strictObject(
      Object.fromEntries(STATUSES.map((s) => [s, column])) as Record<
        (typeof STATUSES)[number],
        typeof column
      >,
    ),
  }),
  'Board',
  "Six columns of cards, each sorted by start time, for the inclusive local days from..to of the shop's time zone (a card is on the local day its appt_start falls on there).",
);
export type BoardView = z.output<typeof boardSchema>;

const rate = z.number().min(0).max(1).nullable();
export const dashboardStatsSchema = named(
  z.strictObject({
    from: day,
    to: day,
    time_zone: timeZone,
    total: z.number().int().min(0),
    by_status: z.strictObject(
      Object.fromEntries(STATUSES.map((s) => [s, z.number().int().min(0)])) as Record<
        (typeof STATUSES)[number],
        z.ZodNumber
      >,
    ),
    completion_rate: rate.describe('completed / appointments not canceled; null when there are none.'),
    no_show_rate: rate.describe('no_show / appointments not canceled; null when there are none.'),
    revenue_cents: z.number().int().min(0).describe('Catalog prices of the completed appointments.'),
    avg_cycle_minutes: z
      .number()
      .min(0)
      .nullable()
      .describe('Mean minutes from in_progress to ready; null when no card has both.'),
    car_count: z
      .number()
      .int()
      .min(0)
      .describe('Appointments that reached in_progress (now in_progress, ready or completed).'),
    average_repair_order_cents: z
      .number()
      .int()
      .min(0)
      .nullable()
      .describe('revenue_cents / completed, rounded; null when none completed.'),
    show_rate: rate.describe('car_count / (car_count + no_show); null when both are 0.'),
    by_technician: z
      .record(
        z.string(),
        z.strictObject({
          completed: z.number().int().min(0),
          revenue_cents: z.number().int().min(0),
          avg_cycle_minutes: z.number().min(0).nullable(),
        }),
      )
      .describe(
        'Per technician id, and "unassigned": completed, revenue_cents and avg_cycle_minutes of their cards.',
      ),
  }),
  'DashboardStats',
  "Figures of the appointments starting on the inclusive local days from..to of the shop's time zone.",
);
export type DashboardStatsView = z.output<typeof dashboardStatsSchema>;

export const customerSchema = named(
  z.strictObject({
    id: z.string(),
    name: z.string(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    created_at: instant,
  }),
  'Customer',
);

export const vehicleSchema = named(
  z.strictObject({
    id: z.string(),
    customer_id: z.string(),
    year: z.number().int().nullable(),
    make: z.string(),
    model: z.string(),
    vin: z.string().nullable(),
    plate: z.string().nullable(),
    created_at: instant,
  }),
  'Vehicle',
);

export const technicianSchema = named(
  z.strictObject({
    id: z.string(),
    name: z.string(),
    active: z.boolean().describe('Only an active technician can be given a card.'),
    created_at: instant,
  }),
  'Technician',
);

export const serviceSchema = named(
  z.strictObject({
    code: z.string(),
    name: z.string(),
    price_cents: z.number().int().min(0),
    duration_minutes: z.number().int().min(1),
  }),
  'Service',
  'A service of the catalog.',
);

const cardState = z.strictObject({ status: statusSchema, version: z.number().int().min(1) });
export const moveSchema = named(
  z.strictObject({
    move_id: z.string(),
    appointment_id: z.string(),
    status: z.enum(MOVE_STATUSES),
    from_status: statusSchema.nullable(),
    to_status: statusSchema,
    expected_version: z.number().int().min(1),
    version: z.number().int().min(1).optional().describe("applied: the card's new version."),
    noop: z.boolean().optional().describe('applied: the card was already in that column.'),
    rebased: z.boolean().optional().describe('applied: only notes had changed since expected_version.'),
    current: cardState.optional().describe('conflict (and some rejections): the card as it is now.'),
    reason: z
      .enum(['invalid_transition', 'not_found', 'malformed_message', ...FAILURE_REASONS])
      .optional()
      .describe('rejected or failed: why.'),
    allowed: z.array(statusSchema).optional().describe('rejected invalid_transition: the columns allowed.'),
    submitted_at: instant,
    decided_at: instant.optional(),
    submitted_by: z
      .strictObject({ role: z.enum(ROLES), principal: z.string() })
      .optional()
      .describe('Who submitted it (moves submitted before roles existed have none).'),
  }),
  'Move',
  'A move and, once decided, its outcome: applied, conflict, rejected or failed.',
);
export type MoveView = z.output<typeof moveSchema>;

export const pendingMoveSchema = named(
  z.strictObject({ move_id: z.string(), appointment_id: z.string(), status: z.literal('pending') }),
  'PendingMove',
  'A move accepted and not decided yet: poll its Location.',
);
export type PendingMoveView = z.output<typeof pendingMoveSchema>;

const check = z.string().describe('"ok", or "error: <name>" naming what failed.');
export const healthSchema = named(
  z.strictObject({
    status: z.literal('ok'),
    checks: z.strictObject({ dynamodb: check, queue: check }),
  }),
  'Health',
);

const entryActor = z.strictObject({ role: z.enum([...ROLES, 'unknown']), principal: z.string() });
const entryBase = {
  at: instant,
  version: z.number().int().min(1).describe("The card's version after this change."),
  by: entryActor,
};
const fieldChange = z.strictObject({ old: z.unknown(), new: z.unknown() });
export const historyEntrySchema = named(
  z.discriminatedUnion('kind', [
    z.strictObject({
      ...entryBase,
      kind: z.literal('created'),
      status: statusSchema,
      customer_id: z.string(),
      vehicle_id: z.string(),
      appt_start: instant,
      appt_end: instant,
      service_codes: z.array(z.string()),
      notes: z.string().nullable(),
    }),
    z.strictObject({
      ...entryBase,
      kind: z.literal('edited'),
      changes: z.partialRecord(z.enum(EDITABLE_FIELDS), fieldChange),
    }),
    z.strictObject({
      ...entryBase,
      kind: z.literal('moved'),
      from: statusSchema,
      to: statusSchema,
      move_id: z.string(),
      rebased: z.boolean(),
    }),
  ]),
  'HistoryEntry',
  'One change to a card: created, edited (old and new values) or moved, with who made it.',
);
export const historyPageSchema = named(
  z.strictObject({
    appointment_id: z.string(),
    version: z.number().int().min(1).describe("The card's version now: the newest entry's."),
    entries: z.array(historyEntrySchema),
    next_cursor: z.string().nullable(),
  }),
  'HistoryPage',
  'Entries newest first; next_cursor asks for the older ones (null once version 1 was returned).',
);
export const meSchema = named(
  z.strictObject({
    role: z.enum(ROLES),
    principal: z.string(),
    write_policy: z.enum(WRITE_POLICIES),
  }),
  'Me',
  'Who the caller is (the access key locally, the IAM ARN on AWS), its role and the stage write policy.',
);

/** Every `error.code` the API (and the function URL in front of it) answers with. */
export const ERROR_CODES = [
  'validation_error',
  'invalid_range',
  'range_too_long',
  'forbidden',
  'writes_disabled',
  'not_found',
  'method_not_allowed',
  'already_exists',
  'version_conflict',
  'idempotency_key_reused',
  'payload_too_large',
  'unprocessable',
  'internal_error',
  'service_unavailable',
  'dependency_unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorEnvelopeSchema = named(
  z.strictObject({
    ok: z.literal(false),
    error: z.strictObject({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z
        .record(z.string(), z.unknown())
        .describe('Names the fields at fault (a 400 maps each bad field to what is wrong with it).'),
    }),
  }),
  'ErrorEnvelope',
  'Every failure: a machine-readable code, a message for people, and details naming the fields.',
);

/** The success envelope around `data`. */
export function envelopeOf<S extends z.ZodType>(data: S) {
  return z.strictObject({ ok: z.literal(true), data });
}
