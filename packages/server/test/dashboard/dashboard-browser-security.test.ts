/**
 * The dashboard under its Content-Security-Policy, in Chromium: every view renders and the browser reports no
 * violation (no inline script or style, no request elsewhere); the consumer portal can be framed by an origin in
 * HERALD_PORTAL_FRAME_ANCESTORS and not by another, and the operator dashboard by nobody.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { eventually, newContext, shot, signedInPage, skipBrowser as skip, visible, useDashboard } from '../helpers/browser.ts';
import { operatorViews, portalViews, seedViews, type Seeded } from '../helpers/dashboard-views.ts';
import { ADMIN_TOKEN } from '../helpers/herald.ts';
import { useTestServer } from '../helpers/test-server.ts';

/** Records what the browser reports against the policy: the DOM's violation events and its console's complaints. */
function violationLog(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(`console: ${m.text()}`);
  });
  void page.exposeFunction('heraldViolation', (text: string) => seen.push(text));
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { heraldViolation: (t: string) => void }).heraldViolation(`${e.violatedDirective}: ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
  });
  return seen;
}

/** The iframe's frame once it has loaded something: the portal, or Chromium's error page for a refused frame. */
async function loadedFrame(page: Page): Promise<Frame> {
  let frame: Frame | undefined;
  await eventually('the iframe to load', async () => {
    frame = page.frames().find((f) => f !== page.mainFrame());
    return frame !== undefined && frame.url() !== '' && frame.url() !== 'about:blank';
  });
  return frame!;
}

describe('the dashboard under its Content-Security-Policy', { skip, timeout: 120_000 }, () => {
  const server = useTestServer({ receiver: true, framer: true });
  const ui = useDashboard(server, { page: 'none' });
  let seeded: Seeded;

  before(async () => {
    seeded = await seedViews(server.herald.url, server.receiver.url('/billing'));
  });

  it('every operator view works with no policy violation, and so does a change made through a form', async () => {
    const page = await signedInPage(ui.browser, ADMIN_TOKEN);
    ui.watch(page);
    const violations = violationLog(page);
    await page.goto(`${server.herald.url}/ui/`);
    await visible(page.getByRole('heading', { name: 'Applications' }));
    for (const [name, hash] of operatorViews(seeded)) {
      await page.evaluate((h) => (window.location.hash = h), hash);
      // Each view shows its content (not a spinner, an error or "not found").
      await eventually(`the ${name} view`, async () => (await page.locator('main .spinner, main [role="alert"], [data-testid="not-found"]').count()) === 0
        && (await page.locator('main').innerText()).trim().length > 0);
    }
    // Styles from the stylesheet apply (a blocked stylesheet would leave the bar unstyled).
    assert.equal(await page.locator('.topbar').evaluate((el) => getComputedStyle(el).display), 'flex');
    // The charts draw (SVG built by script, sized through the CSSOM).
    await page.evaluate((h) => (window.location.hash = h), `#/apps/${seeded.appId}/stats`);
    await visible(page.getByTestId('chart-volume').locator('svg'));
    // A change through a form: connect-src 'self' lets the API calls through.
    await page.evaluate((h) => (window.location.hash = h), '#/apps');
    await page.getByRole('button', { name: 'New application' }).click();
    await page.getByRole('form', { name: 'New application' }).getByLabel('Name').fill('Made under CSP');
    await page.getByRole('button', { name: 'Create application' }).click();
    await visible(page.getByText('Made under CSP'));
    assert.match(page.url(), /#\/apps\/app_[^/]+\/endpoints$/);
    await shot(page, '70-csp-dashboard');
    assert.deepEqual(violations, [], 'no Content-Security-Policy violations');
    assert.deepEqual(ui.pageErrors, [], 'no uncaught errors');
    await page.context().close();
  });

  it('the portal is framed by an allowed origin and refused by another; the dashboard is framed by nobody', async () => {
    const access = await server.call('POST', `/api/v1/auth/app-portal-access/${seeded.appId}`, { readOnly: true });
    assert.equal(access.status, 200);
    const context = await newContext(ui.browser, 1200, 820);
    try {
      // Allowed: the portal renders inside the customer's page, without a violation.
      const allowed = await context.newPage();
      const violations = violationLog(allowed);
      await allowed.goto(server.framer.page(access.json.url, 'localhost'));
      const frame = allowed.frameLocator('iframe[title="Webhooks"]');
      await visible(frame.getByTestId('endpoint-list').getByText(server.receiver.url('/billing')));
      await shot(allowed, '71-portal-framed-allowed');
      assert.deepEqual(violations, []);

      // Another origin: the browser refuses to show the portal in its frame.
      for (const [what, url, host] of [
        ['the portal from another origin', access.json.url as string, '127.0.0.1'],
        ['the operator dashboard', `${server.herald.url}/ui/`, 'localhost'],
      ] as const) {
        const refused = await context.newPage();
        const complaints = violationLog(refused);
        await refused.goto(server.framer.page(url, host));
        const inner = await loadedFrame(refused);
        await eventually(`${what} to be refused`, async () => complaints.some((c) => /frame-ancestors/.test(c)));
        assert.ok(inner.url().startsWith('chrome-error:'), `${what}: the frame shows ${inner.url()}`);
        assert.equal(await inner.locator('#root').count(), 0, `${what} rendered in the frame`);
        await shot(refused, what === 'the operator dashboard' ? '73-dashboard-framed-refused' : '72-portal-framed-refused');
        await refused.close();
      }
    } finally {
      await context.close();
    }
  });

  it('every portal view works under the policy', async () => {
    const access = await server.call('POST', `/api/v1/auth/app-portal-access/${seeded.appId}`, {});
    const context = await newContext(ui.browser);
    try {
      const portal = await context.newPage();
      ui.watch(portal);
      const violations = violationLog(portal);
      await portal.goto(access.json.url);
      await visible(portal.getByTestId('endpoint-list'));
      for (const [name, hash] of portalViews(seeded)) {
        await portal.evaluate((h) => (window.location.hash = h), hash);
        await eventually(`the ${name} view`, async () => (await portal.locator('main .spinner, main [role="alert"], [data-testid="not-found"]').count()) === 0);
      }
      assert.deepEqual(violations, []);
      assert.deepEqual(ui.pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
