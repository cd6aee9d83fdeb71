/**
 * The shop's time zone through the real handlers and DynamoDB Local: board and stats days are
 * local days of SHOP_TIMEZONE (late-evening cards and both DST days included), stored stats days
 * are keyed by them, the zone guard stops start-up and the functions over a table of another zone,
 * and `npm run reindex-days` moves a table from one zone to another.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dayRangeInstants } from '../../domain/days';
import { createMoveWorker } from '../../handlers/move-worker';
import { createApiHandler } from '../../handlers/api';
import { createSweeper } from '../../handlers/sweeper';
import { createContainer, type Container } from '../../infra/container';
import { readTableZone, writeTableZone } from '../../infra/dynamodb/table-zone';
import { keys } from '../../infra/dynamodb/table';
import { TableZoneMismatchError } from '../../infra/zone-guard';
import { loadLocalConfig } from '../../local/local-config';
import { startLocalStackFromConfig } from '../../local/run-local-stack';
import { provision } from '../../local/stack';
import { run as reindexDays } from '../../scripts/reindex-days';
import { createCustomerAndVehicle } from '../support/move-helpers';
import { localServices, startTestApp, type TestApp } from '../support/test-app';

const LA = 'America/Los_Angeles';

async function book(app: TestApp, start: string): Promise<string> {
  const { customerId, vehicleId } = await createCustomerAndVehicle(app);
  const res = await app.request('POST', '/api/admin/appointments', {
    customer_id: customerId,
    vehicle_id: vehicleId,
    appt_start: start,
    appt_end: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
    service_codes: ['OIL001'],
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return res.body.data.id;
}

async function boardIds(app: TestApp, day: string): Promise<string[]> {
  const res = await app.request('GET', `/api/admin/appointments/board?date=${day}`);
  expect(res.status).toBe(200);
  return Object.values(res.body.data.columns as Record<string, { items: Array<{ id: string }> }>)
    .flatMap((c) => c.items.map((i) => i.id))
    .sort();
}

async function stats(app: TestApp, query: string) {
  const res = await app.request('GET', `/api/admin/dashboard/stats?${query}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

/** Every item of the stats partitions of `months`, read straight from the table. */
async function statsItems(app: TestApp, months: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const month of months) {
    const res = await app.container.doc.send(
      new QueryCommand({
        TableName: app.config.TABLE_NAME,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.statsMonthPartition(month) },
        ConsistentRead: true,
      }),
    );
    out.push(...(res.Items ?? []).map((i) => `${i.PK}/${i.SK}`));
  }
  return out.sort();
}

/** Cards at the edges of the Los Angeles days around both 2026 DST changes (past days: settled). */
const EDGES = {
  // 23:30 PST on 2026-03-07; the UTC day is 03-08.
  lateMar7: '2026-03-08T07:30:00.000Z',
  // 00:00 PST on 2026-03-08, the 23-hour day.
  midnightMar8: '2026-03-08T08:00:00.000Z',
  // 23:30 PDT on 2026-03-08; the UTC day is 03-09.
  lateMar8: '2026-03-09T06:30:00.000Z',
  // 23:30 PST on 2026-11-01, the 25-hour day; the UTC day is 11-02.
  lateNov1: '2026-11-02T07:30:00.000Z',
  // 00:30 PDT on 2026-11-01; the UTC day is 11-01.
  earlyNov1: '2026-11-01T07:30:00.000Z',
};

describe('SHOP_TIMEZONE=America/Los_Angeles', () => {
  let app: TestApp;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    app = await startTestApp({ config: { SHOP_TIMEZONE: LA } });
    for (const [name, start] of Object.entries(EDGES)) ids[name] = await book(app, start);
    ids.issueExample = await book(app, '2026-12-02T06:30:00Z');
  });
  afterAll(async () => {
    await app.stop();
  });

  it('puts a late-evening appointment on its local day, and says the zone', async () => {
    const res = await app.request('GET', '/api/admin/appointments/board?date=2026-12-01');

    expect(res.body.data).toMatchObject({ from: '2026-12-01', to: '2026-12-01', time_zone: LA });
    expect(await boardIds(app, '2026-12-01')).toContain(ids.issueExample);
    expect(await boardIds(app, '2026-12-02')).not.toContain(ids.issueExample);
    // Instants stay UTC in the body.
    expect(res.body.data.columns.scheduled.items[0].appt_start).toBe('2026-12-02T06:30:00.000Z');
  });

  it('puts the cards near midnight of both DST days on their local days', async () => {
    expect(await boardIds(app, '2026-03-07')).toEqual([ids.lateMar7]);
    expect(await boardIds(app, '2026-03-08')).toEqual([ids.midnightMar8, ids.lateMar8].sort());
    expect(await boardIds(app, '2026-03-09')).toEqual([]);
    expect(await boardIds(app, '2026-11-01')).toEqual([ids.earlyNov1, ids.lateNov1].sort());
    expect(await boardIds(app, '2026-11-02')).toEqual([]);
  });

  it('stores settled stats days under their local days, and they add up across a DST change', async () => {
    const range = await stats(app, 'from=2026-03-07&to=2026-03-09');
    expect(range).toMatchObject({ from: '2026-03-07', to: '2026-03-09', time_zone: LA, total: 3 });

    const stored = await app.container.statsDays.readDays('2026-03-07', '2026-03-09');
    expect([...stored.keys()].sort()).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(['2026-03-07', '2026-03-08', '2026-03-09'].map((d) => stored.get(d)?.figures?.total)).toEqual([
      1, 2, 0,
    ]);
    // Figures of each local day; change counters of the days whose cards were booked (after the
    // fact, so their creation bumped them): 03-09 has none, its UTC day's card is on 03-08 here.
    expect(await statsItems(app, ['2026-03'])).toEqual([
      'STATS#2026-03/DAY#2026-03-07#FIG',
      'STATS#2026-03/DAY#2026-03-07#REV',
      'STATS#2026-03/DAY#2026-03-08#FIG',
      'STATS#2026-03/DAY#2026-03-08#REV',
      'STATS#2026-03/DAY#2026-03-09#FIG',
    ]);
    // Day by day, from the stored figures now, the same as the range.
    const days = await Promise.all(
      ['2026-03-07', '2026-03-08', '2026-03-09'].map((d) => stats(app, `date=${d}`)),
    );
    expect(days.map((d) => d.total)).toEqual([1, 2, 0]);
    expect(days.reduce((n, d) => n + d.total, 0)).toBe(range.total);
  });

  it('counts the 25-hour day whole', async () => {
    expect(await stats(app, 'date=2026-11-01')).toMatchObject({ total: 2, time_zone: LA });
    expect(await stats(app, 'date=2026-11-02')).toMatchObject({ total: 0 });
    const { start, end } = dayRangeInstants({ from: '2026-11-01', to: '2026-11-01' }, LA);
    expect((Date.parse(end) - Date.parse(start)) / 3_600_000).toBe(25);
  });

  it('wrote the zone with the table', async () => {
    expect(await readTableZone(app.container.doc, app.config.TABLE_NAME)).toBe(LA);
  });

  describe('the zone guard', () => {
    let other: Container;
    beforeAll(() => {
      other = createContainer({ ...app.config, SHOP_TIMEZONE: 'UTC', LOG_LEVEL: 'silent' });
    });
    afterAll(() => {
      other.doc.destroy();
      other.sqs.destroy();
    });

    const mismatch = new RegExp(
      `SHOP_TIMEZONE is UTC but table ${app?.config.TABLE_NAME ?? '\\S+'} is keyed by local days of ` +
        'America/Los_Angeles: set SHOP_TIMEZONE=America/Los_Angeles, or re-key the table with ' +
        '`npm run reindex-days -- --to UTC`',
    );

    it('stops the local stack from starting over the table with another zone', async () => {
      await expect(
        provision(localServices(), { TABLE_NAME: app.config.TABLE_NAME, SHOP_TIMEZONE: 'UTC' }),
      ).rejects.toThrow(mismatch);
    });

    it('stops npm start over it, naming SHOP_TIMEZONE, the table zone and the fix', async () => {
      const services = localServices();
      const config = loadLocalConfig({
        PORT: '0',
        PROXY_PORT: '0',
        DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
        SQS_ENDPOINT: services.sqsEndpoint,
        TABLE_NAME: app.config.TABLE_NAME,
        SHOP_TIMEZONE: 'UTC',
        SEED: 'none',
        LOG_LEVEL: 'silent',
        METRICS_SINK: 'off',
      });
      await expect(
        startLocalStackFromConfig(config, {
          inMemory: true,
          verbose: false,
          startProxy: false,
          queuePrefix: 'tz-',
        }),
      ).rejects.toThrow(mismatch);
    });

    it('refuses the cold start of every function: worker, sweeper and API', async () => {
      await expect(createMoveWorker(() => other)({ Records: [] })).rejects.toThrow(TableZoneMismatchError);
      await expect(createSweeper(() => other)()).rejects.toThrow(mismatch);
      const event = {
        version: '2.0',
        rawPath: '/api/admin/services',
        rawQueryString: '',
        headers: {},
        isBase64Encoded: false,
        requestContext: { http: { method: 'GET', path: '/api/admin/services' } },
      };
      await expect(createApiHandler(() => other)(event as never)).rejects.toThrow(mismatch);
    });

    it('does not remember a refusal: the same container runs once the table is of its zone', async () => {
      const doc = app.container.doc;
      await writeTableZone(doc, app.config.TABLE_NAME, 'UTC', new Date().toISOString());
      try {
        await expect(createMoveWorker(() => other)({ Records: [] })).resolves.toEqual({
          batchItemFailures: [],
        });
      } finally {
        await writeTableZone(doc, app.config.TABLE_NAME, LA, new Date().toISOString());
      }
    });
  });
});

describe('npm run reindex-days', () => {
  let utc: TestApp;
  let la: TestApp | undefined;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    utc = await startTestApp();
    for (const [name, start] of Object.entries(EDGES)) ids[name] = await book(utc, start);
    // Stored days under UTC, to be retired.
    expect((await stats(utc, 'from=2026-03-07&to=2026-03-09')).total).toBe(3);
    expect((await stats(utc, 'from=2026-11-01&to=2026-11-02')).total).toBe(2);
  });
  afterAll(async () => {
    await la?.stop();
    await utc.stop();
  });

  function captureIo() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} } };
  }
  const args = (zone: string) => [
    '--to',
    zone,
    '--table-name',
    utc.config.TABLE_NAME,
    '--dynamodb-endpoint',
    utc.config.DYNAMODB_ENDPOINT as string,
    '--region',
    utc.config.AWS_REGION,
  ];
  const cardKeys = async (id: string) => {
    const res = await utc.container.doc.send(
      new GetCommand({ TableName: utc.config.TABLE_NAME, Key: keys.appointment(id), ConsistentRead: true }),
    );
    return { GSI1PK: res.Item?.GSI1PK, GSI2PK: res.Item?.GSI2PK };
  };

  it('explains itself with --help, and refuses an unknown zone', async () => {
    const help = captureIo();
    expect(await reindexDays(['--help'], help.io)).toBe(0);
    expect(help.out.join('\n')).toMatch(/--to ZONE[\s\S]*--dry-run/);
    const bad = captureIo();
    expect(await reindexDays(['--to', 'Mars/Olympus_Mons', '--table-name', 'x'], bad.io)).toBe(2);
    expect(bad.err[0]).toMatch(/--to Mars\/Olympus_Mons is not an IANA time zone/);
  });

  it('writes nothing on a dry run, and says what it would do', async () => {
    const before = await statsItems(utc, ['2026-03', '2026-11']);
    const dry = captureIo();

    expect(await reindexDays([...args(LA), '--dry-run'], dry.io)).toBe(0);

    expect(dry.out.join('\n')).toMatch(
      /3 of 5 appointments would be re-keyed from UTC to America\/Los_Angeles/,
    );
    expect(dry.out.some((l) => /page 1: \d+ items read/.test(l))).toBe(true);
    expect(await readTableZone(utc.container.doc, utc.config.TABLE_NAME)).toBe('UTC');
    expect(await statsItems(utc, ['2026-03', '2026-11'])).toEqual(before);
    expect(before.length).toBeGreaterThan(0);
    expect(await cardKeys(ids.lateMar8!)).toEqual({ GSI1PK: 'DAY#2026-03-09', GSI2PK: 'MONTH#2026-03' });
  });

  it('re-keys the days, retires the stored stats, then flips the zone', async () => {
    const real = captureIo();

    expect(await reindexDays(args(LA), real.io)).toBe(0);

    expect(real.err).toEqual([]);
    expect(real.out.at(-1)).toMatch(/3 of 5 appointments re-keyed from UTC to America\/Los_Angeles/);
    expect(await cardKeys(ids.lateMar8!)).toEqual({ GSI1PK: 'DAY#2026-03-08', GSI2PK: 'MONTH#2026-03' });
    expect(await cardKeys(ids.lateMar7!)).toEqual({ GSI1PK: 'DAY#2026-03-07', GSI2PK: 'MONTH#2026-03' });
    expect(await cardKeys(ids.lateNov1!)).toEqual({ GSI1PK: 'DAY#2026-11-01', GSI2PK: 'MONTH#2026-11' });
    expect(await statsItems(utc, ['2026-03', '2026-11'])).toEqual([]);
    expect(await readTableZone(utc.container.doc, utc.config.TABLE_NAME)).toBe(LA);
  });

  it('leaves a table the service under the new zone reads right', async () => {
    await utc.stop();
    la = await startTestApp({ config: { TABLE_NAME: utc.config.TABLE_NAME, SHOP_TIMEZONE: LA } });

    expect(await boardIds(la, '2026-03-07')).toEqual([ids.lateMar7]);
    expect(await boardIds(la, '2026-03-08')).toEqual([ids.midnightMar8, ids.lateMar8].sort());
    expect(await boardIds(la, '2026-11-01')).toEqual([ids.earlyNov1, ids.lateNov1].sort());
    expect(await stats(la, 'from=2026-03-07&to=2026-03-09')).toMatchObject({ time_zone: LA, total: 3 });
    const stored = await la.container.statsDays.readDays('2026-03-07', '2026-03-09');
    expect(['2026-03-07', '2026-03-08', '2026-03-09'].map((d) => stored.get(d)?.figures?.total)).toEqual([
      1, 2, 0,
    ]);
  });

  it('is a no-op when run again: nothing to do, nothing written', async () => {
    const app = la as TestApp;
    const storedBefore = await statsItems(app, ['2026-03', '2026-11']);
    const again = captureIo();

    expect(await reindexDays(args(LA), again.io)).toBe(0);

    expect(again.out.at(-1)).toBe(
      'reindex-days: nothing to do: the table is keyed by local days of America/Los_Angeles',
    );
    expect(await statsItems(app, ['2026-03', '2026-11'])).toEqual(storedBefore);
    expect(storedBefore.length).toBeGreaterThan(0);
  });
});
