/** ShopRepository on the single table: customers, vehicles, the catalog and appointments. */
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Appointment, BoardItem, StatsItem } from '../../domain/appointment';
import type { Service } from '../../domain/catalog';
import { customerSearchKeys, type Customer, type Vehicle } from '../../domain/customer';
import { dayOf, dayRangeInstants, daysBetween } from '../../domain/days';
import { AlreadyExistsError, VersionConflictError } from '../../domain/errors';
import type { HistoryEntry } from '../../domain/history';
import type { ShopRepository } from '../../domain/ports';
import type { Technician } from '../../domain/technician';
import { sendCardTransaction } from './board-revisions';
import { historyPut, queryHistory } from './history-items';
import { appointmentItem, fromItem } from './items';
import {
  CUSTOMER_VEHICLE_SK_PREFIX,
  INDEX_BY_DAY,
  INDEX_BY_MONTH,
  TECHNICIANS_PARTITION,
  customerSearchPartition,
  keys,
} from './table';

export class DynamoDbShopRepository implements ShopRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The shop's time zone: the local days the index keys are of. */
    private readonly timeZone: string,
  ) {}

  private async getEntity<T>(key: Record<string, string>, consistent = false): Promise<T | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }),
    );
    return res.Item ? fromItem<T>(res.Item) : undefined;
  }

  /** Runs a query to the end, following LastEvaluatedKey. */
  private async queryAll<T>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
    const out: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }),
      );
      for (const item of res.Items ?? []) out.push(fromItem<T>(item));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Writes `item` only if its key is new: a conditional Put (a transaction costs twice the writes). */
  private async putNew(item: Record<string, unknown>, what: string, id: string): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new AlreadyExistsError(`a ${what} with id ${id} already exists`, { id });
      }
      throw err;
    }
  }

  /** Writes `item` only if its key is new, with `extra` items in the same transaction (all or none). */
  private async putNewWith(
    item: Record<string, unknown>,
    extra: ReadonlyArray<Record<string, unknown>>,
    what: string,
    id: string,
  ): Promise<void> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' },
            },
            ...extra.map((Item) => ({ Put: { TableName: this.tableName, Item } })),
          ],
        }),
      );
    } catch (err) {
      if (err instanceof TransactionCanceledException && cancelledOn(err, 0)) {
        throw new AlreadyExistsError(`a ${what} with id ${id} already exists`, { id });
      }
      throw err;
    }
  }

  /** The customer with its search keys (customerSearchKeys), each item a copy a search returns as is. */
  createCustomer(customer: Customer): Promise<void> {
    const searchItems = customerSearchKeys(customer).map((key) => ({
      ...keys.customerSearch(key, customer.id),
      type: 'customer_search',
      ...customer,
    }));
    return this.putNewWith(
      { ...keys.customer(customer.id), type: 'customer', ...customer },
      searchItems,
      'customer',
      customer.id,
    );
  }

  async searchCustomers(terms: readonly string[], limit: number): Promise<Customer[]> {
    const perTerm = await Promise.all(
      terms.map(async (term) => {
        const res = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
            ExpressionAttributeValues: { ':pk': customerSearchPartition(term), ':prefix': term },
            Limit: limit,
          }),
        );
        return (res.Items ?? []).map((item) => fromItem<Customer>(item));
      }),
    );
    return perTerm.flat();
  }

  listVehicles(customerId: string): Promise<Vehicle[]> {
    return this.queryAll<Vehicle>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': keys.customer(customerId).PK,
        ':prefix': CUSTOMER_VEHICLE_SK_PREFIX,
      },
    });
  }

  getCustomer(id: string): Promise<Customer | undefined> {
    return this.getEntity<Customer>(keys.customer(id));
  }

  /** The vehicle with its link in the customer's partition (listVehicles), in one transaction. */
  createVehicle(vehicle: Vehicle): Promise<void> {
    return this.putNewWith(
      { ...keys.vehicle(vehicle.id), type: 'vehicle', ...vehicle },
      [{ ...keys.customerVehicle(vehicle.customer_id, vehicle.id), type: 'customer_vehicle', ...vehicle }],
      'vehicle',
      vehicle.id,
    );
  }

  getVehicle(id: string): Promise<Vehicle | undefined> {
    return this.getEntity<Vehicle>(keys.vehicle(id));
  }

  createTechnician(technician: Technician): Promise<void> {
    return this.putNew(
      { ...keys.technician(technician.id), type: 'technician', ...technician },
      'technician',
      technician.id,
    );
  }

  getTechnician(id: string): Promise<Technician | undefined> {
    return this.getEntity<Technician>(keys.technician(id), true);
  }

  listTechnicians(): Promise<Technician[]> {
    return this.queryAll<Technician>({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': TECHNICIANS_PARTITION },
      ConsistentRead: true,
    });
  }

  listServices(): Promise<Service[]> {
    return this.queryAll<Service>({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': 'CATALOG' },
    });
  }

  async putServices(services: readonly Service[]): Promise<void> {
    for (let i = 0; i < services.length; i += 25) {
      const chunk = services.slice(i, i + 25);
      let requests: Record<string, unknown[]> | undefined = {
        [this.tableName]: chunk.map((s) => ({
          PutRequest: { Item: { ...keys.service(s.code), type: 'service', ...s } },
        })),
      };
      while (requests && Object.keys(requests).length > 0) {
        const res = await this.doc.send(new BatchWriteCommand({ RequestItems: requests as never }));
        requests = res.UnprocessedItems as Record<string, unknown[]> | undefined;
      }
    }
  }

  async createAppointment(appt: Appointment, history: readonly HistoryEntry[]): Promise<void> {
    try {
      await sendCardTransaction(
        this.doc,
        this.tableName,
        [
          {
            Put: {
              TableName: this.tableName,
              Item: appointmentItem(appt, this.timeZone),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...history.map((entry) => historyPut(this.tableName, appt.id, entry)),
        ],
        [dayOf(appt.appt_start, this.timeZone)],
      );
    } catch (err) {
      if (err instanceof TransactionCanceledException && cancelledOn(err, 0)) {
        throw new AlreadyExistsError(`an appointment with id ${appt.id} already exists`, { id: appt.id });
      }
      throw err;
    }
  }

  getAppointment(id: string): Promise<Appointment | undefined> {
    return this.getEntity<Appointment>(keys.appointment(id), true);
  }

  async updateAppointment(
    next: Appointment,
    expectedVersion: number,
    entry: HistoryEntry,
    previousDay: string,
  ): Promise<void> {
    try {
      // Both days' boards change when an edit moves the card to another day.
      await sendCardTransaction(
        this.doc,
        this.tableName,
        [
          {
            Put: {
              TableName: this.tableName,
              Item: appointmentItem(next, this.timeZone),
              ConditionExpression: 'attribute_exists(PK) AND version = :v',
              ExpressionAttributeValues: { ':v': expectedVersion },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          historyPut(this.tableName, next.id, entry),
        ],
        [previousDay, dayOf(next.appt_start, this.timeZone)],
      );
    } catch (err) {
      if (err instanceof TransactionCanceledException && cancelledOn(err, 0)) {
        const item = err.CancellationReasons?.[0]?.Item;
        const current = item?.version?.N ? Number(item.version.N) : -1;
        throw new VersionConflictError(
          `appointment ${next.id} changed while being edited (now version ${current})`,
          current,
        );
      }
      throw err;
    }
  }

  listHistory(id: string, limit: number, beforeVersion?: number): Promise<HistoryEntry[]> {
    return queryHistory(this.doc, this.tableName, id, limit, beforeVersion);
  }

  async boardItems(days: readonly string[]): Promise<BoardItem[]> {
    // One query per day, all in flight together: a 31-day board costs one round trip of latency.
    const perDay = await Promise.all(days.map((day) => this.queryAll<BoardItem>(boardDayQuery(day))));
    return perDay.flat();
  }

  async statsItems(from: string, to: string): Promise<StatsItem[]> {
    // Each month partition is read in week-long slices of the sort key, all in parallel: one long
    // paginated query per month was the slow part (the bench: 31 days p95 1.6 s → 0.25 s).
    const slices = statsSlices(from, to);
    const perSlice = await Promise.all(
      slices.map((slice) => this.queryAll<StatsItem>(statsSliceQuery(slice, this.timeZone))),
    );
    return perSlice.flat();
  }

  async ping(): Promise<void> {
    await this.doc.send(new DescribeTableCommand({ TableName: this.tableName }));
  }
}

/** Whether the transaction was cancelled because item `index`'s condition failed. */
function cancelledOn(err: TransactionCanceledException, index: number): boolean {
  return err.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}

/** The by_day Query of one day with the board's projection; the bench times the same request. */
export function boardDayQuery(day: string) {
  return {
    IndexName: INDEX_BY_DAY,
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.dayPartition(day) },
    ProjectionExpression:
      'id, #s, version, appt_start, appt_end, customer_id, vehicle_id, customer_name, vehicle_label, service_codes, notes, technician_id, technician_name, status_entered_at, updated_at',
    ExpressionAttributeNames: { '#s': 'status' },
  };
}

/**
 * The by_month Query of one slice of local days (within one local month); the bench times the
 * same request. The sort key starts with appt_start (ISO-8601 UTC, as the domain normalizes it),
 * so the slice is the instants [first day's start, last day's end): 23- and 25-hour days
 * included. `BETWEEN` is inclusive: the end instant alone, with no `#id`, sorts before every key
 * of a card starting then.
 */
export function statsSliceQuery(slice: { from: string; to: string }, timeZone: string) {
  const { start, end } = dayRangeInstants(slice, timeZone);
  return {
    IndexName: INDEX_BY_MONTH,
    KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi',
    ExpressionAttributeValues: {
      ':pk': keys.monthPartition(slice.from.slice(0, 7)),
      ':lo': start,
      ':hi': end,
    },
  };
}

/** Splits [from, to] into slices of at most `days` days that never cross a month boundary. */
export function statsSlices(from: string, to: string, days = 7): Array<{ from: string; to: string }> {
  const slices: Array<{ from: string; to: string }> = [];
  let current: { from: string; to: string } | undefined;
  let length = 0;
  for (const day of daysBetween(from, to)) {
    if (current && length < days && day.slice(0, 7) === current.from.slice(0, 7)) {
      current.to = day;
      length += 1;
    } else {
      current = { from: day, to: day };
      slices.push(current);
      length = 1;
    }
  }
  return slices;
}
