/**
 * The p4 scenario's pure parts: which of the seed's cards a virtual staff member drags where (first
 * attempt and the one retry after a conflict), and how its report is judged beside the others.
 */
import { STATUSES, allowedTargets, canTransition, type Status } from '../../domain/status';
import { chooseMove } from '../../loadtest/processor/move-journey';
import { P4_NOTE, verdict, type ArtilleryReport } from '../../loadtest/verdict';
import { report, summary } from '../support/artillery-reports';

const card = (id: string, status: Status, version = 1, customer_id = '1') => ({
  id,
  status,
  version,
  customer_id,
});

/** A fixed sequence of draws in [0, 1), so every branch of a pick is reached on purpose. */
const draws =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0;

describe("choosing a move on the seed's cards", () => {
  it.each(STATUSES.filter((s) => allowedTargets(s).length > 0))(
    'drops a %s card only in a column domain/status allows from there',
    (status) => {
      for (const r of [0, 0.05, 0.1, 0.5, 0.95, 0.999]) {
        const choice = chooseMove([card('a', status)], '1', undefined, draws(r, r));
        expect(choice?.card.id).toBe('a');
        expect(canTransition(status, choice?.to as Status)).toBe(true);
      }
    },
  );

  it("takes only the owner's cards that can still move", () => {
    const cards = [card('done', 'completed'), card('other', 'scheduled', 1, 'lt-x'), card('live', 'ready')];
    for (const r of [0, 0.5, 0.999]) {
      expect(chooseMove(cards, '1', undefined, draws(r, 0.5))?.card.id).toBe('live');
    }
  });

  it('has nothing to move once every card is completed', () => {
    expect(chooseMove([card('a', 'completed'), card('b', 'completed')], '1')).toBeUndefined();
  });

  it('retries the same card with the version the refreshed board shows, to the same column', () => {
    const cards = [card('a', 'scheduled', 1), card('b', 'in_progress', 7)];
    const choice = chooseMove(cards, '1', { apptId: 'b', to: 'ready' }, draws(0));
    expect(choice).toEqual({ card: cards[1], to: 'ready' });
  });

  it('retries to another legal column when the one it wanted is no longer reachable', () => {
    // Wanted scheduled → in_progress; someone else sent it to no_show meanwhile.
    const choice = chooseMove([card('a', 'no_show', 3)], '1', { apptId: 'a', to: 'in_progress' });
    expect(choice).toEqual({ card: card('a', 'no_show', 3), to: 'scheduled' });
  });

  it.each([
    ['someone else already put it there', card('a', 'ready', 4)],
    ['it was completed meanwhile', card('a', 'completed', 5)],
  ])('sends no retry when %s', (_why, refreshed) => {
    const others = [card('b', 'scheduled')];
    expect(chooseMove([refreshed, ...others], '1', { apptId: 'a', to: 'ready' })).toBeUndefined();
  });
});

const moveReport = (
  conflicts: number,
  decided: number,
  extra: Record<string, number> = {},
): ArtilleryReport =>
  report(
    {
      'http.requests': 3 * decided,
      'http.codes.200': 2 * decided,
      'http.codes.202': decided,
      'move.applied': decided - conflicts,
      'move.conflict': conflicts,
      'move.conflict_first': conflicts,
      'move.decided_first': decided,
      ...extra,
    },
    { 'move.submit_ms': summary(40), 'move.e2e_ms': summary(120) },
  );

describe('the p4 verdict', () => {
  it('judges p4 on its own rows, named p4, by the seed acceptance', () => {
    const rows = verdict({ p4: moveReport(40, 100) });

    expect(rows.map((r) => [r.check.slice(0, 22), r.ok])).toEqual([
      ['p4: error rate (5xx, 4', true],
      ['p4: move submit p95', true],
      ['p4: move end-to-end p9', true],
      ['p4: conflict rate (fir', false],
    ]);
    expect(rows[3]?.value).toBe('40.00 % (40 of 100; first attempts 40.00 %)');
  });

  it("leaves the other scenarios' verdict as it was when p4 misses beside them", () => {
    const alone = verdict({ move: moveReport(3, 100) });
    const beside = verdict({ move: moveReport(3, 100), p4: moveReport(60, 100, { 'http.codes.503': 50 }) });

    expect(beside.slice(0, alone.length)).toEqual(alone);
    expect(alone.every((r) => r.ok)).toBe(true);
    expect(beside.slice(alone.length).map((r) => r.ok)).toEqual([false, true, true, false]);
  });

  it('counts a p4 move still pending when the client gave up as an error of p4', () => {
    const [errors] = verdict({ p4: moveReport(0, 100, { 'move.timeout': 5 }) });
    expect(errors).toMatchObject({ ok: false, value: '1.67 % (5 of 300 requests)' });
  });

  it('says what its conflict row measures', () => {
    expect(P4_NOTE).toMatch(/five cards/);
    expect(P4_NOTE).toMatch(/property of the scenario, not of the server/);
  });
});
