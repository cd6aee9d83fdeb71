/** The demo data of a first start: technicians made with the cards, most cards given to one, a few not. */
import { addDays } from '../../domain/days';
import { DEMO_TECHNICIANS, seedDemoData } from '../../local/demo-data';
import { startTestApp, type TestApp } from '../support/test-app';

const NOW = new Date('2026-06-10T07:00:00.000Z');
const TODAY = '2026-06-10';
let app: TestApp;

type Item = { id: string; technician_id: string | null; technician_name: string | null };
async function boardItems(query = ''): Promise<Item[]> {
  const res = await app.request(
    'GET',
    `/api/admin/appointments/board?from=${TODAY}&to=${addDays(TODAY, 1)}${query}`,
  );
  expect(res.status).toBe(200);
  return Object.values(res.body.data.columns as Record<string, { items: Item[] }>).flatMap((c) => c.items);
}

beforeAll(async () => {
  app = await startTestApp({ startPoller: false });
});
afterAll(async () => {
  await app.stop();
});

describe('seedDemoData', () => {
  it('creates the technicians, gives them most cards with their names copied in, and leaves some unassigned', async () => {
    await expect(seedDemoData(app.container.shop, 'UTC', NOW)).resolves.toBe(12);

    const technicians = (await app.request('GET', '/api/admin/technicians')).body.data;
    expect(technicians.map((t: { id: string }) => t.id).sort()).toEqual(DEMO_TECHNICIANS.map((t) => t.id));
    const items = await boardItems();
    expect(items).toHaveLength(12);
    for (const t of DEMO_TECHNICIANS) {
      const theirs = await boardItems(`&technician_id=${t.id}`);
      expect(theirs.length).toBeGreaterThan(0);
      expect(theirs.every((i) => i.technician_id === t.id && i.technician_name === t.name)).toBe(true);
    }
    const unassigned = await boardItems('&technician_id=none');
    expect(unassigned.length).toBeGreaterThan(0);
    expect(unassigned.every((i) => i.technician_id === null && i.technician_name === null)).toBe(true);
    const assigned = items.length - unassigned.length;
    expect(assigned).toBeGreaterThan(unassigned.length);
  });

  it('writes nothing new when run again', async () => {
    const before = await boardItems();

    await expect(seedDemoData(app.container.shop, 'UTC', NOW)).resolves.toBe(0);

    expect(await boardItems()).toEqual(before);
    expect((await app.request('GET', '/api/admin/technicians')).body.data).toHaveLength(
      DEMO_TECHNICIANS.length,
    );
  });
});
