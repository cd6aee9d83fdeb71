/**
 * The single table's layout: keys, indexes, and how each entity maps onto them.
 * docs/data-model.md explains the access patterns; serverless/table.yml must declare the same indexes
 * (a test compares them).
 */
import type { CreateTableCommandInput, Projection } from '@aws-sdk/client-dynamodb';

export const INDEX_BY_DAY = 'by_day';
export const INDEX_BY_MONTH = 'by_month';
export const INDEX_PENDING_MOVES = 'pending_moves';
/** Pending moves spread over a few index partitions so a busy queue has no hot key. */
export const PENDING_SHARDS = 8;

/** Attributes the stats index carries: only what computeStats reads. */
export const STATS_PROJECTION = [
  'id',
  'status',
  'appt_start',
  'service_codes',
  'status_entered_at',
  'technician_id',
];
/** Attributes the pending-moves index carries: enough to re-send the message. */
export const PENDING_PROJECTION = [
  'move_id',
  'appointment_id',
  'to_status',
  'from_status',
  'expected_version',
  'submitted_at',
  'status',
];

export const HISTORY_SK_PREFIX = 'HIST#';
export const TECHNICIANS_PARTITION = 'TECHNICIANS';
export const CUSTOMER_VEHICLE_SK_PREFIX = 'VEH#';
export const customerSearchPartition = (term: string) => `CUSTQ#${term.slice(0, 2)}`;

const statsMonthPartition = (month: string) => `STATS#${month}`;

export const keys = {
  statsMonthPartition,
  customer: (id: string) => ({ PK: `CUST#${id}`, SK: 'CUSTOMER' }),
  vehicle: (id: string) => ({ PK: `VEH#${id}`, SK: 'VEHICLE' }),
  /** A vehicle's link in its customer's partition: one Query lists a customer's vehicles. */
  customerVehicle: (customerId: string, vehicleId: string) => ({
    PK: `CUST#${customerId}`,
    SK: `${CUSTOMER_VEHICLE_SK_PREFIX}${vehicleId}`,
  }),
  /**
   * A customer's search key (a normalised name, phone or email prefix source): partitioned by its
   * first two characters, sorted by the key, so a prefix search of 2+ characters is one Query with
   * begins_with on the sort key in one partition.
   */
  customerSearch: (key: string, customerId: string) => ({
    PK: customerSearchPartition(key),
    SK: `${key}#${customerId}`,
  }),
  service: (code: string) => ({ PK: 'CATALOG', SK: `SVC#${code}` }),
  /** All technicians share one partition, like the catalog: a shop has a handful, listed by one Query. */
  technician: (id: string) => ({ PK: TECHNICIANS_PARTITION, SK: `TECH#${id}` }),
  appointment: (id: string) => ({ PK: `APPT#${id}`, SK: 'APPOINTMENT' }),
  /** The table's own facts: the time zone its day keys are of (table-zone.ts). */
  tableZone: { PK: 'TABLE', SK: 'TIME_ZONE' },
  move: (id: string) => ({ PK: `MOVE#${id}`, SK: 'MOVE' }),
  /**
   * A card's history entry of one version: an item of its own in the card's partition (so a
   * Query reads a page newest first), never the card item itself, so writing it adds no
   * contention. Zero-padded, so the sort key orders versions numerically.
   */
  historyEntry: (appointmentId: string, version: number) => ({
    PK: `APPT#${appointmentId}`,
    SK: `${HISTORY_SK_PREFIX}${String(version).padStart(10, '0')}`,
  }),
  /**
   * A day's stats: its change counter (`#REV`, bumped by writers) and its stored figures (`#FIG`,
   * written by readers) are two items, so storing figures never needs a condition on the counter.
   * A month's days share a partition: one Query reads both kinds for a range.
   */
  statsDayRev: (day: string) => ({ PK: statsMonthPartition(day.slice(0, 7)), SK: `DAY#${day}#REV` }),
  statsDayFigures: (day: string) => ({ PK: statsMonthPartition(day.slice(0, 7)), SK: `DAY#${day}#FIG` }),
  dayPartition: (day: string) => `DAY#${day}`,
  monthPartition: (month: string) => `MONTH#${month}`,
  /** Sorts by start time; the id keeps keys unique. */
  startSort: (apptStart: string, id: string) => `${apptStart}#${id}`,
  pendingShard: (shard: number) => `PENDING#${shard}`,
  pendingPartition: (moveId: string) => {
    let h = 0;
    for (let i = 0; i < moveId.length; i++) h = (h * 31 + moveId.charCodeAt(i)) >>> 0;
    return `PENDING#${h % PENDING_SHARDS}`;
  },
};

export function tableDefinition(tableName: string): CreateTableCommandInput {
  const gsi = (name: string, pk: string, sk: string, projection: Projection) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: pk, KeyType: 'HASH' as const },
      { AttributeName: sk, KeyType: 'RANGE' as const },
    ],
    Projection: projection,
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK'].map(
      (name) => ({
        AttributeName: name,
        AttributeType: 'S' as const,
      }),
    ),
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      gsi(INDEX_BY_DAY, 'GSI1PK', 'GSI1SK', { ProjectionType: 'ALL' }),
      gsi(INDEX_BY_MONTH, 'GSI2PK', 'GSI2SK', {
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: STATS_PROJECTION,
      }),
      gsi(INDEX_PENDING_MOVES, 'GSI3PK', 'GSI3SK', {
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: PENDING_PROJECTION,
      }),
    ],
  };
}
