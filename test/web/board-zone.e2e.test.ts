/**
 * The board page of a shop in America/Los_Angeles (SHOP_TIMEZONE), end to end in headless
 * Chromium through the signing proxy: the header names the zone, a booking's times are the shop's
 * wall clock, and the card sits on the shop's local day at its local time.
 */
import type { BrowserContext } from 'playwright-core';
import { addDays } from '../../domain/days';
import { proxyRequest } from '../../local/proxy-request';
import { openBoard, startBrowserStack, type BrowserStack } from './support/browser-stack';

const ZONE = 'America/Los_Angeles';
let world: BrowserStack;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  world = await startBrowserStack({ SHOP_TIMEZONE: ZONE });
}, 120_000);

afterAll(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  await world?.stop();
});

type Board = { time_zone: string; columns: { scheduled: { items: Array<{ appt_start: string }> } } };

it("books 20:30–21:30 of a winter evening in Los Angeles, and finds the card on that local day at that local time (the next day's 04:30 UTC)", async () => {
  // A January day: Pacific Standard Time, UTC−8.
  const day = `${Number(world.today.slice(0, 4)) + 1}-01-15`;
  const { page, errors } = await openBoard(world.browser, contexts, world.baseUrl, { poll: '0' });
  expect(await page.getByTestId('zone').textContent()).toBe(`Status board · times in ${ZONE}`);
  await page.getByLabel('Day shown').fill(day);
  await page.getByTestId('empty').waitFor();

  await page.getByRole('button', { name: 'New appointment' }).click();
  const form = page.getByRole('dialog', { name: 'New appointment' });
  expect(await form.textContent()).toContain(`Times in ${ZONE}.`);
  await form.getByLabel('Customer').fill('Ada');
  await form.getByRole('button', { name: /^Ada Lovelace/ }).click();
  await form
    .getByLabel('Vehicle')
    .locator('option', { hasText: 'Toyota Camry' })
    .waitFor({ state: 'attached' });
  await form.getByLabel('Start').fill('20:30');
  await form.getByLabel('End').fill('21:30');
  await form.getByLabel('Services').selectOption(['OIL001']);
  await form.getByRole('button', { name: 'Book' }).click();
  await form.waitFor({ state: 'detached' });

  const card = page
    .locator('[data-column="scheduled"] [data-testid=card]')
    .filter({ hasText: 'Ada Lovelace' });
  await card.filter({ hasText: '20:30–21:30' }).waitFor();
  await page.reload();
  await card.filter({ hasText: '20:30–21:30' }).waitFor();
  const board = await proxyRequest<Board>(world.baseUrl, 'GET', `/api/admin/appointments/board?date=${day}`);
  expect(board.time_zone).toBe(ZONE);
  expect(board.columns.scheduled.items.map((i) => i.appt_start)).toEqual([
    `${addDays(day, 1)}T04:30:00.000Z`,
  ]);
  expect(errors).toEqual([]);
});
