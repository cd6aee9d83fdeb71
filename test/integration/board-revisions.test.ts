/**
 * Board and stats polls answered from the days' revision shards: a matching If-None-Match reads
 * no card, and no writer (create, PATCH, the move worker) leaves a board or stats answer stale,
 * including a worker whose card write took effect while its response was lost (fault injected
 * at the SDK) and twenty moves of one day committed at once.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../infra/dynamodb/table';
import { injectLostResponses } from '../support/fault-injection';
import { awaitOutcome, createCard, move, submit } from '../support/move-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

let app: TestApp;
/** The index queries (by_day, by_month) the app sent, counted at the SDK. */
let indexQueries: string[] = [];
beforeAll(async () => {
  app = await startTestApp();
  app.container.doc.middlewareStack.add(
    (next: any, context: any) => async (args: any) => {
      const index = args.input?.IndexName;
      if (context.commandName === 'QueryCommand' && index) indexQueries.push(String(index));
      return next(args);
    },
    { step: 'initialize', name: 'count-index-queries' },
  );
});
afterAll(async () => {
  await app.stop();
});

const boardPath = (day: string) => `/api/admin/appointments/board?date=${day}`;
const statsPath = (day: string) => `/api/admin/dashboard/stats?from=${day}&to=${day}`;

async function etagOf(path: string): Promise<string> {
  const res = await app.request('GET', path);
  expect(res.status).toBe(200);
  return res.headers.get('etag') as string;
}

async function conditional(path: string, etag: string) {
  return app.request('GET', path, undefined, { 'if-none-match': etag });
}

describe('a matching If-None-Match', () => {
  it('answers the board 304 without reading the day from the index', async () => {
    const day = '2026-07-01';
    await createCard(app, day, 9);
    const etag = await etagOf(boardPath(day));
    indexQueries = [];
    const res = await conditional(boardPath(day), etag);
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(indexQueries).toEqual([]);
  });

  it('answers the stats 304 without reading the range from the index', async () => {
    const day = '2026-07-02';
    await createCard(app, day, 9);
    const etag = await etagOf(statsPath(day));
    indexQueries = [];
    const res = await conditional(statsPath(day), etag);
    expect(res.status).toBe(304);
    expect(indexQueries).toEqual([]);
  });

  it('does not carry over to another query of the same day (a filter is part of the validator)', async () => {
    const day = '2026-07-03';
    await createCard(app, day, 9);
    const etag = await etagOf(boardPath(day));
    const res = await conditional(`/api/admin/appointments/board?from=${day}&to=${day}`, etag);
    expect(res.status).toBe(200);
  });
});

describe('never stale', () => {
  it('answers 200 after an appointment of the day was created (201 seen)', async () => {
    const day = '2026-07-10';
    await createCard(app, day, 9);
    const etag = await etagOf(boardPath(day));
    const statsEtag = await etagOf(statsPath(day));
    await createCard(app, day, 11);
    const board = await conditional(boardPath(day), etag);
    expect(board.status).toBe(200);
    expect(board.body.data.columns.scheduled.count).toBe(2);
    expect((await conditional(statsPath(day), statsEtag)).status).toBe(200);
  });

  it('answers 200 for both days after a PATCH moved the card to another day (200 seen)', async () => {
    const [from, to] = ['2026-07-11', '2026-07-12'];
    const card = await createCard(app, from, 9);
    await createCard(app, to, 9);
    const [fromTag, toTag] = [await etagOf(boardPath(from)), await etagOf(boardPath(to))];
    const res = await app.request('PATCH', `/api/admin/appointments/${card.id}`, {
      expected_version: card.version,
      appt_start: `${to}T13:00:00Z`,
      appt_end: `${to}T14:00:00Z`,
    });
    expect(res.status).toBe(200);
    const [fromNow, toNow] = [
      await conditional(boardPath(from), fromTag),
      await conditional(boardPath(to), toTag),
    ];
    expect([fromNow.status, toNow.status]).toEqual([200, 200]);
    expect(fromNow.body.data.columns.scheduled.count).toBe(0);
    expect(toNow.body.data.columns.scheduled.count).toBe(2);
  });

  it('answers 200 after a move was seen applied', async () => {
    const day = '2026-07-13';
    const card = await createCard(app, day, 9);
    const etag = await etagOf(boardPath(day));
    const outcome = await move(app, card.id, { to_status: 'in_progress', expected_version: card.version });
    expect(outcome.status).toBe('applied');
    const res = await conditional(boardPath(day), etag);
    expect(res.status).toBe(200);
    expect(res.body.data.columns.in_progress.count).toBe(1);
  });

  it('answers 200 after a move whose card write took effect while the worker lost its response (fault at the SDK)', async () => {
    const day = '2026-07-14';
    const card = await createCard(app, day, 9);
    const etag = await etagOf(boardPath(day));
    let armed = true;
    const fault = injectLostResponses(
      app.container.doc,
      // The worker's transaction (with the history entry), not the submit's.
      (cmd, input) => cmd === 'TransactWriteItemsCommand' && JSON.stringify(input).includes('HIST#'),
      () => {
        const lose = armed;
        armed = false;
        return lose;
      },
    );
    try {
      const submitted = await submit(app, card.id, {
        to_status: 'in_progress',
        expected_version: card.version,
      });
      expect(submitted.status).toBe(202);
      // The worker saw an error after its transaction committed; its retry finds the move applied.
      // The card and its day's revision changed together, so nothing is left for a bump to fix.
      const outcome = await awaitOutcome(app, submitted.body.data.move_id);
      expect(outcome.status).toBe('applied');
      expect(fault.lost()).toBe(1);
      const after = await conditional(boardPath(day), etag);
      expect(after.status).toBe(200);
      expect(after.body.data.columns.in_progress.count).toBe(1);
    } finally {
      fault.remove();
    }
  });

  it('applies 20 concurrent moves of one day with no conflict from the revision shards', async () => {
    const day = '2026-07-15';
    const cards = [];
    for (let i = 0; i < 20; i++) cards.push(await createCard(app, day, 6 + (i % 12)));
    const etag = await etagOf(boardPath(day));
    const outcomes = await Promise.all(
      cards.map((card) => move(app, card.id, { to_status: 'in_progress', expected_version: card.version })),
    );
    expect(outcomes.map((o) => o.status)).toEqual(cards.map(() => 'applied'));
    expect(outcomes.filter((o) => o.rebased || o.noop)).toEqual([]);
    const res = await conditional(boardPath(day), etag);
    expect(res.status).toBe(200);
    expect(res.body.data.columns.in_progress.count).toBe(20);
    // Every card write bumped exactly one shard: 20 creates and 20 moves.
    const shards = await app.container.doc.send(
      new QueryCommand({
        TableName: app.config.TABLE_NAME,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :day)',
        ExpressionAttributeValues: { ':pk': keys.revMonthPartition('2026-07'), ':day': `BOARD#${day}#` },
        ConsistentRead: true,
      }),
    );
    expect((shards.Items ?? []).reduce((sum, item) => sum + Number(item.rev), 0)).toBe(40);
  });
});
