/**
 * Use cases for customers, vehicles, appointments, the board and the stats. Each validates
 * against the domain rules and calls the repository port; none knows HTTP or DynamoDB.
 */
import { createAppointment, patchAppointment, type Appointment } from '../appointment';
import { assembleBoard, type Board } from '../board';
import type { Customer, Vehicle } from '../customer';
import { checkDayRange, daysBetween } from '../days';
import { NotFoundError, UnprocessableError } from '../errors';
import type { ShopRepository } from '../ports';
import {
  MAX_BOARD_DAYS,
  MAX_STATS_DAYS,
  type CreateAppointmentInput,
  type CreateCustomerInput,
  type CreateVehicleInput,
  type PatchAppointmentInput,
} from '../schemas';
import { computeStats, type DashboardStats } from '../stats';

export interface ShopDeps {
  shop: ShopRepository;
  newId(): string;
  now(): string;
}

export async function addCustomer(deps: ShopDeps, input: CreateCustomerInput): Promise<Customer> {
  const customer: Customer = {
    id: input.id ?? deps.newId(),
    name: input.name,
    phone: input.phone ?? null,
    email: input.email ?? null,
    created_at: deps.now(),
  };
  await deps.shop.createCustomer(customer);
  return customer;
}

export async function addVehicle(deps: ShopDeps, input: CreateVehicleInput): Promise<Vehicle> {
  if (!(await deps.shop.getCustomer(input.customer_id))) {
    throw new UnprocessableError('the vehicle cannot be created', {
      customer_id: `no customer with id ${input.customer_id}`,
    });
  }
  const vehicle: Vehicle = {
    id: input.id ?? deps.newId(),
    customer_id: input.customer_id,
    year: input.year ?? null,
    make: input.make,
    model: input.model,
    vin: input.vin ?? null,
    plate: input.plate ?? null,
    created_at: deps.now(),
  };
  await deps.shop.createVehicle(vehicle);
  return vehicle;
}

/** Steps: read customer, vehicle and catalog in parallel; apply the rules; write the card. */
export async function bookAppointment(deps: ShopDeps, input: CreateAppointmentInput): Promise<Appointment> {
  const [customer, vehicle, catalog] = await Promise.all([
    deps.shop.getCustomer(input.customer_id),
    deps.shop.getVehicle(input.vehicle_id),
    deps.shop.listServices(),
  ]);
  const appt = createAppointment(input, { customer, vehicle, catalog }, deps.newId(), deps.now());
  await deps.shop.createAppointment(appt);
  return appt;
}

export async function getAppointment(deps: ShopDeps, id: string): Promise<Appointment> {
  const appt = await deps.shop.getAppointment(id);
  if (!appt) throw new NotFoundError(`no appointment with id ${id}`, { id });
  return appt;
}

/** Steps: read the card; check the caller's version and the edit; write conditionally on version. */
export async function editAppointment(
  deps: ShopDeps,
  id: string,
  patch: PatchAppointmentInput,
): Promise<Appointment> {
  const [current, catalog] = await Promise.all([deps.shop.getAppointment(id), deps.shop.listServices()]);
  if (!current) throw new NotFoundError(`no appointment with id ${id}`, { id });
  const next = patchAppointment(current, patch, catalog, deps.now());
  await deps.shop.updateAppointment(next, current.version);
  return next;
}

export async function getBoard(
  deps: Pick<ShopDeps, 'shop'>,
  range: { from: string; to: string },
): Promise<Board> {
  checkDayRange(range, MAX_BOARD_DAYS);
  const items = await deps.shop.boardItems(daysBetween(range.from, range.to));
  return assembleBoard(range.from, range.to, items);
}

export async function getStats(
  deps: Pick<ShopDeps, 'shop'>,
  range: { from: string; to: string },
): Promise<DashboardStats> {
  checkDayRange(range, MAX_STATS_DAYS);
  const [items, catalog] = await Promise.all([
    deps.shop.statsItems(range.from, range.to),
    deps.shop.listServices(),
  ]);
  return computeStats(range.from, range.to, items, catalog);
}
