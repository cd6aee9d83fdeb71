/**
 * Stored figures of settled days (domain/stats-days.ts) through the real handlers, the worker
 * and DynamoDB Local: stored once, reused, retired by every write that changes the day, and never
 * stored stale however far the by_month index lags or whether a writer survives its write.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { dayOf } from '../../domain/days';
import { appointmentItem } from '../../infra/dynamodb/items';
import { INDEX_BY_MONTH } from '../../infra/dynamodb/table';
import { injectFault } from '../support/fault-injection';
import { awaitOutcome, createCard, submit } from '../support/move-helpers';
import { eventually, startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

async function stats(day: string) {
  const res = await app.request('GET', `/api/admin/dashboard/stats?date=${day}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

/** What the store holds for the day (its counter and stored figures), read the way requests read it. */
async function storedDay(day: string) {
  return (await app.container.statsDays.readDays(day, day)).get(day);
}

/** Writes a copy of a card straight into the table, past the API: no stats day is bumped. */
async function writeBehindTheApi(cardId: string, copyId: string) {
  const card = await app.container.shop.getAppointment(cardId);
  await app.container.doc.send(
    new PutCommand({
      TableName: app.config.TABLE_NAME,
      Item: appointmentItem({ ...card!, id: copyId }, app.container.timeZone),
    }),
  );
}

async function moveDay(id: string, expectedVersion: number, day: string) {
  return app.request('PATCH', `/api/admin/appointments/${id}`, {
    expected_version: expectedVersion,
    appt_start: `${day}T09:00:00Z`,
    appt_end: `${day}T09:45:00Z`,
  });
}

/** A bump of `day`'s counter, as the SDK sees it. */
const isBumpOf = (day: string) => (cmd: string, input: unknown) =>
  /^Update(Item)?Command$/.test(cmd) &&
  JSON.stringify(input).includes(`DAY#${day}#REV`) &&
  JSON.stringify(input).includes('ADD #rev');

let lagCounter = 0;

/**
 * Index lag injected at the SDK: while `capturing`, each by_month Query's answer is kept; once
 * `lag()` is called, the same Query is answered from what was kept, as an index that has not
 * caught up with the writes since would answer. `lagged` counts the answers so served.
 */
function injectIndexLag(doc: DynamoDBDocumentClient) {
  const name = `test-index-lag-${++lagCounter}`;
  const kept = new Map<string, unknown>();
  const state = { lagging: false, lagged: 0 };
  doc.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      if (context.commandName !== 'QueryCommand' || args.input?.IndexName !== INDEX_BY_MONTH) {
        return next(args);
      }
      const key = JSON.stringify(args.input);
      if (state.lagging && kept.has(key)) {
        state.lagged++;
        return { output: structuredClone(kept.get(key)), response: {} };
      }
      const result = await next(args);
      if (!state.lagging) kept.set(key, structuredClone(result.output));
      return result;
    },
    { step: 'initialize', name, priority: 'high' },
  );
  return {
    state,
    lag: () => {
      state.lagging = true;
    },
    remove: () => {
      doc.middlewareStack.remove(name);
    },
  };
}

describe('stats of settled days', () => {
  it('stores a settled day on the first request and answers later requests from it', async () => {
    const day = '2024-03-12';
    const card = await createCard(app, day, 9);
    const other = await createCard(app, day, 10);

    expect((await stats(day)).total).toBe(2);
    const stored = await storedDay(day);
    // Each create bumped the day before and after its write, recording the card at version 1.
    expect(stored).toMatchObject({ figures: { total: 2 }, rev: 4, figures_rev: 4 });
    expect(stored?.cards).toEqual(
      new Map([
        [card.id, 1],
        [other.id, 1],
      ]),
    );

    // A card written behind the service's back does not show: the stored figures answered.
    await writeBehindTheApi(card.id, 'behind-the-api-1');
    expect((await stats(day)).total).toBe(2);
  });

  it('reads a day live again once a card of it is created through the API', async () => {
    const day = '2024-03-13';
    const card = await createCard(app, day, 9);
    expect((await stats(day)).total).toBe(1);
    await writeBehindTheApi(card.id, 'behind-the-api-2');

    await createCard(app, day, 11);

    // Live: both the new card and the one written behind the API's back; stored at once, since
    // the new card is read from the table at its recorded version.
    expect((await stats(day)).total).toBe(3);
    expect(await storedDay(day)).toMatchObject({ figures: { total: 3 } });
    expect((await stats(day)).total).toBe(3);
  });

  it('shows a move applied to a card of a settled day', async () => {
    const day = '2024-03-14';
    const card = await createCard(app, day, 9);
    expect((await stats(day)).by_status.scheduled).toBe(1);

    const res = await submit(app, card.id, { to_status: 'in_progress', expected_version: 1 });
    expect(await awaitOutcome(app, res.body.data.move_id)).toMatchObject({ status: 'applied' });

    await eventually(async () => ((await stats(day)).by_status.in_progress === 1 ? true : undefined));
    expect((await stats(day)).by_status.scheduled).toBe(0);
    expect((await storedDay(day))?.cards?.get(card.id)).toBe(2);
  });

  it('corrects both days when an edit moves a card from one settled day to another', async () => {
    const [from, to] = ['2024-03-15', '2024-03-16'];
    const card = await createCard(app, from, 9);
    expect([(await stats(from)).total, (await stats(to)).total]).toEqual([1, 0]);

    const res = await moveDay(card.id, 1, to);
    expect(res.status).toBe(200);

    expect([(await stats(from)).total, (await stats(to)).total]).toEqual([0, 1]);
  });

  it('never stores today or a future day', async () => {
    const today = dayOf(new Date().toISOString(), app.container.timeZone);
    await createCard(app, today, 23);

    expect((await stats(today)).total).toBeGreaterThanOrEqual(1);
    expect(await stats('2099-01-01')).toMatchObject({ total: 0 });
    expect(await storedDay(today)).toBeUndefined();
    expect(await storedDay('2099-01-01')).toBeUndefined();
  });

  it('lets the redelivery bump the day when the bump after a move fails twice (fault injected at the SDK: the UpdateItem on the stats day is throttled after the one before the commit)', async () => {
    const day = '2024-03-17';
    const card = await createCard(app, day, 9);
    expect((await stats(day)).by_status.scheduled).toBe(1);

    let calls = 0;
    const removeFault = injectFault(
      app.container.doc,
      // The first bump is the worker's before the commit; the next two are the bump after it
      // and its retry, failing the record; the fourth is the redelivery's.
      (cmd, input) => isBumpOf(day)(cmd, input) && [2, 3].includes(++calls),
      () => new ProvisionedThroughputExceededException({ message: 'injected throttling', $metadata: {} }),
    );
    try {
      const res = await submit(app, card.id, { to_status: 'in_progress', expected_version: 1 });
      expect(await awaitOutcome(app, res.body.data.move_id)).toMatchObject({ status: 'applied' });
      // Two bumps by the create, one before the commit, then the redelivery's.
      await eventually(async () => ((await storedDay(day))?.rev === 4 ? true : undefined), 20_000);
    } finally {
      removeFault();
    }
    expect(calls).toBe(4);
    expect((await stats(day)).by_status.in_progress).toBe(1);
  });
});

describe('stats of settled days while the by_month index lags', () => {
  it('stores no figures that miss a move the lagging index does not show yet, and reads the same once it catches up (index lag injected at the SDK: by_month answers from before the move)', async () => {
    const day = '2024-04-02';
    const card = await createCard(app, day, 9);
    await createCard(app, day, 10);
    const lag = injectIndexLag(app.container.doc);
    try {
      expect((await stats(day)).by_status).toMatchObject({ scheduled: 2, in_progress: 0 });
      const res = await submit(app, card.id, { to_status: 'in_progress', expected_version: 1 });
      expect(await awaitOutcome(app, res.body.data.move_id)).toMatchObject({ status: 'applied' });

      lag.lag();
      const during = await stats(day);

      expect(lag.state.lagged).toBeGreaterThan(0);
      expect(during.by_status).toMatchObject({ scheduled: 1, in_progress: 1 });
      const stored = await storedDay(day);
      expect(stored?.figures?.by_status).toMatchObject({ scheduled: 1, in_progress: 1 });
      expect(stored?.figures_rev).toBe(stored?.rev);
    } finally {
      lag.remove();
    }
    expect((await stats(day)).by_status).toMatchObject({ scheduled: 1, in_progress: 1 });
  });

  it('corrects both days of an edit that moves a card while the index lags on both (index lag injected at the SDK: by_month answers from before the edit)', async () => {
    const [from, to] = ['2024-04-03', '2024-04-04'];
    const card = await createCard(app, from, 9);
    await createCard(app, to, 11);
    const lag = injectIndexLag(app.container.doc);
    try {
      expect([(await stats(from)).total, (await stats(to)).total]).toEqual([1, 1]);
      expect((await moveDay(card.id, 1, to)).status).toBe(200);

      lag.lag();

      expect([(await stats(from)).total, (await stats(to)).total]).toEqual([0, 2]);
      expect(lag.state.lagged).toBe(2);
      expect([(await storedDay(from))?.figures?.total, (await storedDay(to))?.figures?.total]).toEqual([
        0, 2,
      ]);
    } finally {
      lag.remove();
    }
    expect([(await stats(from)).total, (await stats(to)).total]).toEqual([0, 2]);
  });

  it('leaves no stale figures when an edit dies between its card write and its bump after it (fault injected at the SDK: the after-bump UpdateItem fails; index lag injected at the SDK: by_month answers from before the edit)', async () => {
    const [from, to] = ['2024-04-05', '2024-04-06'];
    const card = await createCard(app, from, 9);
    const lag = injectIndexLag(app.container.doc);
    const bumps = new Map<string, number>();
    const removeFault = injectFault(
      app.container.doc,
      (cmd, input) =>
        [from, to].some((day) => {
          if (!isBumpOf(day)(cmd, input)) return false;
          const n = (bumps.get(day) ?? 0) + 1;
          bumps.set(day, n);
          return n === 2;
        }),
      () => new ProvisionedThroughputExceededException({ message: 'injected throttling', $metadata: {} }),
    );
    try {
      expect([(await stats(from)).total, (await stats(to)).total]).toEqual([1, 0]);
      const revs = [(await storedDay(from))?.rev, (await storedDay(to))?.rev ?? 0];

      expect((await moveDay(card.id, 1, to)).status).toBe(200);
      lag.lag();

      // Only the bump before the write landed on each day.
      expect([(await storedDay(from))?.rev, (await storedDay(to))?.rev]).toEqual([
        revs[0]! + 1,
        revs[1]! + 1,
      ]);
      expect([(await stats(from)).total, (await stats(to)).total]).toEqual([0, 1]);
      expect(lag.state.lagged).toBe(2);
      expect([(await storedDay(from))?.figures?.total, (await storedDay(to))?.figures?.total]).toEqual([
        0, 1,
      ]);
    } finally {
      removeFault();
      lag.remove();
    }
    expect([(await stats(from)).total, (await stats(to)).total]).toEqual([0, 1]);
  });

  it('stores no figures that miss a move whose worker dies between its commit and its bump (fault injected at the SDK: every bump after the one before the commit fails; index lag injected at the SDK)', async () => {
    const day = '2024-04-07';
    const card = await createCard(app, day, 9);
    const lag = injectIndexLag(app.container.doc);
    let calls = 0;
    const removeFault = injectFault(
      app.container.doc,
      (cmd, input) => isBumpOf(day)(cmd, input) && ++calls > 1,
      () => new ProvisionedThroughputExceededException({ message: 'injected throttling', $metadata: {} }),
    );
    let revWhileDead: number | undefined;
    try {
      expect((await stats(day)).by_status).toMatchObject({ scheduled: 1, in_progress: 0 });
      const res = await submit(app, card.id, { to_status: 'in_progress', expected_version: 1 });
      expect(await awaitOutcome(app, res.body.data.move_id)).toMatchObject({ status: 'applied' });
      lag.lag();

      expect((await stats(day)).by_status).toMatchObject({ scheduled: 0, in_progress: 1 });
      expect(lag.state.lagged).toBeGreaterThan(0);
      const stored = await storedDay(day);
      expect(stored?.figures?.by_status).toMatchObject({ scheduled: 0, in_progress: 1 });
      revWhileDead = stored?.rev;
    } finally {
      removeFault();
      lag.remove();
    }
    // The failed bump failed the record; its redelivery bumps once the fault is gone.
    await eventually(
      async () => (((await storedDay(day))?.rev ?? 0) > revWhileDead! ? true : undefined),
      20_000,
    );
    expect((await stats(day)).by_status).toMatchObject({ scheduled: 0, in_progress: 1 });
  });

  it('reads a day live, unstored, while a recorded card never reached its version, until the card is written again (fault injected at the SDK: the TransactWriteItems of an edit, card and history entry, is throttled)', async () => {
    const day = '2024-04-08';
    const card = await createCard(app, day, 9);
    expect((await stats(day)).total).toBe(1);
    const removeFault = injectFault(
      app.container.doc,
      // An edit writes its card and history entry in one TransactWriteItems.
      (cmd, input) =>
        cmd === 'TransactWriteItemsCommand' && JSON.stringify(input).includes(`APPT#${card.id}`),
      () => new ProvisionedThroughputExceededException({ message: 'injected throttling', $metadata: {} }),
    );
    try {
      expect((await moveDay(card.id, 1, '2024-04-09')).status).toBeGreaterThanOrEqual(500);
    } finally {
      removeFault();
    }

    expect((await stats(day)).total).toBe(1);
    const unstored = await storedDay(day);
    expect(unstored?.cards?.get(card.id)).toBe(2);
    expect(unstored?.figures_rev).not.toBe(unstored?.rev);

    const res = await app.request('PATCH', `/api/admin/appointments/${card.id}`, {
      expected_version: 1,
      notes: 'written at last',
    });
    expect(res.status).toBe(200);
    expect((await stats(day)).total).toBe(1);
    expect(await storedDay(day)).toMatchObject({ figures: { total: 1 } });
  });
});

describe('owner figures from stored days', () => {
  it('answers the same from stored days as live, for a range with technicians and every status', async () => {
    const days = ['2024-05-06', '2024-05-07'];
    await app.request('POST', '/api/admin/technicians', { id: 'kpi-T1', name: 'Kpi One' });
    const paths: Record<string, string[]> = {
      scheduled: [],
      in_progress: ['in_progress'],
      ready: ['in_progress', 'ready'],
      completed: ['in_progress', 'ready', 'completed'],
      no_show: ['no_show'],
      canceled: ['canceled'],
    };
    let hour = 8;
    for (const day of days) {
      for (const [i, steps] of Object.values(paths).entries()) {
        const card = await createCard(app, day, hour++ % 24);
        let version = 1;
        if (i % 2 === 0) {
          const res = await app.request('PATCH', `/api/admin/appointments/${card.id}`, {
            expected_version: version++,
            technician_id: 'kpi-T1',
          });
          expect(res.status).toBe(200);
        }
        for (const to of steps) {
          const res = await submit(app, card.id, { to_status: to, expected_version: version });
          expect(await awaitOutcome(app, res.body.data.move_id)).toMatchObject({ status: 'applied' });
          version++;
        }
      }
    }
    const range = async () =>
      (await app.request('GET', `/api/admin/dashboard/stats?from=${days[0]}&to=${days[1]}`)).body.data;

    const live = await range();
    for (const day of days) expect(await storedDay(day)).toMatchObject({ figures: { total: 6 } });
    const fromStored = await range();

    expect(fromStored).toEqual(live);
    expect(live).toMatchObject({
      total: 12,
      car_count: 6,
      show_rate: Math.round((6 / 8) * 10_000) / 10_000,
      average_repair_order_cents: live.revenue_cents / 2,
    });
    expect(Object.keys(live.by_technician).sort()).toEqual(['kpi-T1', 'unassigned']);
    expect(live.by_technician['kpi-T1'].completed + live.by_technician.unassigned.completed).toBe(2);
  });
});
