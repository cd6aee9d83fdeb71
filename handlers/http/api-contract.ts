/**
 * The route registry of the OpenAPI document: one entry per route of the router (handlers/api.ts),
 * keyed `METHOD path`, saying what the route takes and every answer it gives. The schemas are the
 * ones the handlers validate with (domain/schemas.ts) and answer with (domain/api-schemas.ts);
 * openapi.ts turns this table into the document. A route added to the router without an entry here
 * (or an entry without a route) fails test/unit/openapi-contract.test.ts.
 */
import { z } from 'zod';
import {
  appointmentSchema,
  boardSchema,
  customerSchema,
  dashboardStatsSchema,
  healthSchema,
  historyPageSchema,
  meSchema,
  moveSchema,
  pendingMoveSchema,
  serviceSchema,
  technicianSchema,
  vehicleSchema,
  type ErrorCode,
} from '../../domain/api-schemas';
import {
  MAX_BOARD_DAYS,
  MAX_STATS_DAYS,
  NO_TECHNICIAN,
  boardQuerySchema,
  createAppointmentSchema,
  createCustomerSchema,
  createTechnicianSchema,
  createVehicleSchema,
  customerSearchQuerySchema,
  dayRangeQuerySchema,
  historyQuerySchema,
  idSchema,
  moveIdSchema,
  movePollQuerySchema,
  patchAppointmentSchema,
  submitMoveSchema,
} from '../../domain/schemas';

export type ResponseHeader = 'ETag' | 'Location' | 'Retry-After';

export interface ResponseContract {
  description: string;
  /** The success envelope's `data`. */
  data?: z.ZodType;
  /** An error envelope whose `error.code` is one of these. */
  codes?: readonly [ErrorCode, ...ErrorCode[]];
  /** A body that is not an envelope (the document itself). */
  raw?: z.ZodType;
  /** Headers the answer always carries. */
  headers?: readonly ResponseHeader[];
  example?: unknown;
}

export interface RouteContract {
  operationId: string;
  summary: string;
  description?: string;
  tag: 'health' | 'shop' | 'board' | 'moves' | 'meta';
  /** Schemas of the `{name}` segments. */
  pathParams?: Record<string, { schema: z.ZodType; description: string }>;
  /** A strict object, or a union of them, of the query string (every value a string on the wire). */
  query?: { schema: z.ZodType; descriptions: Record<string, string> };
  body?: { schema: z.ZodType; example: unknown };
  /** The longest from..to range, in days counting both (x-max-days: no JSON Schema keyword says it). */
  maxDays?: number;
  responses: Record<number, ResponseContract>;
}

const bad400 = (what: string): ResponseContract => ({
  description: `${what}: malformed JSON, a wrong type, a missing or unknown field; details name each field`,
  codes: ['validation_error'],
  example: {
    ok: false,
    error: {
      code: 'validation_error',
      message: 'invalid request body',
      details: { colour: 'unknown field' },
    },
  },
});
const tooLarge: ResponseContract = {
  description: 'The body is over 64 KiB (details.max_bytes)',
  codes: ['payload_too_large'],
};
const rangeQuery = (maxDays: number) => ({
  schema: dayRangeQuerySchema,
  descriptions: {
    date: 'One UTC day. Give either date, or both from and to.',
    from: `First UTC day of the range (inclusive); with to. The range spans at most ${maxDays} days.`,
    to: `Last UTC day of the range (inclusive); with from, not before it. At most ${maxDays} days after from, counting both.`,
  },
});
const rangeErrors = (maxDays: number): ResponseContract => ({
  description: `A bad query: neither date nor from and to (validation_error), from after to (invalid_range), or more than ${maxDays} days (range_too_long, details.max_days)`,
  codes: ['validation_error', 'invalid_range', 'range_too_long'],
});
const customerId = {
  id: { schema: idSchema, description: "The customer's id; one that cannot exist is a 404." },
};
const appointmentId = {
  id: { schema: idSchema, description: "The appointment's id; one that cannot exist is a 404." },
};

/** The seed runbook's booking (README "Try it"). */
export const BOOKING_EXAMPLE = {
  customer_id: '1',
  vehicle_id: '1',
  appt_start: '2025-10-01T15:00:00Z',
  appt_end: '2025-10-01T16:00:00Z',
  service_codes: ['OIL001'],
  notes: 'Customer prefers synthetic',
};
/** The seed runbook's customer and vehicle (scripts/seed.ts). */
export const CUSTOMER_EXAMPLE = {
  id: '1',
  name: 'Ada Lovelace',
  phone: '+1-555-0101',
  email: 'ada@example.com',
};
export const VEHICLE_EXAMPLE = {
  id: '1',
  customer_id: '1',
  year: 2019,
  make: 'Toyota',
  model: 'Camry',
  plate: '7ABC123',
};
export const TECHNICIAN_EXAMPLE = { id: 'T1', name: 'Marco Diaz' };
export const MOVE_EXAMPLE = { to_status: 'in_progress', expected_version: 1, from_status: 'scheduled' };

export const API_CONTRACT: Record<string, RouteContract> = {
  'GET /healthz': {
    operationId: 'getHealth',
    summary: 'Liveness of the API and its two dependencies',
    tag: 'health',
    responses: {
      200: { description: 'Both checks pass', data: healthSchema },
      503: {
        description: 'A dependency is unreachable; details.checks names it',
        codes: ['dependency_unavailable'],
      },
    },
  },
  'GET /api/openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    description: 'The OpenAPI 3.1 document, generated from the zod schemas the handlers validate with.',
    tag: 'meta',
    responses: {
      200: {
        description: 'The OpenAPI document (not wrapped in the envelope)',
        raw: z.looseObject({
          openapi: z.literal('3.1.0'),
          info: z.looseObject({ title: z.string(), version: z.string() }),
          paths: z.record(z.string(), z.unknown()),
        }),
      },
    },
  },
  'GET /api/me': {
    operationId: 'getMe',
    summary: 'Who the caller is',
    description:
      'The role decides what the caller may do (viewer: reads; staff: moves and notes; admin: all).',
    tag: 'meta',
    responses: {
      200: { description: 'The caller', data: meSchema },
    },
  },
  'POST /api/admin/customers': {
    operationId: 'createCustomer',
    summary: 'Add a customer',
    tag: 'shop',
    body: { schema: createCustomerSchema, example: CUSTOMER_EXAMPLE },
    responses: {
      201: { description: 'Created', data: customerSchema },
      400: bad400('A bad body'),
      409: { description: 'A customer with that id exists (details.id)', codes: ['already_exists'] },
      413: tooLarge,
    },
  },
  'GET /api/admin/customers': {
    operationId: 'searchCustomers',
    summary: 'Find customers by name, phone or email prefix',
    description:
      'Case-insensitive prefix of the name (or of a later word of it), of the phone digits, or of the email; at most 20, by name. Served by prefix keys written with each customer, never a scan.',
    tag: 'shop',
    query: {
      schema: customerSearchQuerySchema,
      descriptions: { q: 'At least 2 characters: the start of a name, a phone number or an email.' },
    },
    responses: {
      200: { description: 'The matching customers (at most 20)', data: customerSchema.array() },
      400: {
        description: 'q missing or shorter than 2 characters, or an unknown query field',
        codes: ['validation_error'],
      },
    },
  },
  'GET /api/admin/customers/{id}': {
    operationId: 'getCustomer',
    summary: 'One customer',
    tag: 'shop',
    pathParams: customerId,
    responses: {
      200: { description: 'The customer', data: customerSchema },
      404: { description: 'No customer with that id', codes: ['not_found'] },
    },
  },
  'GET /api/admin/customers/{id}/vehicles': {
    operationId: 'listCustomerVehicles',
    summary: "A customer's vehicles, oldest first",
    tag: 'shop',
    pathParams: customerId,
    responses: {
      200: { description: 'The vehicles', data: vehicleSchema.array() },
      404: { description: 'No customer with that id', codes: ['not_found'] },
    },
  },
  'POST /api/admin/vehicles': {
    operationId: 'createVehicle',
    summary: "Add a customer's vehicle",
    tag: 'shop',
    body: { schema: createVehicleSchema, example: VEHICLE_EXAMPLE },
    responses: {
      201: { description: 'Created', data: vehicleSchema },
      400: bad400('A bad body'),
      409: { description: 'A vehicle with that id exists (details.id)', codes: ['already_exists'] },
      413: tooLarge,
      422: { description: 'No customer with customer_id (details.customer_id)', codes: ['unprocessable'] },
    },
  },
  'POST /api/admin/technicians': {
    operationId: 'createTechnician',
    summary: 'Add a technician (active unless active: false)',
    tag: 'shop',
    body: { schema: createTechnicianSchema, example: TECHNICIAN_EXAMPLE },
    responses: {
      201: { description: 'Created', data: technicianSchema },
      400: bad400('A bad body'),
      409: { description: 'A technician with that id exists (details.id)', codes: ['already_exists'] },
      413: tooLarge,
    },
  },
  'GET /api/admin/technicians': {
    operationId: 'listTechnicians',
    summary: 'Every technician, active ones first',
    tag: 'shop',
    responses: { 200: { description: 'The technicians', data: technicianSchema.array() } },
  },
  'GET /api/admin/services': {
    operationId: 'listServices',
    summary: 'The service catalog',
    tag: 'shop',
    responses: { 200: { description: 'Every service', data: serviceSchema.array() } },
  },
  'POST /api/admin/appointments': {
    operationId: 'createAppointment',
    summary: 'Book an appointment (scheduled, version 1)',
    tag: 'shop',
    body: { schema: createAppointmentSchema, example: BOOKING_EXAMPLE },
    responses: {
      201: { description: 'Booked', data: appointmentSchema, headers: ['Location'] },
      400: bad400('A bad body'),
      413: tooLarge,
      422: {
        description:
          'Unknown customer, vehicle or service code, a vehicle of another customer, or appt_end not after appt_start; details name each',
        codes: ['unprocessable'],
      },
    },
  },
  'GET /api/admin/appointments/board': {
    operationId: 'getBoard',
    summary: 'The status board: six columns of cards',
    description: `For one day or at most ${MAX_BOARD_DAYS} days. Send the ETag back in If-None-Match to get a bodiless 304 while nothing changed.`,
    tag: 'board',
    query: {
      schema: boardQuerySchema,
      descriptions: {
        ...rangeQuery(MAX_BOARD_DAYS).descriptions,
        technician_id: `Only this technician's cards (${NO_TECHNICIAN}: the unassigned ones); the six columns and their counts stay.`,
      },
    },
    maxDays: MAX_BOARD_DAYS,
    responses: {
      200: { description: 'The board', data: boardSchema, headers: ['ETag'] },
      304: { description: 'Unchanged since the ETag sent in If-None-Match', headers: ['ETag'] },
      400: rangeErrors(MAX_BOARD_DAYS),
      422: {
        description: 'No technician with technician_id (details.technician_id)',
        codes: ['unprocessable'],
      },
    },
  },
  'GET /api/admin/appointments/{id}': {
    operationId: 'getAppointment',
    summary: 'One appointment',
    tag: 'shop',
    pathParams: appointmentId,
    responses: {
      200: { description: 'The appointment', data: appointmentSchema },
      404: { description: 'No appointment with that id', codes: ['not_found'] },
    },
  },
  'GET /api/admin/appointments/{id}/history': {
    operationId: 'getAppointmentHistory',
    summary: "A card's history, newest first",
    description: 'Every change to the card with who made it; the versions are exactly 1..version.',
    tag: 'shop',
    pathParams: appointmentId,
    query: {
      schema: historyQuerySchema,
      descriptions: {
        limit: 'Entries per page, 1 to 100 (default 20).',
        cursor: 'The next_cursor of the previous page, as given.',
      },
    },
    responses: {
      200: { description: 'A page of entries', data: historyPageSchema },
      400: { description: 'A bad limit or cursor, or an unknown query field', codes: ['validation_error'] },
      404: { description: 'No appointment with that id', codes: ['not_found'] },
    },
  },
  'PATCH /api/admin/appointments/{id}': {
    operationId: 'updateAppointment',
    summary: 'Edit notes, technician, times or services (status changes only through moves)',
    tag: 'shop',
    pathParams: appointmentId,
    body: {
      schema: patchAppointmentSchema,
      example: { expected_version: 1, notes: 'Customer prefers synthetic' },
    },
    responses: {
      200: { description: 'Edited: the card at version + 1', data: appointmentSchema },
      400: bad400('A bad body, or nothing to change'),
      404: { description: 'No appointment with that id', codes: ['not_found'] },
      409: {
        description: 'expected_version is stale (details.current_version)',
        codes: ['version_conflict'],
      },
      413: tooLarge,
      422: {
        description:
          'Unknown service code, appt_end not after appt_start, or an unknown or inactive technician_id (details name each)',
        codes: ['unprocessable'],
      },
    },
  },
  'POST /api/admin/appointments/{id}/move': {
    operationId: 'submitMove',
    summary: 'Move a card to another column (decided asynchronously)',
    description:
      'Answers 202 at once; poll the Location for the outcome. Send your own move_id to make retries safe: re-POSTing it returns the same move (200 once decided). A 503 means unknown, not failed: re-POST the same body.',
    tag: 'moves',
    pathParams: appointmentId,
    body: { schema: submitMoveSchema, example: MOVE_EXAMPLE },
    responses: {
      200: { description: 'A re-POST of a move already decided', data: moveSchema, headers: ['Location'] },
      202: { description: 'Accepted: pending', data: pendingMoveSchema, headers: ['Location'] },
      400: bad400('A bad body'),
      404: { description: 'No appointment with that id', codes: ['not_found'] },
      409: {
        description: 'The move_id was used for a different request',
        codes: ['idempotency_key_reused'],
      },
      413: tooLarge,
      422: { description: 'Unknown status name (details name the field)', codes: ['unprocessable'] },
      503: {
        description:
          'The queue did not confirm the move; it stays pending (details.move_id, details.status): re-POST the same body',
        codes: ['service_unavailable'],
        headers: ['Retry-After'],
      },
    },
  },
  'GET /api/admin/moves/{move_id}': {
    operationId: 'getMove',
    summary: "A move's outcome, optionally long-polled",
    tag: 'moves',
    pathParams: {
      move_id: { schema: moveIdSchema, description: 'A UUID or ULID; anything else is a 404.' },
    },
    query: {
      schema: movePollQuerySchema,
      descriptions: {
        wait_ms: 'Hold the request up to this many milliseconds until the move leaves pending.',
      },
    },
    responses: {
      200: { description: 'The move (pending if still undecided when wait_ms ran out)', data: moveSchema },
      400: {
        description: 'wait_ms is not an integer from 0 to 10000, or an unknown query field',
        codes: ['validation_error'],
      },
      404: { description: 'No move with that id', codes: ['not_found'] },
    },
  },
  'GET /api/admin/dashboard/stats': {
    operationId: 'getStats',
    summary: 'Dashboard figures for a day or a range',
    description: `For one day or at most ${MAX_STATS_DAYS} days; ETag / 304 like the board.`,
    tag: 'board',
    query: rangeQuery(MAX_STATS_DAYS),
    maxDays: MAX_STATS_DAYS,
    responses: {
      200: { description: 'The figures', data: dashboardStatsSchema, headers: ['ETag'] },
      304: { description: 'Unchanged since the ETag sent in If-None-Match', headers: ['ETag'] },
      400: rangeErrors(MAX_STATS_DAYS),
    },
  },
};
