/**
 * An endpoint whose circuit breaker opened, in a real browser: the endpoint list and page say "Circuit open" (not
 * "Enabled") with since when, how many failures and the next probe; the Live view says why its attempts are held; the
 * consumer portal shows the same. Screenshots go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newContext, pageErrorLog, shot, signedInPage, skipBrowser as skip, visible } from './helpers/browser.ts';
import { ADMIN_TOKEN, api, startTestHerald } from './helpers/herald.ts';
import { Receiver } from './helpers/receiver.ts';
import { until } from './helpers/wait.ts';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;

describe('an open circuit in the dashboard', { skip, timeout: 120_000 }, () => {
  let herald: Herald;
  let receiver: Receiver;
  let browser: Browser;
  let page: Page;
  const { errors: pageErrors, watch } = pageErrorLog();
  let appId: string;
  let endpointId: string;
  const downUrl = () => receiver.url('/down');

  before(async () => {
    [herald, receiver, browser] = await Promise.all([
      startTestHerald({ HERALD_CIRCUIT_BREAKER_AFTER: '3', HERALD_RETRY_SCHEDULE: '0.2,0.2,0.2,0.2' }),
      Receiver.start(),
      launchBrowser(),
    ]);
    receiver.responder = (req, res) => (req.path === '/down' ? res.writeHead(503).end('down for maintenance') : res.writeHead(204).end());
    appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'Circuit Co' })).json.id;
    endpointId = (await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: downUrl() })).json.id;
    assert.equal((await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/fine') })).status, 201);
    for (let n = 0; n < 8; n++) assert.equal((await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'order.paid', payload: { n } })).status, 202);
    await until('the circuit to open', async () => (await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint/${endpointId}`)).json.circuit?.state === 'open');
    page = await signedInPage(browser, ADMIN_TOKEN);
    watch(page);
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await herald?.cleanup();
  });

  it('says "Circuit open" on the endpoint list and page, with since when, the failures and the next probe', async () => {
    await page.goto(`${herald.url}/ui/#/apps/${appId}/endpoints`);
    const row = page.locator('tr', { hasText: downUrl() });
    await visible(row.getByTestId('circuit-badge'));
    assert.equal(await row.getByText('Enabled', { exact: true }).count(), 0, 'not shown as merely "Enabled"');
    assert.equal(await page.locator('tr', { hasText: receiver.url('/fine') }).getByText('Enabled', { exact: true }).count(), 1, 'the healthy one is');

    await page.goto(`${herald.url}/ui/#/apps/${appId}/endpoints/${endpointId}`);
    await visible(page.getByTestId('circuit-badge'));
    const state = page.getByTestId('circuit-state');
    await visible(state);
    const text = await state.innerText();
    assert.match(text, /Open since .+ after \d+ failed attempts in a row/);
    assert.match(text, /next probe (in .+|just now|\d+ s ago) \(.+\)|a probe is on its way/);
    await shot(page, '60-endpoint-circuit-open');
  });

  it('says on the Live view why attempts to that endpoint are held', async () => {
    await page.goto(`${herald.url}/ui/#/apps/${appId}/live`);
    const held = page.getByTestId('held-attempts');
    await visible(held);
    const text = await held.innerText();
    assert.match(text, new RegExp(`Attempts to ${downUrl().replace(/[.:/]/g, '\\$&')} are held: it failed \\d+ attempts in a row and its circuit opened`));
    assert.ok(!text.includes('/fine'), 'only the held endpoint is named');
    await shot(page, '61-live-held-attempts');
    // Filtered to the healthy endpoint, nothing is held.
    await page.goto(`${herald.url}/ui/#/apps/${appId}/live?endpoint=${encodeURIComponent((await api(herald.url, 'GET', `/api/v1/app/${appId}/endpoint`)).json.data.find((e: { url: string }) => e.url.endsWith('/fine')).id)}`);
    await visible(page.getByTestId('live-status'));
    assert.equal(await page.getByTestId('held-attempts').count(), 0);
  });

  it('shows the open circuit in the consumer portal', async () => {
    const access = await api(herald.url, 'POST', `/api/v1/auth/app-portal-access/${appId}`, { readOnly: true });
    assert.equal(access.status, 200);
    const customer = await newContext(browser, 1100, 820);
    try {
      const portal = await customer.newPage();
      watch(portal);
      await portal.goto(access.json.url);
      await portal.getByRole('link', { name: 'Endpoints', exact: true }).click();
      await portal.locator('tr', { hasText: downUrl() }).getByRole('link').first().click();
      await visible(portal.getByTestId('circuit-state'));
      await shot(portal, '62-portal-circuit-open');
    } finally {
      await customer.close();
    }
  });

  it('follows the endpoint page to "Enabled" once a probe succeeds, without a reload', async () => {
    await page.goto(`${herald.url}/ui/#/apps/${appId}/endpoints/${endpointId}`);
    await visible(page.getByTestId('circuit-badge'));
    receiver.responder = (_req, res) => res.writeHead(204).end();
    // The next probe is at most 10 s away (5 s, then doubling).
    await visible(page.locator('.badge', { hasText: 'Enabled' }), 40_000);
    await visible(page.getByText('Closed: deliveries go as they come due'));
    assert.equal(await page.getByTestId('circuit-badge').count(), 0);
    assert.deepEqual(pageErrors, []);
  });
});
