/**
 * What the dashboard's browser tests share: Debian's Chromium driven by playwright-core, the harness that launches it
 * for a describe block (useDashboard), auto-waiting helpers (no fixed sleeps) and screenshots to
 * test-results/screenshots/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { DASHBOARD_DIR } from '../../src/api/dashboard.ts';
import { ADMIN_TOKEN } from './herald.ts';
import type { TestServer } from './test-server.ts';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];
export const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results/screenshots');
/** How long any one thing may take to show up (auto-waiting locators poll until then). */
export const WAIT_MS = 15_000;

export const chromiumMissing = !existsSync(CHROMIUM);
const ci = process.env['CI'] === 'true';
/** Skipped (with the reason) where Chromium is missing, except in CI, where that fails the tests. */
export const skipBrowser = chromiumMissing && !ci
  ? `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) to run the browser tests`
  : false;

/** Checks what the tests need (Chromium, the built dashboard) and launches the browser. */
export async function launchBrowser(): Promise<Browser> {
  if (chromiumMissing) throw new Error(`${CHROMIUM} is missing and CI=true: the browser tests need Debian's chromium package (.ci/run installs it)`);
  if (!existsSync(path.join(DASHBOARD_DIR, 'index.html'))) throw new Error('The dashboard is not built: run npm run build --workspace @herald/dashboard');
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A fresh context (no cookies, no storage) whose locators wait up to WAIT_MS. */
export async function newContext(browser: Browser, width = 1280, height = 860): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height } });
  context.setDefaultTimeout(WAIT_MS);
  return context;
}

/** Waits until the locator's first match is visible. */
export const visible = (locator: Locator, timeout = WAIT_MS) => locator.first().waitFor({ state: 'visible', timeout });

/** Polls a condition in the page's terms (a count, a text) until it holds, like Playwright Test's expect.poll. */
export async function eventually(what: string, probe: () => Promise<boolean>, timeout = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A full-page screenshot from the top (the sticky bar stays in place), with transitions finished. */
export async function shot(p: Page, name: string): Promise<void> {
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Collects uncaught page errors, to assert there were none. */
export function pageErrorLog() {
  const errors: string[] = [];
  return { errors, watch: (p: Page) => p.on('pageerror', (e) => errors.push(`${p.url()}: ${e.message}`)) };
}

/** A page in a fresh context, signed in with `token` as the sign-in form would leave the tab (its sessionStorage). */
export async function signedInPage(browser: Browser, token: string): Promise<Page> {
  const context = await newContext(browser);
  await context.addInitScript((t) => sessionStorage.setItem('herald.token', t), token);
  return context.newPage();
}

export interface TestDashboard {
  readonly browser: Browser;
  /** The page the tests share: signed in as the admin unless asked otherwise, watched for uncaught errors. */
  readonly page: Page;
  /** Uncaught errors of every watched page, to assert there were none. */
  readonly pageErrors: string[];
  /** Watches another page for uncaught errors. */
  watch(page: Page): void;
  /**
   * Opens the application's consumer portal as a customer would: a read-only link minted through the API, in a
   * context of its own (a narrower window), watched for uncaught errors. `close` ends the context.
   */
  openPortal(appId: string): Promise<{ portal: Page; close(): Promise<void> }>;
}

/**
 * The one harness for browser tests: after the test server's own hook, launches Chromium (closed before Herald stops)
 * and opens the page the tests share: 'signed-in' (the admin's token, as the sign-in form leaves the tab),
 * 'signed-out' (a fresh context), or 'none' (the tests open their own).
 */
export function useDashboard(server: TestServer, options: { page?: 'signed-in' | 'signed-out' | 'none' } = {}): TestDashboard {
  let browser: Browser | undefined;
  let page: Page | undefined;
  const { errors, watch } = pageErrorLog();
  before(async () => {
    browser = await launchBrowser();
    const launched = browser;
    server.onCleanup(() => launched.close());
    const wanted = options.page ?? 'signed-in';
    if (wanted === 'none') return;
    page = wanted === 'signed-in' ? await signedInPage(browser, ADMIN_TOKEN) : await (await newContext(browser)).newPage();
    watch(page);
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not open: use it from a hook or test${what === 'The page' ? ", and do not ask for page: 'none'" : ''}`);
    return value;
  };
  return {
    get browser() {
      return started(browser, 'Chromium');
    },
    get page() {
      return started(page, 'The page');
    },
    pageErrors: errors,
    watch,
    async openPortal(appId) {
      const access = await server.call('POST', `/api/v1/auth/app-portal-access/${appId}`, { readOnly: true });
      if (access.status !== 200) throw new Error(`minting a portal link answered ${access.status}: ${JSON.stringify(access.json)}`);
      const customer = await newContext(started(browser, 'Chromium'), 1100, 820);
      const portal = await customer.newPage();
      watch(portal);
      await portal.goto(access.json.url);
      return { portal, close: () => customer.close() };
    },
  };
}
