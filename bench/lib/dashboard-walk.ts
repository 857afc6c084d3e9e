import type { Browser, Page, Request } from 'playwright-core';
import { ADMIN_TOKEN } from '../../packages/server/test/helpers/herald.ts';
import { signedInPage } from '../../packages/server/test/helpers/browser.ts';
import { RARE_EVENT_TYPE, RARE_TAG, type SeededShop } from './dashboard-seed.ts';
import { percentile } from './stats.ts';
import { now, round, sleep } from './util.ts';

/** One view of the dashboard: where it is, and what shows once its data is there. */
interface View {
  name: string;
  hash: string;
  ready: string;
}

/**
 * The views a user goes through with a big application, in order: the lists (first page, a later one, one in the
 * middle, filters that match few or no messages), a message and its attempt, the attempts tab, the stats.
 */
function views(shop: SeededShop, attemptId: string): View[] {
  const app = `#/apps/${shop.appId}`;
  const [all, failing] = shop.endpointIds;
  const rows = (testId: string) => `[data-testid="${testId}"] tbody tr`;
  return [
    { name: 'applications', hash: '#/apps', ready: 'table.list tbody tr' },
    { name: 'endpoints', hash: `${app}/endpoints`, ready: rows('endpoint-list') },
    { name: 'messages', hash: `${app}/messages`, ready: rows('message-list') },
    { name: 'messagesMiddlePage', hash: `${app}/messages?iterator=${shop.middle.id}`, ready: rows('message-list') },
    { name: 'messagesRareType', hash: `${app}/messages?event_types=${RARE_EVENT_TYPE}`, ready: rows('message-list') },
    { name: 'messagesAbsentType', hash: `${app}/messages?event_types=no.such.type`, ready: '.empty-state' },
    { name: 'messagesRareTag', hash: `${app}/messages?tag=${RARE_TAG}`, ready: rows('message-list') },
    { name: 'messagesChannel', hash: `${app}/messages?channel=us`, ready: rows('message-list') },
    { name: 'messagesBefore', hash: `${app}/messages?before=${encodeURIComponent(new Date(shop.middle.at).toISOString())}`, ready: rows('message-list') },
    { name: 'message', hash: `${app}/messages/${shop.middle.id}`, ready: '[data-testid="delivery"] tbody tr' },
    { name: 'attempt', hash: `${app}/messages/${shop.middle.id}/attempts/${attemptId}`, ready: '[data-testid="attempt-request-headers"]' },
    { name: 'attempts', hash: `${app}/attempts?endpoint=${all}`, ready: 'table.list tbody tr' },
    { name: 'attemptsFailed', hash: `${app}/attempts?endpoint=${failing}&status=2`, ready: 'table.list tbody tr' },
    { name: 'endpointWithStats', hash: `${app}/endpoints/${all}`, ready: '[data-testid="stats-summary"]' },
    { name: 'appStats', hash: `${app}/stats`, ready: '[data-testid="stats-summary"]' },
  ];
}

/** API calls in flight, and how long each finished one took in the browser (request sent to last byte), by route. */
class ApiCalls {
  private readonly inFlight = new Set<Request>();
  readonly durations = new Map<string, number[]>();

  watch(page: Page): void {
    const isApi = (r: Request) => new URL(r.url()).pathname.startsWith('/api/') && !r.url().includes('/stream');
    page.on('request', (r) => isApi(r) && this.inFlight.add(r));
    page.on('requestfailed', (r) => this.inFlight.delete(r));
    page.on('requestfinished', (r) => {
      if (!this.inFlight.delete(r)) return;
      const route = new URL(r.url()).pathname.replace(/\/(app|ep|msg|atmpt)_[A-Za-z0-9]+/g, '/$1_…');
      const list = this.durations.get(route) ?? [];
      list.push(r.timing().responseEnd);
      this.durations.set(route, list);
    });
  }

  get idle(): boolean {
    return this.inFlight.size === 0;
  }
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

/** Waits for the view's content, then for no spinner and no API call in flight. */
async function settle(page: Page, calls: ApiCalls, ready: string): Promise<void> {
  await page.locator(ready).first().waitFor({ state: 'visible', timeout: 30_000 });
  const deadline = now() + 30_000;
  while (!(calls.idle && (await page.locator('[role="status"]').count()) === 0)) {
    if (now() > deadline) throw new Error(`${page.url()} did not settle`);
    await sleep(5);
  }
}

export interface WalkResult {
  /** Per view, the median over the runs of the time from navigation to its data on screen, ms. */
  viewMs: Record<string, number>;
  /** Per API route, the slowest call seen in the measured runs, ms. */
  apiMaxMs: Record<string, number>;
  firstLoadMs: number;
}

/**
 * Opens the dashboard (the first load: HTML, script, sign-in check, the applications), then goes through every
 * view `runs` times the way a click would (a hash change in the loaded app). A warm-up round goes first, unmeasured.
 */
export async function walkDashboard(browser: Browser, baseUrl: string, shop: SeededShop, attemptId: string, runs: number): Promise<WalkResult> {
  const page = await signedInPage(browser, ADMIN_TOKEN);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const calls = new ApiCalls();
  calls.watch(page);
  try {
    const t0 = now();
    await page.goto(`${baseUrl}/ui/#/apps`);
    await settle(page, calls, 'table.list tbody tr');
    const firstLoadMs = round(now() - t0, 1);
    const all = views(shop, attemptId);
    const samples = new Map<string, number[]>();
    for (let run = -1; run < runs; run++) {
      if (run === 0) calls.durations.clear();
      for (const view of all) {
        // Elsewhere first, so that the view mounts afresh and fetches everything, as it does when a user arrives.
        await page.evaluate(() => (location.hash = '#/blank'));
        await page.locator('[data-testid="not-found"]').waitFor();
        const started = now();
        await page.evaluate((hash) => (location.hash = hash), view.hash);
        await settle(page, calls, view.ready);
        if (run >= 0) samples.set(view.name, [...(samples.get(view.name) ?? []), now() - started]);
      }
    }
    if (errors.length > 0) throw new Error(`the dashboard threw: ${errors.join('; ')}`);
    const viewMs = Object.fromEntries([...samples].map(([name, ms]) => [name, round(median(ms), 1)]));
    const apiMaxMs = Object.fromEntries([...calls.durations].map(([route, ms]) => [route, round(Math.max(...ms), 1)]));
    return { viewMs, apiMaxMs, firstLoadMs };
  } finally {
    await page.context().close();
  }
}
