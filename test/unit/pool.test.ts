import { pool } from '../../client/pool';

/** A task that stays in flight until released, so the test decides when each one ends. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('pool', () => {
  it('works on every item once, in order, with at most `limit` in flight', async () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const gates = items.map(() => gate());
    const started: Array<[string, number]> = [];
    let inFlight = 0;
    let most = 0;

    const running = pool(items, 2, async (item, index) => {
      started.push([item, index]);
      inFlight += 1;
      most = Math.max(most, inFlight);
      await gates[index]?.done;
      inFlight -= 1;
    });
    await tick();
    const startedBeforeAnyEnds = started.length;
    for (const g of gates) {
      g.release();
      await tick();
    }
    await running;

    expect(startedBeforeAnyEnds).toBe(2);
    expect(most).toBe(2);
    expect(started).toEqual(items.map((item, index) => [item, index]));
  });

  it('uses no more lanes than there are items', async () => {
    let most = 0;
    let inFlight = 0;

    await pool([1, 2], 8, async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await tick();
      inFlight -= 1;
    });

    expect(most).toBe(2);
  });

  it('resolves at once for no items', async () => {
    const work = jest.fn(async () => undefined);

    await pool([], 4, work);

    expect(work).not.toHaveBeenCalled();
  });

  it('rejects with the first failure', async () => {
    await expect(
      pool([1, 2, 3], 1, async (n) => {
        if (n === 2) throw new Error('item 2 refused');
      }),
    ).rejects.toThrow('item 2 refused');
  });
});
