/**
 * The board page's day figures, card drawer, booking and roles end to end, in headless Chromium
 * through the signing proxy, with axe-core's accessibility check on the board, the drawer and
 * the booking form. Each test books its own cards on a day of its own, so tests share the stack
 * without touching each other's cards.
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { addDays } from '../../domain/days';
import { proxyRequest } from '../../local/proxy-request';
import {
  RESULTS,
  openBoard,
  proxyAs,
  seriousViolations,
  startBrowserStack,
  type BrowserStack,
} from './support/browser-stack';

let world: BrowserStack;
const contexts: BrowserContext[] = [];
let nextDay = 10;

beforeAll(async () => {
  world = await startBrowserStack();
}, 120_000);

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await world?.stop();
});

/** The API through the admin proxy, as any other client. */
const api = <T>(method: string, path: string, body?: unknown) =>
  proxyRequest<T>(world.baseUrl, method, path, body);

interface Booked {
  id: string;
  version: number;
  day: string;
}

/** A card of customer 3 (Alan Turing) at 10:00–11:00 UTC on a day no other test uses. */
async function bookOwnDay(notes?: string): Promise<Booked> {
  const day = addDays(world.today, nextDay++);
  const a = await api<{ id: string; version: number }>('POST', '/api/admin/appointments', {
    customer_id: '3',
    vehicle_id: '3',
    appt_start: `${day}T10:00:00Z`,
    appt_end: `${day}T11:00:00Z`,
    service_codes: ['OIL001'],
    ...(notes ? { notes } : {}),
  });
  return { id: a.id, version: a.version, day };
}

async function moveByApi(card: Booked, to: string): Promise<void> {
  const move = await api<{ move_id: string }>('POST', `/api/admin/appointments/${card.id}/move`, {
    to_status: to,
    expected_version: card.version,
  });
  const done = await api<{ status: string; version: number }>(
    'GET',
    `/api/admin/moves/${move.move_id}?wait_ms=5000`,
  );
  if (done.status !== 'applied') throw new Error(`move to ${to}: ${done.status}`);
  card.version = done.version;
}

const cardEl = (page: Page, id: string) => page.locator(`[data-card-id="${id}"]`);
const figure = (page: Page, label: string) =>
  page.getByRole('region', { name: 'Day figures' }).locator(`[data-figure="${label}"] dd`);

describe('the board page: figures, drawer, booking, roles', () => {
  it('passes the accessibility check on the board, shows the day figures and the zone, and measures first paint', async () => {
    const { page, errors } = await openBoard(world.browser, contexts, world.baseUrl, { date: world.today });

    await figure(page, 'Completed').waitFor();
    expect(await page.getByRole('region', { name: 'Day figures' }).textContent()).toMatch(
      /^Car count\d+Completed\d+Revenue\$[\d,.]+Average repair order(\$[\d,.]+|—)Show rate(\d+%|—)Average cycle time/,
    );
    expect(await page.getByTestId('zone').textContent()).toBe('Status board · times in UTC');
    expect(await seriousViolations(page)).toEqual([]);

    const paint = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return { fcp_ms: fcp ? Math.round(fcp.startTime) : null, dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd) };
    })()`)) as { fcp_ms: number | null; dom_content_loaded_ms: number };
    // The machine's load beside the figure: a first paint means little without it.
    const measured = {
      ...paint,
      load_average_1m: Number(loadavg()[0]?.toFixed(2)),
      at: new Date().toISOString(),
    };
    await writeFile(join(RESULTS, 'board-first-paint.json'), JSON.stringify(measured, null, 2));
    expect(paint.fcp_ms).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('books an appointment from the form (customer search, vehicles, times in the shop zone), shows a server error next to its field, and the card is in Scheduled at once', async () => {
    const day = addDays(world.today, nextDay++);
    // Polling off: the booked card must show without waiting for a poll.
    const { page, errors } = await openBoard(world.browser, contexts, world.baseUrl, {
      date: world.today,
      poll: '0',
    });
    await page.getByLabel('Day shown').fill(day);
    await page.getByTestId('empty').waitFor();

    // Keyboard: open the form, Esc closes it and gives the button its focus back; open it again.
    await page.getByRole('button', { name: 'New appointment' }).focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('dialog', { name: 'New appointment' });
    await form.getByLabel('Customer').waitFor();
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    await page.locator('#new-appointment:focus').waitFor();
    await page.keyboard.press('Enter');
    await form.getByLabel('Customer').fill('Gr');
    await form.getByRole('button', { name: /^Grace Hopper/ }).click();
    await form
      .getByLabel('Vehicle')
      .locator('option', { hasText: 'Honda Civic' })
      .waitFor({ state: 'attached' });
    expect(await form.getByLabel('Date').inputValue()).toBe(day);
    await form.getByLabel('Start').fill('15:00');
    await form.getByLabel('End').fill('14:30');
    await form.getByLabel('Services').selectOption(['OIL001']);
    await form.getByLabel('Notes').fill('Booked from the board');
    expect(await seriousViolations(page, '.booking')).toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'board-booking.png') });
    await form.getByRole('button', { name: 'Book' }).click();

    // The API's 422 names appt_end: the error shows under End.
    await form.locator('#book-end-err').filter({ hasText: 'must be after appt_start' }).waitFor();
    expect(await form.getByLabel('End').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('End').fill('16:00');
    await form.getByRole('button', { name: 'Book' }).click();

    await form.waitFor({ state: 'detached' });
    const booked = page
      .locator('[data-column="scheduled"] [data-testid=card]')
      .filter({ hasText: 'Grace Hopper' });
    await booked.filter({ hasText: '15:00–16:00' }).waitFor();
    expect(await booked.textContent()).toContain('Booked from the board');
    const api = await fetch(`${world.baseUrl}/api/admin/appointments/board?date=${day}`);
    const board = (await api.json()) as {
      data: { columns: { scheduled: { items: Array<{ id: string; appt_start: string }> } } };
    };
    expect(board.data.columns.scheduled.items.map((i) => i.appt_start)).toEqual([`${day}T15:00:00.000Z`]);
    expect(errors).toEqual([]);
  });

  it('opens a card drawer by click, saves its notes and shows the edit in its history; Esc closes it and focus returns to the card', async () => {
    const card = await bookOwnDay();
    const { page, errors } = await openBoard(world.browser, contexts, world.baseUrl, { date: card.day });

    await cardEl(page, card.id).click();
    const drawer = page.getByRole('dialog', { name: /Alan Turing/ });
    await drawer.getByTestId('history-entry').first().waitFor();
    expect(await drawer.getByTestId('history-entry').allTextContents()).toEqual([
      expect.stringMatching(/^Booked in Scheduled.*LOCALDEV \(admin\)/),
    ]);
    expect(await seriousViolations(page, '.drawer')).toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'board-drawer.png') });

    await drawer.getByLabel('Notes').fill('Check the wipers too');
    await drawer.getByRole('button', { name: 'Save' }).click();
    await drawer.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await drawer
      .getByTestId('history-entry')
      .first()
      .filter({ hasText: 'Notes: none → “Check the wipers too”' })
      .waitFor();
    expect(await drawer.getByTestId('history-entry').count()).toBe(2);

    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await page.locator(':focus').getAttribute('data-card-id')).toBe(card.id);
    await cardEl(page, card.id).filter({ hasText: 'Check the wipers too' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('opens the drawer with Enter then Details, keeps focus inside it, and after a 409 says what changed and keeps the unsaved text', async () => {
    const card = await bookOwnDay();
    const { page, errors } = await openBoard(world.browser, contexts, world.baseUrl, {
      date: card.day,
      poll: '0',
    });

    await cardEl(page, card.id).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Details' }).waitFor();
    await page.keyboard.press('ArrowUp');
    expect(await page.locator(':focus').textContent()).toBe('Details');
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: /Alan Turing/ });
    await drawer.getByLabel('Notes').fill('My words, not saved yet');
    // Tab around the whole dialog: focus never leaves it.
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate('!!document.activeElement.closest("dialog")')).toBe(true);
    }

    // Someone else edits the card first.
    await api('PATCH', `/api/admin/appointments/${card.id}`, {
      expected_version: card.version,
      appt_end: `${card.day}T12:00:00Z`,
    });
    await drawer.getByRole('button', { name: 'Save' }).click();

    await drawer
      .getByRole('alert')
      .filter({ hasText: 'Someone else changed this card first (End)' })
      .waitFor();
    expect(await drawer.getByLabel('Notes').inputValue()).toBe('My words, not saved yet');
    expect(await drawer.getByLabel('End').inputValue()).toBe(`${card.day}T12:00`);
    await drawer.getByRole('button', { name: 'Save' }).click();
    await drawer
      .getByTestId('history-entry')
      .first()
      .filter({ hasText: 'My words, not saved yet' })
      .waitFor();
    expect(errors).toEqual([]);
  });

  it('changes the day figures after a move completes a card', async () => {
    const card = await bookOwnDay();
    await moveByApi(card, 'in_progress');
    await moveByApi(card, 'ready');
    const { page, errors } = await openBoard(world.browser, contexts, world.baseUrl, {
      date: card.day,
      poll: '0.5',
    });
    await figure(page, 'Completed').filter({ hasText: /^0$/ }).waitFor();
    const revenue = await figure(page, 'Revenue').textContent();

    await cardEl(page, card.id).dragTo(page.locator('[data-column="completed"]'));

    await figure(page, 'Completed').filter({ hasText: /^1$/ }).waitFor();
    expect(await figure(page, 'Revenue').textContent()).not.toBe(revenue);
    expect(errors).toEqual([]);
  });

  it('filters the board by technician through the API, and assigns a technician from the drawer', async () => {
    const tech = await api<{ id: string; name: string }>('POST', '/api/admin/technicians', {
      id: `t-${nextDay}`,
      name: `Linus ${nextDay}`,
    });
    const assigned = await bookOwnDay();
    const other = await api<{ id: string }>('POST', '/api/admin/appointments', {
      customer_id: '1',
      vehicle_id: '1',
      appt_start: `${assigned.day}T12:00:00Z`,
      appt_end: `${assigned.day}T13:00:00Z`,
      service_codes: ['OIL001'],
    });
    await api('PATCH', `/api/admin/appointments/${assigned.id}`, {
      expected_version: assigned.version,
      technician_id: tech.id,
    });
    const { page, errors } = await openBoard(world.browser, contexts, world.baseUrl, { date: assigned.day });
    await cardEl(page, assigned.id)
      .filter({ hasText: `Technician: ${tech.name}` })
      .waitFor();
    expect(await cardEl(page, other.id).textContent()).toMatch(/Unassigned.*scheduled \d+ m/);
    const boardAsked = (filter: string) =>
      page.waitForResponse((r) => r.url().includes('/board?') && r.url().includes(`technician_id=${filter}`));

    const filter = page.getByRole('combobox', { name: 'Technician', exact: true });
    await Promise.all([boardAsked(tech.id), filter.selectOption({ label: tech.name })]);
    await cardEl(page, other.id).waitFor({ state: 'detached' });
    expect(await page.getByTestId('card').count()).toBe(1);

    await Promise.all([boardAsked('none'), filter.selectOption({ label: 'Unassigned' })]);
    await cardEl(page, other.id).waitFor();
    expect(await cardEl(page, assigned.id).count()).toBe(0);

    // Assign it from the drawer: it leaves the unassigned board.
    await cardEl(page, other.id).click();
    const drawer = page.getByRole('dialog', { name: /Ada Lovelace/ });
    await drawer.getByLabel('Technician').selectOption({ label: tech.name });
    await drawer.getByRole('button', { name: 'Save' }).click();
    await drawer
      .getByTestId('history-entry')
      .first()
      .filter({ hasText: `Technician: none → “${tech.name}”` })
      .waitFor();
    await page.keyboard.press('Escape');
    await cardEl(page, other.id).waitFor({ state: 'detached' });

    await filter.selectOption({ label: 'All' });
    await cardEl(page, other.id)
      .filter({ hasText: `Technician: ${tech.name}` })
      .waitFor();
    expect(errors).toEqual([]);
  });

  it.each([
    ['viewer', false, false],
    ['staff', false, true],
    ['admin', true, true],
  ] as const)(
    'shows the %s role the booking button: %p, and the drawer edit: %p',
    async (role, books, edits) => {
      const card = await bookOwnDay('Seen by every role');
      const proxy = await proxyAs(world.stack, role);
      let opened: Awaited<ReturnType<typeof openBoard>> | undefined;
      try {
        opened = await openBoard(world.browser, contexts, proxy.url, { date: card.day });
        const { page, errors } = opened;
        expect(await page.locator('.page').getAttribute('data-role')).toBe(role);
        expect(await page.getByRole('button', { name: 'New appointment' }).count()).toBe(books ? 1 : 0);

        await cardEl(page, card.id).click();
        const drawer = page.getByRole('dialog', { name: /Alan Turing/ });
        await drawer.getByTestId('history-entry').first().waitFor();
        expect(await drawer.getByLabel('Notes').count()).toBe(edits ? 1 : 0);
        expect(await drawer.getByRole('button', { name: 'Save' }).count()).toBe(edits ? 1 : 0);
        expect(await drawer.getByLabel('Start').count()).toBe(role === 'admin' ? 1 : 0);
        if (role === 'viewer') {
          expect(await page.locator('[data-testid=card][draggable=true]').count()).toBe(0);
        }
        expect(errors).toEqual([]);
      } finally {
        // The page first: its polls would keep the proxy's connections busy while it closes.
        await opened?.page.context().close();
        await proxy.close();
      }
    },
  );
});
