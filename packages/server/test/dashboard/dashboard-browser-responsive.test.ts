/**
 * Every view of the dashboard and the portal on a phone (360 px) and a desktop (1280 px), in Chromium: the page never
 * scrolls sideways (wide tables scroll inside their own box), and nothing sticks out of the viewport. Screenshots of
 * each go to a temporary directory, named in the test's output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, newContext, skipBrowser as skip, visible, useDashboard } from '../helpers/browser.ts';
import { operatorViews, portalViews, seedViews, type Seeded } from '../helpers/dashboard-views.ts';
import { ADMIN_TOKEN } from '../helpers/herald.ts';
import { useTestServer } from '../helpers/test-server.ts';

const WIDTHS = [360, 1280];
const SHOTS = mkdtempSync(path.join(tmpdir(), 'herald-responsive-'));

/**
 * What overflows the viewport: the document's own sideways scroll, and any visible element whose box reaches past
 * the right edge without an ancestor that scrolls or clips it (a table in its scroll box is fine).
 */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const found: string[] = [];
    if (doc.scrollWidth > doc.clientWidth) found.push(`the document is ${doc.scrollWidth} px wide in ${doc.clientWidth}`);
    // No helper functions in here: the test runner's transform would name them with a helper the page lacks.
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= doc.clientWidth + 0.5) continue;
      let clipped = false;
      for (let a = el.parentElement; a && a !== document.body && !clipped; a = a.parentElement) {
        clipped = ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX);
      }
      if (clipped) continue;
      const name = `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
      found.push(`${name} reaches ${Math.round(box.right)} px: "${(el.textContent ?? '').trim().slice(0, 40)}"`);
      if (found.length > 8) break;
    }
    return found;
  });
}

describe('the dashboard at phone and desktop widths', { skip, timeout: 240_000 }, () => {
  const server = useTestServer({ receiver: true });
  const ui = useDashboard(server, { page: 'none' });
  let seeded: Seeded;
  let portalUrl: string;

  before(async () => {
    seeded = await seedViews(server.herald.url, server.receiver.url('/a/rather/long/path/for/the/billing/receiver/hook'));
    portalUrl = (await server.call('POST', `/api/v1/auth/app-portal-access/${seeded.appId}`, {})).json.url;
    process.stdout.write(`# screenshots: ${SHOTS}\n`);
  });

  /** Opens each view in turn, waits for its content, screenshots it and collects what overflows. */
  async function walk(page: Page, width: number, views: [string, string][]): Promise<string[]> {
    const problems: string[] = [];
    for (const [name, hash] of views) {
      await page.evaluate((h) => (window.location.hash = h), hash);
      await eventually(`the ${name} view`, async () => (await page.locator('main .spinner, [data-testid="not-found"]').count()) === 0);
      await page.screenshot({ path: path.join(SHOTS, `${width}-${name}.png`), fullPage: true, animations: 'disabled' });
      for (const p of await overflow(page)) problems.push(`${width} px, ${name}: ${p}`);
    }
    return problems;
  }

  for (const width of WIDTHS) {
    it(`every operator view fits ${width} px`, async () => {
      const context = await newContext(ui.browser, width, 800);
      try {
        const page = await context.newPage();
        ui.watch(page);
        await page.goto(`${server.herald.url}/ui/`);
        await visible(page.getByRole('button', { name: 'Sign in' }));
        const problems = await walk(page, width, [['sign-in', '']]);
        await page.getByLabel('API token').fill(ADMIN_TOKEN);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await visible(page.getByRole('heading', { name: 'Applications' }));
        // Every part of the top bar can be reached: the sections, and signing out.
        for (const link of ['Applications', 'Event types', 'Sources', 'Tokens', 'Audit']) await visible(page.getByRole('navigation').getByRole('link', { name: link }));
        await visible(page.getByRole('button', { name: 'Sign out' }));
        problems.push(...await walk(page, width, operatorViews(seeded)));
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it(`every portal view fits ${width} px`, async () => {
      const context = await newContext(ui.browser, width, 800);
      try {
        const page = await context.newPage();
        ui.watch(page);
        await page.goto(portalUrl);
        await visible(page.getByTestId('endpoint-list'));
        assert.deepEqual(await walk(page, width, portalViews(seeded)), []);
      } finally {
        await context.close();
      }
    });
  }

  it('the tabs of an application can all be reached at 360 px', async () => {
    const context = await newContext(ui.browser, 360, 800);
    try {
      await context.addInitScript((t) => sessionStorage.setItem('herald.token', t), ADMIN_TOKEN);
      const page = await context.newPage();
      await page.goto(`${server.herald.url}/ui/#/apps/${seeded.appId}/endpoints`);
      const tabs = page.getByRole('navigation', { name: 'Sections' });
      for (const name of ['Endpoints', 'Messages', 'Attempts', 'Live', 'Stats', 'Event types', 'Settings']) {
        const tab = tabs.getByRole('link', { name, exact: true });
        await tab.scrollIntoViewIfNeeded();
        const box = await tab.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 360 + 0.5, `the ${name} tab is at ${box?.x}..${box && box.x + box.width}`);
        await tab.click();
        await eventually(`the ${name} tab`, async () => (await tab.getAttribute('aria-current')) === 'page');
      }
    } finally {
      await context.close();
    }
    assert.deepEqual(ui.pageErrors, []);
  });
});
