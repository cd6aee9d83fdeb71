/**
 * Use cases for customers, vehicles, appointments, the board and the stats. Each validates
 * against the domain rules and calls the repository port; none knows HTTP or DynamoDB.
 */
import { createAppointment, patchAppointment, type Appointment, type StatsItem } from '../appointment';
import { assembleBoard, type Board } from '../board';
import {
  MAX_CUSTOMER_MATCHES,
  customerSearchTerms,
  rankMatches,
  type Customer,
  type Vehicle,
} from '../customer';
import { checkDayRange, dayOf, daysBetween } from '../days';
import { NotFoundError, UnprocessableError } from '../errors';
import { sortTechnicians, type Technician } from '../technician';
import { createdEntry, editedEntry, historyPage, type HistoryEntry } from '../history';
import type { Actor } from '../roles';
import type { CardVersion, ShopRepository, StatsDayStore, WarnLog } from '../ports';
import {
  MAX_BOARD_DAYS,
  MAX_STATS_DAYS,
  NO_TECHNICIAN,
  type BoardQuery,
  type CreateAppointmentInput,
  type CreateTechnicianInput,
  type CreateCustomerInput,
  type CreateVehicleInput,
  type PatchAppointmentInput,
} from '../schemas';
import {
  catalogFingerprint,
  figuresByDay,
  statsFromFigures,
  type DashboardStats,
  type StatsFigures,
} from '../stats';
import {
  dayRuns,
  daysToTouch,
  isSettled,
  mayStoreFigures,
  reconcileDay,
  usableFigures,
  type ReconciledDay,
  type StatsCard,
} from '../stats-days';

export interface ShopDeps {
  shop: ShopRepository;
  /** The shop's time zone (SHOP_TIMEZONE): every day here is a local day of it. */
  timeZone: string;
  statsDays: StatsDayStore;
  log: WarnLog;
  newId(): string;
  now(): string;
}

/**
 * Runs a card write that gives `card` its version and changes cards of `days`, bumping the stats
 * rev of those days that are settled or nearly so (stats-days.ts) and recording the card's new
 * version on them: before the write, so a reader cannot store figures that miss it however the
 * index lags and whether or not this writer survives the write; and after it, so figures a reader
 * computed in between are retired too.
 */
async function withStatsDaysTouched<T>(
  deps: Pick<ShopDeps, 'statsDays' | 'log' | 'now' | 'timeZone'>,
  days: readonly string[],
  card: CardVersion,
  write: () => Promise<T>,
): Promise<T> {
  const touched = daysToTouch(days, Date.parse(deps.now()), deps.timeZone);
  if (touched.length === 0) return write();
  await deps.statsDays.touchDays(touched, deps.now(), card);
  const result = await write();
  try {
    await deps.statsDays.touchDays(touched, deps.now(), card);
  } catch (err) {
    // Nothing goes stale: the first bump recorded the version, so a reader stores the day only
    // once it reads the card at it from the table.
    deps.log.warn('stats days not marked changed after the write', { days: touched, err });
  }
  return result;
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

/**
 * Customers whose name (or a later word of it), phone or email starts with `q`, case-insensitive:
 * one bounded prefix read per form of `q`, at most MAX_CUSTOMER_MATCHES, by name.
 */
export async function findCustomers(deps: Pick<ShopDeps, 'shop'>, q: string): Promise<Customer[]> {
  // A customer has a few keys; reading this many per term leaves room for 20 distinct customers.
  const found = await deps.shop.searchCustomers(customerSearchTerms(q), MAX_CUSTOMER_MATCHES * 6);
  return rankMatches(found);
}

export async function getCustomer(deps: Pick<ShopDeps, 'shop'>, id: string): Promise<Customer> {
  const customer = await deps.shop.getCustomer(id);
  if (!customer) throw new NotFoundError(`no customer with id ${id}`, { id });
  return customer;
}

/** Steps, in parallel: the customer (404 when there is none) and its vehicles. */
export async function getCustomerVehicles(deps: Pick<ShopDeps, 'shop'>, id: string): Promise<Vehicle[]> {
  const [customer, vehicles] = await Promise.all([deps.shop.getCustomer(id), deps.shop.listVehicles(id)]);
  if (!customer) throw new NotFoundError(`no customer with id ${id}`, { id });
  return vehicles.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
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

export async function addTechnician(deps: ShopDeps, input: CreateTechnicianInput): Promise<Technician> {
  const technician: Technician = {
    id: input.id ?? deps.newId(),
    name: input.name,
    active: input.active ?? true,
    created_at: deps.now(),
  };
  await deps.shop.createTechnician(technician);
  return technician;
}

/** Every technician, active ones first. */
export async function listTechnicians(deps: Pick<ShopDeps, 'shop'>): Promise<Technician[]> {
  return sortTechnicians(await deps.shop.listTechnicians());
}

/** Steps: read customer, vehicle and catalog in parallel; apply the rules; write the card with its `created` entry. */
export async function bookAppointment(
  deps: ShopDeps,
  input: CreateAppointmentInput,
  by: Actor,
): Promise<Appointment> {
  const [customer, vehicle, catalog] = await Promise.all([
    deps.shop.getCustomer(input.customer_id),
    deps.shop.getVehicle(input.vehicle_id),
    deps.shop.listServices(),
  ]);
  const appt = createAppointment(input, { customer, vehicle, catalog }, deps.newId(), deps.now());
  await withStatsDaysTouched(deps, [dayOf(appt.appt_start, deps.timeZone)], appt, () =>
    deps.shop.createAppointment(appt, [createdEntry(appt, by)]),
  );
  return appt;
}

export async function getAppointment(deps: ShopDeps, id: string): Promise<Appointment> {
  const appt = await deps.shop.getAppointment(id);
  if (!appt) throw new NotFoundError(`no appointment with id ${id}`, { id });
  return appt;
}

/**
 * Steps: read the card, the catalog and the technician the edit names (if any) in parallel; check
 * the caller's version and the edit; write it with its `edited` entry, conditionally on version.
 */
export async function editAppointment(
  deps: ShopDeps,
  id: string,
  patch: PatchAppointmentInput,
  by: Actor,
): Promise<Appointment> {
  const [current, catalog, technician] = await Promise.all([
    deps.shop.getAppointment(id),
    deps.shop.listServices(),
    typeof patch.technician_id === 'string' ? deps.shop.getTechnician(patch.technician_id) : undefined,
  ]);
  if (!current) throw new NotFoundError(`no appointment with id ${id}`, { id });
  const next = patchAppointment(current, patch, catalog, deps.now(), technician);
  await withStatsDaysTouched(
    deps,
    [dayOf(current.appt_start, deps.timeZone), dayOf(next.appt_start, deps.timeZone)],
    next,
    () => deps.shop.updateAppointment(next, current.version, editedEntry(current, next, by)),
  );
  return next;
}

/**
 * Steps, in parallel: read the card (404 when there is none) and a page of its history below the
 * cursor's version, newest first.
 */
export async function getHistory(
  deps: Pick<ShopDeps, 'shop'>,
  id: string,
  page: { limit: number; beforeVersion?: number },
): Promise<{ appointment_id: string; version: number; entries: HistoryEntry[]; next_cursor: string | null }> {
  const [card, entries] = await Promise.all([
    deps.shop.getAppointment(id),
    deps.shop.listHistory(id, page.limit, page.beforeVersion),
  ]);
  if (!card) throw new NotFoundError(`no appointment with id ${id}`, { id });
  return { appointment_id: id, version: card.version, ...historyPage(entries) };
}

/**
 * Steps: check the range; read its days' cards and, with a technician filter naming one, that
 * technician (422 when there is none) in parallel; keep that technician's cards (`none`: the
 * unassigned ones) and lay them out in the six columns.
 */
export async function getBoard(deps: Pick<ShopDeps, 'shop' | 'timeZone'>, query: BoardQuery): Promise<Board> {
  checkDayRange(query, MAX_BOARD_DAYS);
  const filter = query.technician_id;
  const [items, technician] = await Promise.all([
    deps.shop.boardItems(daysBetween(query.from, query.to)),
    filter && filter !== NO_TECHNICIAN ? deps.shop.getTechnician(filter) : undefined,
  ]);
  if (filter && filter !== NO_TECHNICIAN && !technician) {
    throw new UnprocessableError('unknown technician', { technician_id: `no technician with id ${filter}` });
  }
  const wanted = filter === NO_TECHNICIAN ? null : filter;
  const shown =
    filter === undefined ? items : items.filter((item) => (item.technician_id ?? null) === wanted);
  return assembleBoard(query.from, query.to, shown, deps.timeZone);
}

/**
 * Steps, in parallel: read the stored figures of the range's settled days (one small query a
 * month, with the cards recent writes recorded), the catalog, and the appointments of its days
 * that are not settled (today, future days) from the index. Then, for the settled days without
 * usable figures (never stored, or changed since), in parallel: read them from the index (one
 * query per run of such days) and read their recorded cards from the table. Take those cards from
 * the table rather than the index, store the days whose recorded cards all are at their recorded
 * version, and add everything up.
 */
export async function getStats(
  deps: Pick<ShopDeps, 'shop' | 'statsDays' | 'log' | 'now' | 'timeZone'>,
  range: { from: string; to: string },
): Promise<DashboardStats> {
  const { timeZone } = deps;
  checkDayRange(range, MAX_STATS_DAYS);
  const now = deps.now();
  const nowMs = Date.parse(now);
  const days = daysBetween(range.from, range.to);
  const settled = days.filter((day) => isSettled(day, nowMs, timeZone));
  const unsettled = days.filter((day) => !isSettled(day, nowMs, timeZone));
  const readRuns = (runDays: string[]) =>
    Promise.all(dayRuns(runDays).map((run) => deps.shop.statsItems(run.from, run.to)));
  const [stored, catalog, unsettledItems] = await Promise.all([
    settled.length > 0
      ? deps.statsDays.readDays(settled[0] as string, settled.at(-1) as string)
      : new Map<string, never>(),
    deps.shop.listServices(),
    readRuns(unsettled),
  ]);
  const fingerprint = catalogFingerprint(catalog);
  const parts: StatsFigures[] = [];
  const missing: string[] = [];
  for (const day of settled) {
    const figures = usableFigures(stored.get(day), nowMs, fingerprint, timeZone);
    if (figures) parts.push(figures);
    else missing.push(day);
  }
  const recordedIds = missing.flatMap((day) => [...(stored.get(day)?.cards?.keys() ?? [])]);
  const [missingRows, current] = await Promise.all([readRuns(missing), readRecordedCards(deps, recordedIds)]);
  const rowsByDay = new Map<string, StatsItem[]>();
  for (const row of missingRows.flat()) {
    const day = dayOf(row.appt_start, timeZone);
    const list = rowsByDay.get(day) ?? [];
    list.push(row);
    rowsByDay.set(day, list);
  }
  const reconciled = new Map(
    missing.map((day) => [
      day,
      reconcileDay(day, rowsByDay.get(day) ?? [], stored.get(day)?.cards, current, timeZone),
    ]),
  );
  const computed = figuresByDay(
    [...missing, ...unsettled],
    [...unsettledItems.flat(), ...[...reconciled.values()].flatMap((r) => r.items)],
    catalog,
    timeZone,
  );
  parts.push(...computed.values());
  const toStore = missing.filter((day) =>
    mayStoreFigures(day, reconciled.get(day) as ReconciledDay, nowMs, timeZone),
  );
  if (toStore.length > 0) {
    await deps.statsDays.saveDays(
      toStore.map((day) => ({
        day,
        figures: computed.get(day) as StatsFigures,
        rev: stored.get(day)?.rev ?? 0,
        computed_at: now,
        catalog: fingerprint,
      })),
    );
  }
  return statsFromFigures(range.from, range.to, parts, timeZone);
}

/** The recorded cards as the table holds them; undefined (days read from the index alone, not stored) if that read fails. */
async function readRecordedCards(
  deps: Pick<ShopDeps, 'statsDays' | 'log'>,
  ids: readonly string[],
): Promise<ReadonlyMap<string, StatsCard> | undefined> {
  if (ids.length === 0) return new Map();
  try {
    return await deps.statsDays.readCards(ids);
  } catch (err) {
    deps.log.warn('recorded cards of settled days not read; those days are not stored', { err });
    return undefined;
  }
}
