/**
 * The load test's own moving parts: the artillery processor's signing and journey hooks against a
 * test app with SigV4 auth on (as the load test runs it), its picks against the board's rules, and
 * the verdict computed from artillery's JSON report.
 */
import http from 'node:http';
import { STATUSES, allowedTargets } from '../../domain/status';
import { verifySigV4 } from '../../local/sigv4-verifier';
import * as processor from '../../loadtest/processor';
import type { ArtilleryContext, ArtilleryResponse, RequestParams } from '../../loadtest/processor';
import { verdict } from '../../loadtest/verdict';
import { report, summary } from '../support/artillery-reports';
import { LOCAL_KEYS } from '../../client/local-keys';
import { principalRoles, verifierCredentials } from '../../local/auth-keys';
import { startTestApp, type TestApp } from '../support/test-app';
import { ApiClient } from '../../client/api-client';
import { seed } from '../../scripts/seed';

const REGION = 'us-west-2';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    authenticate: (req) => verifySigV4(req, { credentials: verifierCredentials(LOCAL_KEYS), region: REGION }),
    config: { AUTH_PRINCIPALS: principalRoles(LOCAL_KEYS) },
  });
});

afterAll(async () => {
  await app.stop();
});

/** Runs a hook written in artillery's callback style. */
function hook(fn: (next: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

const events = () => {
  const emitted: Array<[string, string, number | undefined]> = [];
  return {
    emitted,
    emit: (type: string, name: string, value?: number) => void emitted.push([type, name, value]),
  };
};

/** Sends the request exactly as the hooks left it (headers included), as artillery's HTTP client does. */
function send(req: RequestParams): Promise<ArtilleryResponse> {
  return new Promise((resolve, reject) => {
    const r = http.request(req.url, { method: req.method, headers: req.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          body,
          headers: res.headers as Record<string, string | undefined>,
        }),
      );
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

const counted = (ev: ReturnType<typeof events>, name: string) =>
  ev.emitted.filter(([type, n]) => type === 'counter' && n === name).reduce((a, [, , v]) => a + (v ?? 0), 0);

/** The journey's board read, as move.yml and p4.yml send it: sign, send, back off on 429, pick. */
async function readBoardAndPick(context: ArtilleryContext, ev: ReturnType<typeof events>) {
  const board: RequestParams = {
    method: 'GET',
    name: 'move.board',
    url: `${app.url}/api/admin/appointments/board?date={{ day }}`,
  };
  await hook((next) => processor.sign(board, context, ev, next));
  const res = await send(board);
  expect(res.statusCode).toBe(200);
  await hook((next) => processor.backOffOn429(board, res, context, ev, next));
  await hook((next) => processor.pickCard(board, res, context, ev, next));
}

/** The journey's drop and long-poll until decided; resolves with the body it submitted. */
async function submitAndPoll(context: ArtilleryContext, ev: ReturnType<typeof events>) {
  const submit: RequestParams = {
    method: 'POST',
    name: 'move.submit',
    url: `${app.url}/api/admin/appointments/{{ apptId }}/move`,
  };
  await hook((next) => processor.moveBody(submit, context, ev, next));
  await hook((next) => processor.sign(submit, context, ev, next));
  // Signed as sent: the JSON body is serialised once, before signing.
  expect(submit.json).toBeUndefined();
  const body = JSON.parse(submit.body as string) as {
    expected_version: number;
    from_status: string;
    to_status: string;
  };
  const res = await send(submit);
  expect(res.statusCode).toBe(202);
  await hook((next) => processor.backOffOn429(submit, res, context, ev, next));
  await hook((next) => processor.submitted(submit, res, context, ev, next));
  for (let i = 0; i < 5 && processor.hasPendingMove(context.vars); i++) {
    const poll: RequestParams = {
      method: 'GET',
      name: 'move.poll',
      url: `${app.url}/api/admin/moves/{{ moveId }}?wait_ms={{ waitMs }}`,
    };
    await hook((next) => processor.sign(poll, context, ev, next));
    const pollRes = await send(poll);
    expect(pollRes.statusCode).toBe(200);
    await hook((next) => processor.backOffOn429(poll, pollRes, context, ev, next));
    await hook((next) => processor.polled(poll, pollRes, context, ev, next));
  }
  return body;
}

const retries = (context: ArtilleryContext) =>
  new Promise<boolean>((resolve) => processor.retryAfterConflict(context, resolve));

describe('the artillery processor', () => {
  describe('picking a move', () => {
    afterEach(() => jest.restoreAllMocks());

    // Draws over the whole range of Math.random, so every branch of the pick is taken.
    it.each(STATUSES.filter((s) => allowedTargets(s).length > 0))(
      'drops a %s card only in a column domain/status allows from there',
      (status) => {
        const picks = [0, 0.05, 0.1, 0.5, 0.95, 0.999].map((r) => {
          jest.spyOn(Math, 'random').mockReturnValue(r);
          return processor.pickTarget(status);
        });

        for (const pick of picks) expect(allowedTargets(status)).toContain(pick);
      },
    );

    it('leaves a completed card alone and counts a board with nothing to move', async () => {
      const context: ArtilleryContext = { vars: { owner: 'lt-x' } };
      const ev = events();
      const card = { id: 'a1', customer_id: 'lt-x', status: 'completed', version: 4 };
      const res: ArtilleryResponse = {
        statusCode: 200,
        headers: {},
        body: JSON.stringify({ ok: true, data: { columns: { completed: { items: [card] } } } }),
      };

      await hook((next) => processor.pickCard({ method: 'GET', url: '/' }, res, context, ev, next));

      expect(processor.hasCard(context.vars)).toBe(false);
      expect(ev.emitted).toEqual([['counter', 'move.no_card', 1]]);
    });
  });

  it('fills URL variables, encoded, and refuses a missing one', () => {
    expect(
      processor.resolveUrl('/api/admin/moves/{{ moveId }}?wait_ms={{waitMs}}', { moveId: 'a b', waitMs: 5 }),
    ).toBe('/api/admin/moves/a%20b?wait_ms=5');
    expect(() => processor.resolveUrl('/x/{{ nope }}', {})).toThrow('nope');
  });

  it('leaves headers unsigned when signing is off', async () => {
    const headers = await processor.signedHeaders(
      'GET',
      `${app.url}/healthz`,
      { Accept: 'application/json' },
      undefined,
      {
        sign: false,
        region: REGION,
      },
    );
    expect(headers).toEqual({ accept: 'application/json' });
  });

  it('seeds its cards, then plays a whole journey through the SigV4 gateway', async () => {
    const context: ArtilleryContext = { vars: { target: app.url } };
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await processor.seedMoveCards(context);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^seeded 50 cards of lt-/));
    log.mockRestore();
    const ev = events();
    await hook((next) => processor.beginJourney(context, ev, next));

    await readBoardAndPick(context, ev);
    expect(processor.hasCard(context.vars)).toBe(true);

    const body = await submitAndPoll(context, ev);
    expect(body).toMatchObject({ expected_version: 1, from_status: 'scheduled' });

    expect(counted(ev, 'move.submitted')).toBe(1);
    expect(counted(ev, 'move.applied')).toBe(1);
    expect(counted(ev, 'move.decided_first')).toBe(1);
    expect(ev.emitted.filter(([type]) => type === 'histogram').map(([, n]) => n)).toEqual([
      'move.submit_ms',
      'move.e2e_ms',
    ]);
  });

  it("plays two staff on the seed's own cards: the stale drag conflicts, its retry moves the same card", async () => {
    // The data exactly as `npm run seed` writes it, through its own code, on p4's day.
    const lines: string[] = [];
    const seedIo = {
      out: (l: string) => void lines.push(l),
      err: (l: string) => void lines.push(l),
      env: {},
    };
    const api = new ApiClient({ baseUrl: app.url, sign: { region: REGION, service: 'lambda' } });
    await seed(api, processor.SETTINGS.p4Day, seedIo);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const [ada, bob] = [0, 1].map((): ArtilleryContext => ({ vars: { target: app.url } }));
    await processor.useSeedData(ada as ArtilleryContext);
    await processor.useSeedData(bob as ArtilleryContext);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/: 5 cards of customer 1 \(the seed's\)$/));
    log.mockRestore();
    const evA = events();
    const evB = events();
    await hook((next) => processor.beginJourney(ada as ArtilleryContext, evA, next));
    await hook((next) => processor.beginJourney(bob as ArtilleryContext, evB, next));

    // Both read the same board and take the first card: Ada to in_progress, Bob to no_show.
    const random = jest.spyOn(Math, 'random');
    random.mockReturnValueOnce(0).mockReturnValueOnce(0);
    await readBoardAndPick(ada as ArtilleryContext, evA);
    random.mockReturnValueOnce(0).mockReturnValueOnce(0.5);
    await readBoardAndPick(bob as ArtilleryContext, evB);
    random.mockRestore();
    const cardId = ada?.vars.apptId;
    expect(bob?.vars.apptId).toBe(cardId);

    await submitAndPoll(ada as ArtilleryContext, evA);
    const stale = await submitAndPoll(bob as ArtilleryContext, evB);
    expect(stale).toMatchObject({ expected_version: 1, to_status: 'no_show' });
    expect(counted(evB, 'move.conflict_first')).toBe(1);
    expect(await retries(bob as ArtilleryContext)).toBe(true);

    // The retry re-reads the board: same card, the version Ada's move left, a column legal from there.
    await readBoardAndPick(bob as ArtilleryContext, evB);
    expect(bob?.vars.apptId).toBe(cardId);
    const retry = await submitAndPoll(bob as ArtilleryContext, evB);
    expect(retry).toMatchObject({ expected_version: 2, from_status: 'in_progress' });
    expect(allowedTargets('in_progress')).toContain(retry.to_status);
    expect([counted(evA, 'move.applied'), counted(evB, 'move.applied')]).toEqual([1, 1]);
    expect(await retries(bob as ArtilleryContext)).toBe(false);
  });

  it('asks for the board with the ETag it last saw and gets a 304', async () => {
    const context: ArtilleryContext = { vars: { target: app.url, day: processor.SETTINGS.day } };
    const ev = events();
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const req: RequestParams = {
        method: 'GET',
        name: 'board',
        url: `${app.url}/api/admin/appointments/board?date={{ day }}`,
      };
      await hook((next) => processor.conditional(req, context, ev, next));
      await hook((next) => processor.sign(req, context, ev, next));
      const res = await send(req);
      statuses.push(res.statusCode);
      await hook((next) => processor.rememberEtag(req, res, context, ev, next));
    }
    expect(statuses).toEqual([200, 304]);
  });

  it('is refused (403) when its signature does not cover the body sent', async () => {
    const req: RequestParams = { method: 'POST', url: `${app.url}/api/admin/customers`, json: { name: 'A' } };
    await hook((next) => processor.sign(req, { vars: {} }, events(), next));
    req.body = JSON.stringify({ name: 'B' });
    expect((await send(req)).statusCode).toBe(403);
  });
});

const goodMove = () =>
  report(
    {
      'http.requests': 300,
      'http.codes.200': 200,
      'http.codes.202': 100,
      'move.applied': 95,
      'move.noop': 2,
      'move.conflict': 3,
      'move.conflict_first': 3,
      'move.decided_first': 97,
      'move.decided_retry': 3,
    },
    { 'move.submit_ms': summary(40), 'move.e2e_ms': summary(120) },
  );
const goodBoard = () =>
  report(
    { 'http.requests': 100, 'http.codes.200': 10, 'http.codes.304': 90 },
    { 'http.response_time': summary(30) },
  );
const goodStats = () =>
  report({ 'http.requests': 100, 'http.codes.200': 100 }, { 'http.response_time': summary(60) });

describe('the verdict', () => {
  it('passes a run that meets every criterion, conflicts included', () => {
    const rows = verdict({ move: goodMove(), board: goodBoard(), stats: goodStats() });
    expect(rows.map((r) => r.ok)).toEqual([true, true, true, true, true, true]);
  });

  it.each([
    ['a refused signature', { 'http.codes.403': 5 }],
    ['5xx', { 'http.codes.503': 5 }],
    ['network errors', { 'errors.ETIMEDOUT': 3, 'errors.ECONNREFUSED': 2 }],
  ])('counts %s as errors', (_name, extra) => {
    const board = goodBoard();
    Object.assign(board.aggregate.counters, extra, { 'http.requests': 100 });
    const [errorRow] = verdict({ move: goodMove(), board, stats: goodStats() });
    expect(errorRow?.ok).toBe(false);
    expect(errorRow?.value).toContain('5 of 500');
  });

  it('fails a conflict rate of 10 % or more, counting retries too', () => {
    const move = goodMove();
    Object.assign(move.aggregate.counters, { 'move.applied': 88, 'move.conflict': 12 });
    const row = verdict({ move }).find((r) => r.check.startsWith('conflict'));
    expect(row?.ok).toBe(false);
  });

  it('fails a latency it has no figures for', () => {
    const move = goodMove();
    delete move.aggregate.summaries['move.e2e_ms'];
    const row = verdict({ move }).find((r) => r.check.startsWith('move end-to-end'));
    expect(row).toMatchObject({ ok: false, value: 'no data' });
  });

  it('judges board p95 at its limit as a pass and just above as a fail', () => {
    const at = goodBoard();
    at.aggregate.summaries['http.response_time'] = summary(800);
    const above = goodBoard();
    above.aggregate.summaries['http.response_time'] = summary(800.1);
    expect(verdict({ board: at }).at(-1)?.ok).toBe(true);
    expect(verdict({ board: above }).at(-1)?.ok).toBe(false);
  });
});
