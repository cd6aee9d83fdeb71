/**
 * The board page's browser tests' world: the whole local stack on free ports with demo data
 * (its own table on the DynamoDB Local and SQS emulator Jest's global setup started), the page
 * served through the signing proxy exactly as a developer opens it after `npm start`, and
 * headless Chromium (Debian's `chromium` package, driven by playwright-core).
 */
import { mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { keyForRole } from '../../../client/local-keys';
import type { Role } from '../../../domain/roles';
import { launchChromium } from '../../../local/chromium';
import { loadLocalConfig } from '../../../local/local-config';
import { startLocalStackFromConfig, type RunningStack } from '../../../local/run-local-stack';
import { startSigningProxy } from '../../../local/signing-proxy';
import { createStaticFiles, ensureWebBuild } from '../../../local/static-files';
import { localServices } from '../../support/test-app';

export const RESULTS = join(__dirname, '../../../test-results');

export interface BrowserStack {
  stack: RunningStack;
  browser: Browser;
  /** The signing proxy (admin) in front of the stack's API. */
  baseUrl: string;
  /** The demo data's first day: the UTC day the stack started on. */
  today: string;
  stop(): Promise<void>;
}

/** `env` adds to (or overrides) the stack's environment: SHOP_TIMEZONE, say. */
export async function startBrowserStack(env: Record<string, string> = {}): Promise<BrowserStack> {
  const browser = await launchChromium();
  await ensureWebBuild();
  const services = localServices();
  const config = loadLocalConfig({
    ...process.env,
    PORT: '0',
    PROXY_PORT: '0',
    HOST: '127.0.0.1',
    AUTH: 'iam',
    SEED: 'demo',
    TABLE_NAME: `e2e-board-${randomUUID().slice(0, 8)}`,
    AWS_REGION: services.region,
    DYNAMODB_ENDPOINT: services.dynamodbEndpoint,
    SQS_ENDPOINT: services.sqsEndpoint,
    LOG_LEVEL: 'silent',
    METRICS_SINK: 'off',
    SWEEP_INTERVAL_MS: '0',
    ...env,
  });
  const today = new Date().toISOString().slice(0, 10);
  const stack = await startLocalStackFromConfig(config, {
    inMemory: true,
    verbose: false,
    staticFiles: createStaticFiles(),
    // Queues of its own on the shared emulator: the browser test files run side by side, and a
    // worker must never take another stack's moves.
    queuePrefix: `${config.TABLE_NAME}-`,
  });
  await mkdir(RESULTS, { recursive: true });
  return {
    stack,
    browser,
    baseUrl: stack.proxyUrl ?? '',
    today,
    async stop() {
      await browser.close();
      await stack.stop();
    },
  };
}

/** A proxy in front of the same stack signing as `role` (as `PROXY_ROLE=<role> npm start`). */
export async function proxyAs(stack: RunningStack, role: Role) {
  const key = keyForRole(role);
  if (!key) throw new Error(`no local ${role} key`);
  return startSigningProxy({
    port: 0,
    host: '127.0.0.1',
    targetUrl: stack.apiUrl,
    region: 'us-west-2',
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
  });
}

export interface OpenPage {
  page: Page;
  /** Script errors and CSP violations; failed requests the test provoked are not errors. */
  errors: string[];
}

/** Opens the board in a fresh context (closed by `closeAll`) and waits until it knows its role. */
export async function openBoard(
  browser: Browser,
  contexts: BrowserContext[],
  origin: string,
  query: Record<string, string>,
  viewport = { width: 1400, height: 820 },
): Promise<OpenPage> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  // Under a loaded CI machine one step can take seconds; the tests bound their own time too.
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  await page.goto(`${origin}/?${new URLSearchParams(query)}`);
  await page.getByTestId('card').first().waitFor();
  // The page knows who it acts as (GET /api/me) before it offers any move control.
  await page.locator('.page:not([data-role="unknown"])').waitFor();
  return { page, errors };
}

/** axe-core's serious and critical violations on the page (or inside `selector`), one line each. */
export async function seriousViolations(page: Page, selector?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  if (selector) builder.include(selector);
  const { violations } = await builder.analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
