/**
 * Stored figures of settled days (domain/stats-days.ts) through the real handlers, the worker
 * and DynamoDB Local: stored once, reused, and retired by every write that changes the day.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { dayOf } from '../../domain/days';
import { STATS_DAY_POLICY } from '../../domain/stats-days';
import { appointmentItem } from '../../infra/dynamodb/dynamodb-shop-repository';
import { injectFault } from '../support/fault-injection';
import { awaitOutcome, createCard, submit } from '../support/move-helpers';
import { eventually, startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
/** The app's clock runs this far ahead of the real one, so a test can step past the index lag. */
let offsetMs = 0;
const stepPastIndexLag = () => {
  offsetMs += STATS_DAY_POLICY.indexLagMs + 1_000;
};

beforeAll(async () => {
  app = await startTestApp({ overrides: { now: () => new Date(Date.now() + offsetMs).toISOString() } });
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
    new PutCommand({ TableName: app.config.TABLE_NAME, Item: appointmentItem({ ...card!, id: copyId }) }),
  );
}

describe('stats of settled days', () => {
  it('stores a settled day on the first request and answers later requests from it', async () => {
    const day = '2024-03-12';
    const card = await createCard(app, day, 9);
    await createCard(app, day, 10);
    stepPastIndexLag();

    expect((await stats(day)).total).toBe(2);
    const stored = await storedDay(day);
    // Each create bumped the day before and after its write.
    expect(stored).toMatchObject({ figures: { total: 2 }, rev: 4, figures_rev: 4 });

    // A card written behind the service's back does not show: the stored figures answered.
    await writeBehindTheApi(card.id, 'behind-the-api-1');
    expect((await stats(day)).total).toBe(2);
  });

  it('reads a day live again once a card of it is created through the API', async () => {
    const day = '2024-03-13';
    const card = await createCard(app, day, 9);
    stepPastIndexLag();
    expect((await stats(day)).total).toBe(1);
    await writeBehindTheApi(card.id, 'behind-the-api-2');

    await createCard(app, day, 11);

    // Live: both the new card and the one written behind the API's back.
    expect((await stats(day)).total).toBe(3);
    // Not stored while the change is younger than the index lag; stored once it is older.
    expect(await storedDay(day)).toMatchObject({ figures: { total: 1 } });
    stepPastIndexLag();
    expect((await stats(day)).total).toBe(3);
    expect(await storedDay(day)).toMatchObject({ figures: { total: 3 } });
  });

  it('shows a move applied to a card of a settled day', async () => {
    const day = '2024-03-14';
    const card = await createCard(app, day, 9);
    stepPastIndexLag();
    expect((await stats(day)).by_status.scheduled).toBe(1);

    const res = await submit(app, card.id, { to_status: 'in_progress', expected_version: 1 });
    expect(await awaitOutcome(app, res.body.data.move_id)).toMatchObject({ status: 'applied' });

    // The worker bumps the day just after settling the move.
    await eventually(async () => ((await stats(day)).by_status.in_progress === 1 ? true : undefined));
    expect((await stats(day)).by_status.scheduled).toBe(0);
  });

  it('corrects both days when an edit moves a card from one settled day to another', async () => {
    const [from, to] = ['2024-03-15', '2024-03-16'];
    const card = await createCard(app, from, 9);
    stepPastIndexLag();
    expect([(await stats(from)).total, (await stats(to)).total]).toEqual([1, 0]);

    const res = await app.request('PATCH', `/api/admin/appointments/${card.id}`, {
      expected_version: 1,
      appt_start: `${to}T09:00:00Z`,
      appt_end: `${to}T09:45:00Z`,
    });
    expect(res.status).toBe(200);

    expect([(await stats(from)).total, (await stats(to)).total]).toEqual([0, 1]);
  });

  it('never stores today or a future day', async () => {
    const today = dayOf(new Date(Date.now() + offsetMs).toISOString());
    await createCard(app, today, 23);
    stepPastIndexLag();

    expect((await stats(today)).total).toBeGreaterThanOrEqual(1);
    expect(await stats('2099-01-01')).toMatchObject({ total: 0 });
    expect(await storedDay(today)).toBeUndefined();
    expect(await storedDay('2099-01-01')).toBeUndefined();
  });

  it('lets the redelivery bump the day when the bump after a move fails twice (fault injected at the SDK: the UpdateItem on the stats day is throttled)', async () => {
    const day = '2024-03-17';
    const card = await createCard(app, day, 9);
    stepPastIndexLag();
    expect((await stats(day)).by_status.scheduled).toBe(1);

    let injected = 0;
    const removeFault = injectFault(
      app.container.doc,
      (cmd, input) =>
        /^Update(Item)?Command$/.test(cmd) &&
        JSON.stringify(input).includes(`DAY#${day}`) &&
        JSON.stringify(input).includes('ADD #rev') &&
        injected++ < 2,
      () => new ProvisionedThroughputExceededException({ message: 'injected throttling', $metadata: {} }),
    );
    try {
      const res = await submit(app, card.id, { to_status: 'in_progress', expected_version: 1 });
      // The move itself is applied at once; only the bump waits for the redelivery.
      expect(await awaitOutcome(app, res.body.data.move_id)).toMatchObject({ status: 'applied' });
      await eventually(
        async () => ((await stats(day)).by_status.in_progress === 1 ? true : undefined),
        20_000,
      );
    } finally {
      removeFault();
    }
    expect(injected).toBeGreaterThanOrEqual(3);
  });
});
