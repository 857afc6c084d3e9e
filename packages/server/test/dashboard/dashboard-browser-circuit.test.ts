/**
 * An endpoint whose circuit breaker opened, in a real browser: the endpoint list and page say "Circuit open" (not
 * "Enabled") with since when, how many failures and the next probe; the Live view says why its attempts are held; the
 * consumer portal shows the same. Screenshots go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { shot, skipBrowser as skip, visible, useDashboard } from '../helpers/browser.ts';
import { until } from '../helpers/wait.ts';
import { useTestServer } from '../helpers/test-server.ts';

describe('an open circuit in the dashboard', { skip, timeout: 120_000 }, () => {
  const server = useTestServer({ receiver: true, env: { HERALD_CIRCUIT_BREAKER_AFTER: '3', HERALD_RETRY_SCHEDULE: '0.2,0.2,0.2,0.2' } });
  const ui = useDashboard(server);
  let appId: string;
  let endpointId: string;
  const downUrl = () => server.receiver.url('/down');

  before(async () => {
    server.receiver.responder = (req, res) => (req.path === '/down' ? res.writeHead(503).end('down for maintenance') : res.writeHead(204).end());
    appId = (await server.call('POST', '/api/v1/app', { name: 'Circuit Co' })).json.id;
    endpointId = (await server.call('POST', `/api/v1/app/${appId}/endpoint`, { url: downUrl() })).json.id;
    assert.equal((await server.call('POST', `/api/v1/app/${appId}/endpoint`, { url: server.receiver.url('/fine') })).status, 201);
    for (let n = 0; n < 8; n++) assert.equal((await server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'order.paid', payload: { n } })).status, 202);
    await until('the circuit to open', async () => (await server.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}`)).json.circuit?.state === 'open');
  });

  it('says "Circuit open" on the endpoint list and page, with since when, the failures and the next probe', async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${appId}/endpoints`);
    const row = ui.page.locator('tr', { hasText: downUrl() });
    await visible(row.getByTestId('circuit-badge'));
    assert.equal(await row.getByText('Enabled', { exact: true }).count(), 0, 'not shown as merely "Enabled"');
    assert.equal(await ui.page.locator('tr', { hasText: server.receiver.url('/fine') }).getByText('Enabled', { exact: true }).count(), 1, 'the healthy one is');

    await ui.page.goto(`${server.herald.url}/ui/#/apps/${appId}/endpoints/${endpointId}`);
    await visible(ui.page.getByTestId('circuit-badge'));
    const state = ui.page.getByTestId('circuit-state');
    await visible(state);
    const text = await state.innerText();
    assert.match(text, /Open since .+ after \d+ failed attempts in a row/);
    assert.match(text, /next probe (in .+|just now|\d+ s ago) \(.+\)|a probe is on its way/);
    await shot(ui.page, '60-endpoint-circuit-open');
  });

  it('says on the Live view why attempts to that endpoint are held', async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${appId}/live`);
    const held = ui.page.getByTestId('held-attempts');
    await visible(held);
    const text = await held.innerText();
    assert.match(text, new RegExp(`Attempts to ${downUrl().replace(/[.:/]/g, '\\$&')} are held: it failed \\d+ attempts in a row and its circuit opened`));
    assert.ok(!text.includes('/fine'), 'only the held endpoint is named');
    await shot(ui.page, '61-live-held-attempts');
    // Filtered to the healthy endpoint, nothing is held.
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${appId}/live?endpoint=${encodeURIComponent((await server.call('GET', `/api/v1/app/${appId}/endpoint`)).json.data.find((e: { url: string }) => e.url.endsWith('/fine')).id)}`);
    await visible(ui.page.getByTestId('live-status'));
    assert.equal(await ui.page.getByTestId('held-attempts').count(), 0);
  });

  it('shows the open circuit in the consumer portal', async () => {
    const { portal, close } = await ui.openPortal(appId);
    try {
      await portal.getByRole('link', { name: 'Endpoints', exact: true }).click();
      await portal.locator('tr', { hasText: downUrl() }).getByRole('link').first().click();
      await visible(portal.getByTestId('circuit-state'));
      await shot(portal, '62-portal-circuit-open');
    } finally {
      await close();
    }
  });

  it('follows the endpoint page to "Enabled" once a probe succeeds, without a reload', async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${appId}/endpoints/${endpointId}`);
    await visible(ui.page.getByTestId('circuit-badge'));
    server.receiver.responder = (_req, res) => res.writeHead(204).end();
    // The next probe is at most 10 s away (5 s, then doubling).
    await visible(ui.page.locator('.badge', { hasText: 'Enabled' }), 40_000);
    await visible(ui.page.getByText('Closed: deliveries go as they come due'));
    assert.equal(await ui.page.getByTestId('circuit-badge').count(), 0);
    assert.deepEqual(ui.pageErrors, []);
  });
});
