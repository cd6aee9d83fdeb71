/**
 * The ports the use cases need, in the domain's terms. infra/ implements them (DynamoDB, SQS);
 * nothing here knows a key layout or an SDK.
 */
import type { Appointment, BoardItem, StatsItem } from './appointment';
import type { Service } from './catalog';
import type { Customer, Vehicle } from './customer';
import type { HistoryEntry } from './history';
import type { FailureReason, MoveRecord } from './move';
import type { StatsFigures } from './stats';
import type { StatsCard, StoredDayStats } from './stats-days';
import type { Technician } from './technician';

export interface ShopRepository {
  /** Creates the customer; throws AlreadyExistsError when the id is taken. */
  createCustomer(customer: Customer): Promise<void>;
  getCustomer(id: string): Promise<Customer | undefined>;
  /**
   * Customers one of whose search keys (customerSearchKeys) starts with one of `terms`: at most
   * `limit` keys read per term, so a search is bounded however many customers match.
   */
  searchCustomers(terms: readonly string[], limit: number): Promise<Customer[]>;
  /** The customer's vehicles (those written with their customer link). */
  listVehicles(customerId: string): Promise<Vehicle[]>;
  createVehicle(vehicle: Vehicle): Promise<void>;
  getVehicle(id: string): Promise<Vehicle | undefined>;
  /** Creates the technician; throws AlreadyExistsError when the id is taken. */
  createTechnician(technician: Technician): Promise<void>;
  getTechnician(id: string): Promise<Technician | undefined>;
  /** Every technician, in no particular order (a shop has a handful). */
  listTechnicians(): Promise<Technician[]>;
  listServices(): Promise<Service[]>;
  putServices(services: readonly Service[]): Promise<void>;
  /**
   * Creates the card and its history entries (normally one, `created`) in one transaction;
   * AlreadyExistsError when the id is taken.
   */
  createAppointment(appt: Appointment, history: readonly HistoryEntry[]): Promise<void>;
  getAppointment(id: string): Promise<Appointment | undefined>;
  /**
   * Writes `next` and its history entry in one transaction, only if the stored version is still
   * `expectedVersion`; else VersionConflictError.
   */
  updateAppointment(next: Appointment, expectedVersion: number, entry: HistoryEntry): Promise<void>;
  /** A card's history entries, newest first, from below `beforeVersion` (or the newest). */
  listHistory(id: string, limit: number, beforeVersion?: number): Promise<HistoryEntry[]>;
  /** Board cards whose appt_start falls on the given UTC days (an index query per day). */
  boardItems(days: readonly string[]): Promise<BoardItem[]>;
  /** The stats projection of appointments from `from` to `to` (inclusive days). */
  statsItems(from: string, to: string): Promise<StatsItem[]>;
  ping(): Promise<void>;
}

/** The result of trying to record a new move. */
export type RecordMoveResult =
  { kind: 'created' } | { kind: 'exists'; record: MoveRecord } | { kind: 'appointment_not_found' };

export interface MoveRepository {
  /** Records a pending move if the appointment exists and the move_id is new. */
  recordPendingMove(record: MoveRecord): Promise<RecordMoveResult>;
  getMove(moveId: string, consistent?: boolean): Promise<MoveRecord | undefined>;
  /** Reads the move and its card together, strongly consistent. */
  getMoveAndCard(moveId: string, appointmentId: string): Promise<{ move?: MoveRecord; card?: Appointment }>;
  /**
   * Atomically writes the moved card (only if its version is still `readVersion`), the settled
   * move (only if still pending) and the card's history entry for the new version (only if there
   * is none yet). Idempotent per move_id.
   */
  commitAppliedMove(
    card: Appointment,
    readVersion: number,
    settled: MoveRecord,
    entry: HistoryEntry,
  ): Promise<CommitResult>;
  /** Settles a move that changes no card (noop, conflict, rejected), only if still pending. */
  settleMove(settled: MoveRecord): Promise<'settled' | 'already_settled'>;
  /**
   * Settles a pending move `failed` with `reason` (only if still pending), from its id alone: the
   * sweeper and the worker may hold only part of the record.
   */
  failPendingMove(moveId: string, reason: FailureReason, at: string): Promise<'settled' | 'already_settled'>;
  /**
   * Notes that a pending move was sent again at `at` and when the sweeper should next look at it
   * (no-op once settled).
   */
  markResent(moveId: string, at: string, sweepDueAt: string): Promise<void>;
  /** Pending moves whose sweep is due before `now`, oldest due first. */
  listDueMoves(now: string, limit: number): Promise<MoveRecord[]>;
}

export type CommitResult =
  | { kind: 'committed' }
  | { kind: 'already_settled' }
  /** The card changed between read and write; `card` is its state now, when known. */
  | { kind: 'card_changed'; card?: Appointment };

export interface MoveQueue {
  /**
   * Sends the move's message. `resend` marks a second or later send: it gets a deduplication id of its
   * own, because SQS silently drops a message whose id it saw in the last 5 minutes, even one it already
   * delivered and deleted (a lost response, a dead-lettered message, an emulator restart).
   */
  sendMove(record: MoveRecord, opts?: { resend?: boolean }): Promise<void>;
  ping(): Promise<void>;
}

/** Figures of one day to store, with the rev read before they were computed. */
export interface StatsDayEntry {
  day: string;
  figures: StatsFigures;
  rev: number;
  computed_at: string;
  catalog: string;
}

/** The card write a bump records: the card and the version that write gives it. */
export interface CardVersion {
  id: string;
  version: number;
}

/** Stored figures of settled days (see stats-days.ts for when they may be trusted). */
export interface StatsDayStore {
  /**
   * The stored entries of the days from `from` to `to` that have one, by day, with the cards
   * their writes recorded (strongly consistent).
   */
  readDays(from: string, to: string): Promise<Map<string, StoredDayStats>>;
  /** The cards with these ids as the table holds them now (strongly consistent); absent ids left out. */
  readCards(ids: readonly string[]): Promise<Map<string, StatsCard>>;
  /**
   * Stores each day's figures as computed while the day's rev was `rev` (if the rev has moved
   * since, they are simply never used). Best effort: a failure is logged and leaves the day to be
   * read live next time.
   */
  saveDays(entries: readonly StatsDayEntry[]): Promise<void>;
  /**
   * Bumps the days' rev (so figures stored before are no longer used), sets changed_at = `at`,
   * and records that `card` reaches `card.version` on each of them, in one update per day.
   */
  touchDays(days: readonly string[], at: string, card: CardVersion): Promise<void>;
}

/** Where a use case reports a problem it works around (the infra logger fits). */
export interface WarnLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface Clock {
  now(): Date;
}
