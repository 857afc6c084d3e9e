/**
 * Seeing what happens, in a real browser against a real server and receiver: the charts of an application and an
 * endpoint (volume with failures, success rate, latency), the live view of attempts (a new attempt shows up without a
 * reload), the same charts in the consumer portal, and an inbound source's captured request opened and replayed.
 * Screenshots go to test-results/screenshots/ (the 3x names).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import { eventually, shot, skipBrowser as skip, visible, WAIT_MS, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

/** How soon an attempt must show in the live view after its message is sent. */
const LIVE_MS = 5_000;

describe('charts, live attempts and inbound sources in the dashboard', { skip, timeout: 90_000 }, () => {
  // The first retry an hour later: each delivery makes one attempt within the test, so the counts are exact.
  const server = useTestServer({ receiver: true, env: { HERALD_RETRY_SCHEDULE: '3600' } });
  const ui = useDashboard(server);
  let app: { id: string; name: string };
  let good: { id: string };
  let failing: { id: string };
  const send = async (payload: object, eventType = 'order.placed') => {
    const sent = await server.call('POST', `/api/v1/app/${app.id}/msg`, { eventType, payload });
    assert.equal(sent.status, 202);
    return sent.json.id as string;
  };
  const count = (locator: Locator) => locator.count();

  before(async () => {
    server.receiver.responder = (req, res) => {
      if (req.path === '/down') res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    };
    app = (await server.call('POST', '/api/v1/app', { name: 'Insight Co' })).json;
    good = (await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/up'), description: 'Healthy' })).json;
    failing = (await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/down'), description: 'Broken' })).json;
  });

  it('charts the application\'s and an endpoint\'s volume, failures, success rate and latency', async () => {
    for (let i = 0; i < 4; i++) await send({ order: `ord-${i}` });
    // Each message makes one attempt per endpoint: 4 succeed, 4 fail.
    await eventually('the attempts to be counted', async () => {
      const points = (await server.call('GET', `/api/v1/app/${app.id}/stats/series?bucket=minute&since=${new Date(Date.now() - 3_600_000).toISOString()}`)).json.series as { succeeded: number; failed: number }[];
      return points.reduce((n, p) => n + p.succeeded, 0) >= 4 && points.reduce((n, p) => n + p.failed, 0) >= 4;
    });

    await ui.page.goto(`${server.herald.url}/ui/#/apps/${app.id}/stats`);
    const stats = ui.page.getByRole('region', { name: 'Application stats' });
    await visible(stats.getByTestId('chart-volume').locator('svg'));
    await stats.getByRole('button', { name: 'Last hour' }).click();
    await eventually('the last hour\'s charts', async () => (await stats.getByRole('button', { name: 'Last hour' }).getAttribute('aria-pressed')) === 'true');
    const volume = stats.getByTestId('chart-volume');
    await eventually('succeeded and failed bars', async () => (await count(volume.locator('rect.bar-ok'))) > 0 && (await count(volume.locator('rect.bar-bad'))) > 0);
    assert.match(await stats.getByTestId('stats-summary').innerText(), /Attempts\s+8[\s\S]*Success rate\s+50\.0%/);
    // The success rate is a line (or a dot, for a single bucket with attempts); the latency has its three percentiles.
    const rate = stats.getByTestId('chart-success');
    assert.ok((await count(rate.locator('circle.dot'))) + (await count(rate.locator('path.line[d^="M"]'))) > 0, 'a success rate mark');
    for (const p of ['p50', 'p95', 'p99']) await visible(stats.getByTestId('chart-latency').locator(`.line-${p}`));
    // Axes are labelled: percentages on the rate chart, times under each chart.
    await visible(rate.getByText('100%'));
    assert.ok((await count(volume.locator('.x-axis text'))) >= 2, 'time labels under the volume chart');
    await shot(ui.page, '30-app-stats');

    // The broken endpoint's own page: only failures.
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${app.id}/endpoints/${failing.id}`);
    const ep = ui.page.getByRole('region', { name: 'Endpoint stats' });
    await eventually('the endpoint\'s failed bars', async () => (await count(ep.getByTestId('chart-volume').locator('rect.bar-bad'))) > 0);
    assert.equal(await count(ep.getByTestId('chart-volume').locator('rect.bar-ok')), 0);
    assert.match(await ep.getByTestId('stats-summary').innerText(), /Success rate\s+0\.0%/);
    await shot(ui.page, '31-endpoint-stats');
  });

  it('shows a new attempt in the live view within seconds, without reloading', async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${app.id}/live`);
    const status = ui.page.getByTestId('live-status');
    await eventually('the stream to be live', async () => (await status.getAttribute('data-state')) === 'open');
    // A mark in the page: it would be gone after a reload.
    await ui.page.evaluate(() => ((window as unknown as { heraldMark: number }).heraldMark = 1));

    const msg = await send({ order: 'ord-live' }, 'order.shipped');
    const sentAt = Date.now();
    const rows = ui.page.getByTestId('live-list').locator('tr', { has: ui.page.locator(`a[href$="/messages/${msg}"]`) });
    await eventually('both attempts of the new message', async () => (await rows.count()) === 2, LIVE_MS);
    const delay = Date.now() - sentAt;
    assert.ok(delay < LIVE_MS, `live after ${delay} ms`);
    assert.equal(await ui.page.evaluate(() => (window as unknown as { heraldMark?: number }).heraldMark), 1, 'the page was not reloaded');
    // Newest at the top, each linking to its message.
    assert.equal(await ui.page.getByTestId('live-list').locator('tbody tr').first().locator(`a[href$="/messages/${msg}"]`).count(), 1);
    await visible(rows.filter({ hasText: '503' }));
    await shot(ui.page, '32-live');

    // Filtered to the healthy endpoint, the stream is reopened: a new message shows once.
    await ui.page.getByLabel('Endpoint').selectOption(good.id);
    await eventually('the filtered stream to be live', async () => (await status.getAttribute('data-state')) === 'open');
    const filtered = await send({ order: 'ord-filtered' }, 'order.shipped');
    const filteredRows = ui.page.getByTestId('live-list').locator('tr', { has: ui.page.locator(`a[href$="/messages/${filtered}"]`) });
    await eventually('the filtered attempt', async () => (await filteredRows.count()) === 1, LIVE_MS);
    await server.receiver.waitFor(() => server.receiver.received.some((r) => r.path === '/down' && r.body.toString().includes('ord-filtered')), WAIT_MS, 'the failing delivery');
    assert.equal(await filteredRows.count(), 1, 'only the healthy endpoint\'s attempt');

    // The server drops every connection: the page opens the stream again (after 1 s) and carries on.
    let opened = 0;
    ui.page.on('request', (r) => void (r.url().includes('/attempt/stream') && opened++));
    server.herald.server!.server.closeAllConnections();
    await eventually('the page to see the drop', async () => (await status.getAttribute('data-state')) !== 'open');
    // Sent while the page waits to reconnect: never streamed, so the list marks the gap and links to the attempt log.
    const duringDrop = await send({ order: 'ord-during-drop' }, 'order.shipped');
    await server.receiver.waitFor(() => server.receiver.received.some((r) => r.body.toString().includes('ord-during-drop')), WAIT_MS, 'the delivery during the drop');
    await eventually('the stream to be reopened', async () => opened > 0 && (await status.getAttribute('data-state')) === 'open');
    const afterDrop = await send({ order: 'ord-after-drop' }, 'order.shipped');
    await eventually('an attempt after the reconnection', async () => (await ui.page.getByTestId('live-list').locator(`a[href$="/messages/${afterDrop}"]`).count()) > 0, LIVE_MS);
    const gap = ui.page.getByTestId('live-gap');
    assert.equal(await gap.count(), 1, 'one gap for one reconnection');
    assert.equal(await ui.page.getByTestId('live-list').locator(`a[href$="/messages/${duringDrop}"]`).count(), 0, 'not streamed');
    await shot(ui.page, '33-live-gap');

    // The gap's link opens the attempt log from the last attempt streamed (that one included, for attempts made in
    // the same millisecond): what was missed is there, nothing older is.
    await gap.getByRole('link', { name: 'See them in the attempt log' }).click();
    await visible(ui.page.getByTestId('attempt-window'));
    const missed = ui.page.locator(`a[href$="/messages/${duringDrop}"]`);
    await visible(missed);
    assert.equal(await ui.page.locator(`a[href$="/messages/${msg}"]`).count(), 0, 'nothing from before the last attempt streamed');
    // A row opens its message.
    await missed.first().click();
    await visible(ui.page.getByRole('heading', { name: 'order.shipped' }));
  });

  it('shows the charts and the live view in the consumer portal', async () => {
    const { portal, close } = await ui.openPortal(app.id);
    try {
      await portal.getByRole('link', { name: 'Stats', exact: true }).click();
      await eventually('the portal\'s bars', async () => (await count(portal.getByTestId('chart-volume').locator('rect.bar-bad'))) > 0);
      await shot(portal, '33-portal-stats');
      await portal.getByRole('link', { name: 'Live', exact: true }).click();
      await eventually('the portal\'s stream to be live', async () => (await portal.getByTestId('live-status').getAttribute('data-state')) === 'open');
    } finally {
      await close();
    }
  });

  it('lists a source, opens a captured request and replays it', async () => {
    const made = await server.call('POST', '/api/v1/source', { name: 'Carrier', uid: 'carrier', verification: { type: 'none' } });
    assert.equal(made.status, 201);
    const source = made.json as { id: string; appId: string };
    assert.equal((await server.call('POST', `/api/v1/app/${source.appId}/endpoint`, { url: server.receiver.url('/inbound') })).status, 201);
    const body = JSON.stringify({ type: 'parcel.delivered', parcel: 'pcl-42', signedBy: 'Ada' });
    const posted = await fetch(`${server.herald.url}/in/carrier?attempt=1`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-carrier': 'acme-post' }, body });
    assert.equal(posted.status, 200);
    await server.receiver.waitFor(() => server.receiver.on('/inbound').length >= 1, WAIT_MS, 'the forwarded request');

    await ui.page.goto(`${server.herald.url}/ui/#/apps`);
    await ui.page.getByRole('link', { name: 'Sources', exact: true }).click();
    await ui.page.getByTestId('source-list').getByRole('link', { name: 'Carrier' }).click();
    assert.equal(await ui.page.getByTestId('ingest-url').innerText(), `${server.herald.url}/in/carrier`);
    await visible(ui.page.getByTestId('verification').getByText('none'));
    assert.equal(await ui.page.getByTestId('destinations-link').getAttribute('href'), `#/apps/${source.appId}/endpoints`);
    const row = ui.page.getByTestId('request-list').locator('tbody tr').first();
    await visible(row.getByText('Accepted'));
    await shot(ui.page, '34-source');

    await row.locator('td').first().getByRole('link').click();
    const detail = ui.page.getByTestId('inbound-request');
    await visible(detail.getByText('POST /in/carrier'));
    await visible(detail.getByText('?attempt=1'));
    assert.match(await ui.page.getByLabel('Body').innerText(), /"parcel": "pcl-42",\n {2}"signedBy": "Ada"/);
    await visible(ui.page.getByTestId('request-headers').getByText('acme-post'));
    await ui.page.getByRole('button', { name: 'Replay' }).click();
    const replayed = ui.page.getByTestId('replayed');
    await visible(replayed);
    const messageId = (await replayed.getByRole('link').innerText()).trim();
    assert.match(messageId, /^msg_/);
    await server.receiver.waitFor(() => server.receiver.on('/inbound').length >= 2, WAIT_MS, 'the replayed request');
    assert.equal(server.receiver.on('/inbound')[1]!.body.toString(), body);
    await shot(ui.page, '35-inbound-request-replayed');
    // The new message is one of the source's application (event type "inbound": the source names none).
    await replayed.getByRole('link').click();
    await visible(ui.page.getByRole('heading', { name: 'inbound', exact: true }));
    assert.match(ui.page.url(), new RegExp(`#/apps/${source.appId}/messages/${messageId}$`));
  });

  it('shows why a rejected request cannot be replayed', async () => {
    const made = await server.call('POST', '/api/v1/source', { name: 'Keyed', uid: 'keyed', verification: { type: 'api-key', header: 'x-api-key', key: 'k-0123456789abcdef' } });
    assert.equal(made.status, 201);
    assert.equal((await fetch(`${server.herald.url}/in/keyed`, { method: 'POST', body: 'forged' })).status, 401);
    await ui.page.goto(`${server.herald.url}/ui/#/sources/${made.json.id}`);
    // The key is masked by the API.
    assert.doesNotMatch(await ui.page.getByTestId('verification').innerText(), /k-0123456789abcdef/);
    const row = ui.page.getByTestId('request-list').locator('tbody tr').first();
    await visible(row.getByText('Rejected'));
    await row.locator('td').first().getByRole('link').click();
    await ui.page.getByRole('button', { name: 'Replay' }).click();
    await visible(ui.page.getByRole('alert').filter({ hasText: 'A rejected request is never forwarded' }));
    assert.deepEqual(ui.pageErrors, [], 'no uncaught errors in the pages');
  });
});
