/** Customers, vehicles, the catalog and appointments: parse, call the use case, shape the response. */
import {
  appointmentSchema,
  customerSchema,
  serviceSchema,
  technicianSchema,
  vehicleSchema,
} from '../../domain/api-schemas';
import {
  createAppointmentSchema,
  createCustomerSchema,
  createTechnicianSchema,
  createVehicleSchema,
  customerSearchQuerySchema,
  idSchema,
  patchAppointmentSchema,
} from '../../domain/schemas';
import {
  addCustomer,
  addTechnician,
  addVehicle,
  bookAppointment,
  editAppointment,
  findCustomers,
  getAppointment,
  getCustomer,
  getCustomerVehicles,
  listTechnicians as allTechnicians,
} from '../../domain/use-cases/shop';
import { NotFoundError } from '../../domain/errors';
import { presentAppointment } from '../../domain/appointment';
import type { RouteHandler } from './http-types';
import { ok, parseInput } from './response';

/** An id in the path that cannot exist is a 404, not a 400. */
export function pathId(params: Record<string, string>, name = 'id', what = 'appointment'): string {
  const id = params[name] ?? '';
  if (!idSchema.safeParse(id).success) throw new NotFoundError(`no ${what} with id ${id}`, { id });
  return id;
}

export const createCustomer: RouteHandler = async ({ body, deps }) =>
  ok(customerSchema, await addCustomer(deps, parseInput(createCustomerSchema, body, 'body')), 201);

export const searchCustomers: RouteHandler = async ({ query, deps }) =>
  ok(
    customerSchema.array(),
    await findCustomers(deps, parseInput(customerSearchQuerySchema, query, 'query').q),
  );

export const readCustomer: RouteHandler = async ({ params, deps }) =>
  ok(customerSchema, await getCustomer(deps, pathId(params, 'id', 'customer')));

export const listCustomerVehicles: RouteHandler = async ({ params, deps }) =>
  ok(vehicleSchema.array(), await getCustomerVehicles(deps, pathId(params, 'id', 'customer')));

export const createVehicle: RouteHandler = async ({ body, deps }) =>
  ok(vehicleSchema, await addVehicle(deps, parseInput(createVehicleSchema, body, 'body')), 201);

export const createTechnician: RouteHandler = async ({ body, deps }) =>
  ok(technicianSchema, await addTechnician(deps, parseInput(createTechnicianSchema, body, 'body')), 201);

export const listTechnicians: RouteHandler = async ({ deps }) =>
  ok(technicianSchema.array(), await allTechnicians(deps));

export const listServices: RouteHandler = async ({ deps }) => {
  const services = await deps.shop.listServices();
  return ok(
    serviceSchema.array(),
    services.map(({ code, name, price_cents, duration_minutes }) => ({
      code,
      name,
      price_cents,
      duration_minutes,
    })),
  );
};

export const createAppointment: RouteHandler = async ({ body, deps, caller }) => {
  const appt = await bookAppointment(deps, parseInput(createAppointmentSchema, body, 'body'), caller);
  return ok(appointmentSchema, presentAppointment(appt), 201, {
    location: `/api/admin/appointments/${appt.id}`,
  });
};

export const readAppointment: RouteHandler = async ({ params, deps }) =>
  ok(appointmentSchema, presentAppointment(await getAppointment(deps, pathId(params))));

export const updateAppointment: RouteHandler = async ({ params, body, deps, caller }) =>
  ok(
    appointmentSchema,
    presentAppointment(
      await editAppointment(deps, pathId(params), parseInput(patchAppointmentSchema, body, 'body'), caller),
    ),
  );
