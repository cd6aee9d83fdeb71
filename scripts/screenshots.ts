/**
 * `npm run screenshots`: the README's pictures of the board page, taken from a fresh seeded stack
 * (in memory, demo data, technicians on today's cards) in headless Chromium through the
 * signing proxy: docs/board.png (the board with the day figures), docs/board-drawer.png (a card's
 * drawer with its history) and docs/board-booking.png (the booking form with a customer found).
 * Run it again after a change to the page to refresh them.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../local/chromium';
import { loadLocalConfig } from '../local/local-config';
import { proxyRequest } from '../local/proxy-request';
import { startLocalStackFromConfig } from '../local/run-local-stack';
import { createStaticFiles, ensureWebBuild } from '../local/static-files';

const DOCS = join(__dirname, '..', 'docs');
const VIEWPORT = { width: 1400, height: 860 };

const api = proxyRequest;

type BoardData = { columns: Record<string, { items: Array<{ id: string; version: number }> }> };

/** Two technicians, each on some of today's cards, so the cards show who works on them. */
async function assignTechnicians(base: string, day: string): Promise<void> {
  const techs = [
    { id: 'linus', name: 'Linus Torvalds' },
    { id: 'margaret', name: 'Margaret Hamilton' },
  ];
  for (const t of techs) await api(base, 'POST', '/api/admin/technicians', t);
  const board = await api<BoardData>(base, 'GET', `/api/admin/appointments/board?date=${day}`);
  const cards = ['in_progress', 'ready', 'completed', 'scheduled'].flatMap(
    (s) => board.columns[s]?.items ?? [],
  );
  for (const [i, card] of cards.slice(0, 4).entries()) {
    await api(base, 'PATCH', `/api/admin/appointments/${card.id}`, {
      expected_version: card.version,
      technician_id: techs[i % 2]?.id,
    });
  }
}

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(DOCS, name);
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
}

async function main(): Promise<void> {
  await ensureWebBuild({ log: (line) => console.log(line) });
  const browser = await launchChromium();
  const config = loadLocalConfig({
    ...process.env,
    PORT: '0',
    PROXY_PORT: '0',
    HOST: '127.0.0.1',
    AUTH: 'iam',
    SEED: 'demo',
    TABLE_NAME: 'screenshots',
    LOG_LEVEL: 'silent',
    METRICS_SINK: 'off',
    SWEEP_INTERVAL_MS: '0',
  });
  const stack = await startLocalStackFromConfig(config, {
    inMemory: true,
    verbose: false,
    staticFiles: createStaticFiles(),
  });
  try {
    const base = stack.proxyUrl ?? '';
    const day = new Date().toISOString().slice(0, 10);
    await assignTechnicians(base, day);
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${base}/?date=${day}&poll=0`);
    await page.locator('[data-figure="Completed"]').waitFor();
    await page.getByTestId('card').first().waitFor();
    await shoot(page, 'board.png');

    // Taller, so the drawer's history shows below its fields and edit form.
    await page.setViewportSize({ width: VIEWPORT.width, height: 1280 });
    await page.getByTestId('card').filter({ hasText: 'Grace Hopper' }).first().click();
    await page.getByRole('dialog').getByTestId('history-entry').first().waitFor();
    await shoot(page, 'board-drawer.png');
    await page.keyboard.press('Escape');
    await page.setViewportSize(VIEWPORT);

    await page.getByRole('button', { name: 'New appointment' }).click();
    const form = page.getByRole('dialog', { name: 'New appointment' });
    await form.getByLabel('Customer').fill('Ad');
    await form.getByRole('button', { name: /^Ada Lovelace/ }).waitFor();
    await shoot(page, 'board-booking.png');
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
