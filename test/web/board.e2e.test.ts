/**
 * The staff board page end to end, in headless Chromium (Debian's `chromium` package, driven by
 * playwright-core): the whole local stack on free ports with demo data, the page loaded through
 * the signing proxy exactly as a developer opens it after `npm start`. The tests share that stack,
 * so each one moves cards no other test touches.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { addDays } from '../../domain/days';
import {
  RESULTS,
  openBoard as openIn,
  proxyAs,
  startBrowserStack,
  type BrowserStack,
} from './support/browser-stack';

let world: BrowserStack;
let baseUrl: string;
/** The demo data's days: seeded for the UTC day the stack started on. */
let today: string;
let tomorrow: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  world = await startBrowserStack();
  baseUrl = world.baseUrl;
  today = world.today;
  tomorrow = addDays(today, 1);
}, 120_000);

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await world?.stop();
});

const openBoard = (
  query: Record<string, string> = {},
  viewport = { width: 1400, height: 820 },
  origin = baseUrl,
) => openIn(world.browser, contexts, origin, { date: today, ...query }, viewport);

const column = (page: Page, status: string) => page.locator(`[data-column="${status}"]`);
const cardIn = (page: Page, status: string, text: string) =>
  column(page, status).getByTestId('card').filter({ hasText: text });
const settledIn = (page: Page, status: string, id: string) =>
  column(page, status).locator(`[data-card-id="${id}"][data-state="idle"]`);
const toast = (page: Page, text: string) => page.getByTestId('toast').filter({ hasText: text });

async function cardId(page: Page, status: string, text: string): Promise<string> {
  const id = await cardIn(page, status, text).getAttribute('data-card-id');
  if (!id) throw new Error(`no card "${text}" in ${status}`);
  return id;
}

describe('the board page through the signing proxy', () => {
  it('shows the six columns with counts and the demo cards, and saves a screenshot', async () => {
    const { page, errors } = await openBoard();

    const shown = await page.getByTestId('column').evaluateAll((els) =>
      els.map((el) => ({
        status: el.getAttribute('data-column'),
        count: Number(el.querySelector('[data-testid=count]')?.textContent),
        ids: [...el.querySelectorAll('[data-card-id]')].map((c) => c.getAttribute('data-card-id')),
      })),
    );
    // The same board the API gives any other client through the proxy, column by column.
    const api = (await (await fetch(`${baseUrl}/api/admin/appointments/board?date=${today}`)).json()) as {
      data: { columns: Record<string, { items: Array<{ id: string }>; count: number }> };
    };
    expect(shown).toEqual(
      Object.entries(api.data.columns).map(([status, col]) => ({
        status,
        count: col.count,
        ids: col.items.map((i) => i.id),
      })),
    );
    const ready = cardIn(page, 'ready', 'Grace Hopper');
    expect(await ready.textContent()).toMatch(
      /09:00–10:00.*Grace Hopper.*2021 Honda Civic.*Customer waiting in lobby/,
    );
    const bottom = Number(
      await page.evaluate(
        'Math.max(...[...document.querySelectorAll("[data-column]")].map((c) => c.getBoundingClientRect().bottom))',
      ),
    );
    await page.screenshot({
      path: join(RESULTS, 'board.png'),
      clip: { x: 0, y: 0, width: 1400, height: Math.ceil(bottom) + 24 },
    });
    expect(errors).toEqual([]);
  });

  it('moves a card from scheduled to in progress by drag and drop, and it stays there after a reload', async () => {
    const { page, errors } = await openBoard();
    const id = await cardId(page, 'scheduled', '13:00–14:00');

    await cardIn(page, 'scheduled', '13:00–14:00').dragTo(column(page, 'in_progress'));

    await settledIn(page, 'in_progress', id).waitFor();
    expect(await settledIn(page, 'in_progress', id).getAttribute('data-version')).toBe('2');
    expect(await page.getByTestId('telemetry-moves').textContent()).toBe('1');
    await page.reload();
    await settledIn(page, 'in_progress', id).waitFor();
    expect(await column(page, 'scheduled').locator(`[data-card-id="${id}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('refreshes the board and says "Updated, please try again" when another browser moved the card first', async () => {
    // The first browser does not poll, so its board is still the old one when it moves the card.
    const first = await openBoard({ poll: '0' });
    const second = await openBoard();
    const id = await cardId(first.page, 'scheduled', '14:00–15:00');

    await cardIn(second.page, 'scheduled', '14:00–15:00').dragTo(column(second.page, 'in_progress'));
    await settledIn(second.page, 'in_progress', id).waitFor();
    await cardIn(first.page, 'scheduled', '14:00–15:00').dragTo(column(first.page, 'canceled'));

    await toast(first.page, 'Updated, please try again').waitFor();
    await settledIn(first.page, 'in_progress', id).waitFor();
    await first.page.screenshot({ path: join(RESULTS, 'board-conflict.png') });
    expect(await column(first.page, 'canceled').locator(`[data-card-id="${id}"]`).count()).toBe(0);
    expect(await first.page.getByTestId('telemetry-moves').textContent()).toBe('1');
    expect(await first.page.getByTestId('telemetry-conflicts').textContent()).toBe('100%');
    expect([...first.errors, ...second.errors]).toEqual([]);
  });

  it('moves a card with the keyboard alone: focus it, open its menu, pick a column', async () => {
    const { page, errors } = await openBoard();
    const id = await cardId(page, 'ready', 'Grace Hopper');

    await cardIn(page, 'ready', 'Grace Hopper').focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      'Completed',
      'In progress',
      'Details',
    ]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');

    await settledIn(page, 'completed', id).waitFor();
    expect(await page.locator(':focus').getAttribute('data-card-id')).toBe(id);
    await page.reload();
    await settledIn(page, 'completed', id).waitFor();
    expect(errors).toEqual([]);
  });

  it('locks a card while its move is in flight and refuses to move it again until it settles', async () => {
    const { page, errors } = await openBoard({ date: tomorrow, poll: '0.3' });
    const id = await cardId(page, 'scheduled', '09:00–10:00');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/admin/moves/**', async (route) => {
      await held;
      await route.continue();
    });

    await cardIn(page, 'scheduled', '09:00–10:00').dragTo(column(page, 'in_progress'));
    const moving = column(page, 'in_progress').locator(`[data-card-id="${id}"]`);
    await moving.filter({ hasText: 'Moving to In progress' }).waitFor();
    await page.screenshot({ path: join(RESULTS, 'board-pending.png') });
    expect(await moving.getAttribute('draggable')).toBe('false');
    await moving.focus();
    await page.keyboard.press('Enter');
    await toast(page, 'still moving').waitFor();
    expect(await page.getByRole('menu').count()).toBe(0);
    // The board keeps polling meanwhile, and no poll puts the card back in its old column.
    const polled = page.waitForResponse((r) => r.url().includes('/board?'));
    await polled;
    await page.waitForTimeout(400);
    expect(await moving.getAttribute('data-state')).toBe('pending');

    release();
    await settledIn(page, 'in_progress', id).waitFor();
    expect(await moving.getAttribute('draggable')).toBe('true');
    expect(errors).toEqual([]);
  });

  it('re-POSTs a move answered 503 (fault injected by the browser route: service_unavailable) with the same move_id after Retry-After, and it lands once', async () => {
    const { page, errors } = await openBoard({ date: tomorrow });
    const id = await cardId(page, 'scheduled', '10:00–11:00');
    const moveIds: string[] = [];
    await page.route('**/api/admin/appointments/*/move', async (route) => {
      const moveId = JSON.parse(route.request().postData() ?? '{}').move_id;
      moveIds.push(moveId);
      if (moveIds.length === 1) {
        await route.fulfill({
          status: 503,
          contentType: 'application/json',
          headers: { 'retry-after': '1' },
          body: JSON.stringify({
            ok: false,
            error: {
              code: 'service_unavailable',
              message: 'the move queue is unavailable; try again',
              details: { move_id: moveId, status: 'pending' },
            },
          }),
        });
      } else {
        await route.continue();
      }
    });

    await cardIn(page, 'scheduled', '10:00–11:00').dragTo(column(page, 'canceled'));

    await settledIn(page, 'canceled', id).waitFor();
    expect(moveIds).toHaveLength(2);
    expect(moveIds[1]).toBe(moveIds[0]);
    expect(await settledIn(page, 'canceled', id).getAttribute('data-version')).toBe('2');
    expect(await page.getByTestId('toast').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('keeps a card locked through failing polls (fault injected by the browser route: connection refused), says it is still moving, and it lands without an error', async () => {
    const { page, errors } = await openBoard({ date: tomorrow });
    const id = await cardId(page, 'scheduled', '11:00–12:00');
    let refusing = true;
    const polledIds = new Set<string>();
    await page.route('**/api/admin/moves/**', async (route) => {
      polledIds.add(new URL(route.request().url()).pathname.split('/').pop() ?? '');
      if (refusing) await route.abort('connectionrefused');
      else await route.continue();
    });

    await cardIn(page, 'scheduled', '11:00–12:00').dragTo(column(page, 'in_progress'));
    const moving = column(page, 'in_progress').locator(`[data-card-id="${id}"]`);
    await moving.getByRole('status').filter({ hasText: 'Still moving to In progress' }).waitFor();
    expect(await moving.getAttribute('draggable')).toBe('false');
    expect(await page.getByTestId('toast').count()).toBe(0);

    refusing = false;
    await settledIn(page, 'in_progress', id).waitFor();
    expect(await settledIn(page, 'in_progress', id).getAttribute('data-version')).toBe('2');
    expect(polledIds.size).toBe(1);
    expect(await page.getByTestId('toast').count()).toBe(0);
    expect(await page.getByTestId('telemetry-moves').textContent()).toBe('1');
    expect(errors).toEqual([]);
  });

  it('polls the board with If-None-Match, and stops while the tab is hidden', async () => {
    const { page, errors } = await openBoard({ poll: '0.3' });
    const polls: Array<{ etag: string | undefined; status: number }> = [];
    page.on('response', (res) => {
      if (res.url().includes('/board?')) {
        polls.push({ etag: res.request().headers()['if-none-match'], status: res.status() });
      }
    });
    const setHidden = (hidden: boolean) =>
      page.evaluate(`Object.defineProperty(document, 'hidden', { value: ${hidden}, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'))`);

    await page.waitForTimeout(1000);
    const visible = polls.length;
    await setHidden(true);
    await page.waitForTimeout(300);
    const whenHidden = polls.length;
    await page.waitForTimeout(1000);
    const afterHidden = polls.length;
    await setHidden(false);
    await page.waitForResponse((r) => r.url().includes('/board?'));

    expect(visible).toBeGreaterThanOrEqual(2);
    expect(polls.slice(0, visible).every((p) => p.etag !== undefined && p.status === 304)).toBe(true);
    expect(afterHidden).toBe(whenHidden);
    expect(errors).toEqual([]);
  });

  it('says which columns are allowed when a card is dropped on a forbidden one', async () => {
    const { page, errors } = await openBoard();
    const id = await cardId(page, 'no_show', 'Ada Lovelace');

    await cardIn(page, 'no_show', 'Ada Lovelace').dragTo(column(page, 'ready'));

    await toast(page, 'No-show cannot go to Ready. Allowed: Scheduled.').waitFor();
    expect(await column(page, 'no_show').locator(`[data-card-id="${id}"]`).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('shows an empty day, an offline banner, and fits a phone screen', async () => {
    const { page, errors } = await openBoard({}, { width: 390, height: 844 });
    await page.screenshot({ path: join(RESULTS, 'board-phone.png') });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);

    await page.context().setOffline(true);
    await page.getByTestId('offline').waitFor({ timeout: 2000 });
    await page.context().setOffline(false);
    await page.getByTestId('offline').waitFor({ state: 'detached', timeout: 2000 });

    await page.getByRole('button', { name: 'Next day' }).click();
    await page.getByRole('button', { name: 'Next day' }).click();
    await page.getByTestId('empty').waitFor();
    expect(new URL(page.url()).searchParams.get('date')).toBe(addDays(today, 2));
    expect(errors).toEqual([]);
  });

  it('shows a viewer the board without any move control: no drag, no Move button, no Enter menu', async () => {
    // The same stack through a proxy that signs as the local viewer (as `PROXY_ROLE=viewer npm start`).
    const viewerProxy = await proxyAs(world.stack, 'viewer');
    let opened: Awaited<ReturnType<typeof openBoard>> | undefined;
    try {
      opened = await openBoard({}, undefined, viewerProxy.url);
      const { page, errors } = opened;
      expect(await page.locator('.page').getAttribute('data-role')).toBe('viewer');
      const cards = page.getByTestId('card');
      expect(await cards.count()).toBeGreaterThan(0);
      expect(await page.locator('[data-testid=card][draggable=true]').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Move', exact: true }).count()).toBe(0);
      expect(await page.locator('.card-move').count()).toBe(0);

      const first = cards.first();
      await first.focus();
      await page.keyboard.press('Enter');
      expect(await page.getByRole('menu').count()).toBe(0);
      expect(await first.getAttribute('aria-label')).not.toContain('Press Enter to move');
      expect(errors).toEqual([]);
    } finally {
      // The page first: its polls would keep the proxy's connections busy while it closes.
      await opened?.page.context().close();
      await viewerProxy.close();
    }
  });
});
