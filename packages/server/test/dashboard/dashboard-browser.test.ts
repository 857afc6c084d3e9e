/**
 * The web dashboard and consumer portal in a real browser (Debian's Chromium driven by playwright-core), against a
 * real server and a real webhook receiver: sign in, create an endpoint, watch a message and its attempt appear, open
 * the attempt, resend; then a portal link shows one application and nothing of another, also inside an iframe.
 * Screenshots of the main pages go to test-results/screenshots/. The dashboard must be built (npm ci does it;
 * npm run build --workspace @herald/dashboard after a change).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { eventually, newContext, shot, skipBrowser as skip, visible, WAIT_MS, useDashboard } from '../helpers/browser.ts';
import { ADMIN_TOKEN } from '../helpers/herald.ts';
import { useTestServer } from '../helpers/test-server.ts';

describe('dashboard and consumer portal in Chromium', { skip, timeout: 90_000 }, () => {
  const server = useTestServer({ receiver: true, framer: true });
  const ui = useDashboard(server, { page: 'signed-out' });
  let appA: { id: string; name: string };
  let appB: { id: string; name: string };
  let endpointB: { id: string; url: string };
  let endpointA: { id: string; url: string };
  let msgId: string;

  before(async () => {
    appA = (await server.call('POST', '/api/v1/app', { name: 'Acme Billing', uid: 'acme' })).json;
    appB = (await server.call('POST', '/api/v1/app', { name: 'Bravo Shipping', uid: 'bravo' })).json;
    const b = await server.call('POST', `/api/v1/app/${appB.id}/endpoint`, { url: server.receiver.url('/bravo-secret-hook'), description: 'Bravo only' });
    assert.equal(b.status, 201);
    endpointB = b.json;
  });

  it('signs in with the admin token and lists the applications', async () => {
    await ui.page.goto(`${server.herald.url}/ui/`);
    await visible(ui.page.getByRole('button', { name: 'Sign in' }));
    await ui.page.getByLabel('API token').fill(ADMIN_TOKEN);
    await shot(ui.page, '01-sign-in');
    await ui.page.getByRole('button', { name: 'Sign in' }).click();

    await visible(ui.page.getByRole('heading', { name: 'Applications' }));
    await visible(ui.page.getByRole('link', { name: appA.name }));
    await visible(ui.page.getByRole('link', { name: appB.name }));
    assert.match(await ui.page.getByTestId('whoami').innerText(), /Admin/);
    // The token is in this tab's sessionStorage, never in localStorage.
    const stored = await ui.page.evaluate(() => ({ session: sessionStorage.getItem('herald.token'), local: localStorage.length }));
    assert.deepEqual(stored, { session: ADMIN_TOKEN, local: 0 });
    await shot(ui.page, '02-applications');
  });

  it('creates an endpoint through the form and shows it, with its secret on request', async () => {
    await ui.page.getByRole('link', { name: appA.name }).click();
    await visible(ui.page.getByRole('heading', { name: appA.name }));
    await visible(ui.page.getByText('No endpoints yet.'));
    // An admin makes portal links from the application's page.
    await ui.page.getByRole('button', { name: 'Portal link…' }).click();
    await ui.page.getByRole('button', { name: 'Create link' }).click();
    await eventually('a portal link', async () => /\/ui\/portal#token=herald_portal_/.test(await ui.page.getByLabel('Portal URL').inputValue()));
    await ui.page.getByRole('button', { name: 'Close' }).click();
    await ui.page.getByRole('link', { name: 'Add endpoint' }).click();

    const url = server.receiver.url('/acme-hook');
    await ui.page.getByLabel('Endpoint URL').fill(url);
    await ui.page.getByLabel('Description').fill('Acme production');
    const types = ui.page.locator('#event-types');
    await types.fill('invoice.paid');
    await types.press('Enter');
    await visible(ui.page.locator('.picker-box .chip', { hasText: 'invoice.paid' }));
    await shot(ui.page, '03-endpoint-form');
    await ui.page.getByRole('button', { name: 'Create endpoint' }).click();

    await visible(ui.page.getByText('Endpoint created.'));
    assert.equal(await ui.page.getByTestId('endpoint-url').innerText(), url);
    const id = /\/endpoints\/(ep_[A-Za-z0-9]+)/.exec(ui.page.url())?.[1];
    assert.ok(id, `the endpoint's id is in the address: ${ui.page.url()}`);
    endpointA = { id, url };
    await ui.page.getByRole('button', { name: 'Reveal' }).click();
    await eventually('the secret to show', async () => (await ui.page.getByTestId('endpoint-secret').innerText()).startsWith('whsec_'));
    const secret = await ui.page.getByTestId('endpoint-secret').innerText();
    const fromApi = await server.call('GET', `/api/v1/app/${appA.id}/endpoint/${id}/secret`);
    assert.equal(secret, fromApi.json.key);

    const stored = await server.call('GET', `/api/v1/app/${appA.id}/endpoint/${id}`);
    assert.equal(stored.json.description, 'Acme production');
    assert.deepEqual(stored.json.eventTypes, ['invoice.paid']);
    await shot(ui.page, '04-endpoint-detail');

    // Rotation asks twice, then shows the new secret.
    await ui.page.getByRole('button', { name: 'Rotate…' }).click();
    await ui.page.getByRole('button', { name: 'Rotate now' }).click();
    await visible(ui.page.getByText('Secret rotated.'));
    await eventually('the new secret', async () => {
      const shown = await ui.page.getByTestId('endpoint-secret').innerText();
      return shown.startsWith('whsec_') && shown !== secret;
    });
    assert.equal(await ui.page.getByTestId('endpoint-secret').innerText(), (await server.call('GET', `/api/v1/app/${appA.id}/endpoint/${id}/secret`)).json.key);

    // Disable, then enable again (PATCH disabled).
    await ui.page.getByRole('button', { name: 'Disable' }).click();
    await visible(ui.page.locator('.badge', { hasText: 'Disabled' }));
    assert.equal((await server.call('GET', `/api/v1/app/${appA.id}/endpoint/${id}`)).json.disabled, true);
    await ui.page.getByRole('button', { name: 'Enable' }).click();
    await visible(ui.page.locator('.badge', { hasText: 'Enabled' }));
    assert.equal((await server.call('GET', `/api/v1/app/${appA.id}/endpoint/${id}`)).json.disabled, false);
  });

  it('shows a message sent through the API, its payload and its attempt', async () => {
    await ui.page.getByRole('link', { name: 'Messages', exact: true }).click();
    await visible(ui.page.getByText('No messages yet.'));
    const sent = await server.call('POST', `/api/v1/app/${appA.id}/msg`, {
      eventType: 'invoice.paid', eventId: 'inv-1001', payload: { invoice: 'inv-1001', amount: 4200, currency: 'EUR', paid: true },
    });
    assert.equal(sent.status, 202);
    msgId = sent.json.id;

    // The first page of messages refreshes itself: the new message appears without a reload.
    await visible(ui.page.getByTestId('message-list').getByText(msgId));
    await shot(ui.page, '05-messages');
    // The event-type filter is the API's event_types.
    await ui.page.getByLabel('Filter by event type').fill('order.shipped');
    await ui.page.getByRole('button', { name: 'Filter' }).click();
    await visible(ui.page.getByText('No messages of type order.shipped.'));
    assert.match(ui.page.url(), /event_types=order\.shipped/);
    await ui.page.getByRole('link', { name: 'Clear' }).click();
    await visible(ui.page.getByTestId('message-list').getByText(msgId));
    await ui.page.getByTestId('message-list').getByRole('link', { name: 'invoice.paid' }).click();

    const payload = ui.page.getByLabel('Payload');
    await visible(payload);
    assert.match(await payload.innerText(), /"amount": 4200/);
    const delivery = ui.page.locator(`[data-testid="delivery"][data-endpoint-id="${endpointA.id}"]`);
    await visible(delivery.locator('tbody tr', { hasText: 'Success' }));
    const row = delivery.locator('tbody tr').first();
    assert.match(await row.innerText(), /200/);
    assert.match(await row.innerText(), /ok/);
    await visible(delivery.locator('.badge', { hasText: 'Success' }));
    await shot(ui.page, '06-message');

    await row.getByRole('link').first().click();
    const detail = ui.page.getByTestId('attempt-detail');
    await visible(detail);
    assert.match(await detail.innerText(), /200/);
    assert.match(await ui.page.getByLabel('Response body').innerText(), /^ok$/);
    assert.match(await detail.innerText(), new RegExp(endpointA.url.replace(/[.?]/g, '\\$&')));
    // The body and request headers are the ones the receiver got, signature included.
    const [received] = server.receiver.on('/acme-hook');
    assert.equal(await ui.page.getByLabel('Request body').textContent(), received?.body.toString());
    const sentHeaders = await ui.page.getByTestId('attempt-request-headers').innerText();
    for (const name of ['webhook-id', 'webhook-signature', 'webhook-timestamp']) {
      assert.ok(sentHeaders.includes(String(received?.headers[name])), `${name} shown as received`);
    }
    await shot(ui.page, '07-attempt');
  });

  it('resends the message and shows the second attempt', async () => {
    await ui.page.getByRole('link', { name: /← Message/ }).click();
    const delivery = ui.page.locator(`[data-testid="delivery"][data-endpoint-id="${endpointA.id}"]`);
    await visible(delivery.locator('tbody tr'));
    assert.equal(await delivery.locator('tbody tr').count(), 1);
    await delivery.getByRole('button', { name: 'Resend' }).click();

    await eventually('a second attempt in the list', async () => (await delivery.locator('tbody tr').count()) === 2);
    await visible(delivery.locator('tbody tr', { hasText: 'Manual' }));
    await server.receiver.waitFor((r) => r.filter((x) => x.path === '/acme-hook').length === 2, WAIT_MS, 'the resent webhook');
    await shot(ui.page, '08-resent');

    // The endpoint's attempt list has both.
    await ui.page.getByRole('link', { name: 'Attempts', exact: true }).click();
    const list = ui.page.getByTestId('attempt-list');
    await eventually('both attempts in the endpoint\'s list', async () => (await list.locator('tbody tr').count()) === 2);
    await shot(ui.page, '09-attempts');
  });

  it('pages through a list on the server with Next and Previous', async () => {
    const paging = (await server.call('POST', '/api/v1/app', { name: 'Paging' })).json;
    for (let i = 0; i < 27; i++) {
      const made = await server.call('POST', `/api/v1/app/${paging.id}/endpoint`, { url: `https://example.com/p/${String(i).padStart(2, '0')}` });
      assert.equal(made.status, 201);
    }
    // An address reached directly (and a reload: the token stays in the tab's sessionStorage).
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${paging.id}/endpoints`);
    const rows = ui.page.getByTestId('endpoint-list').locator('tbody tr');
    await eventually('the first page (25 newest)', async () => (await rows.count()) === 25);
    const firstRow = await rows.first().innerText();
    assert.match(firstRow, /\/p\/26/);
    assert.equal(await ui.page.getByText('← Previous').getAttribute('aria-disabled'), 'true');
    await ui.page.getByRole('link', { name: 'Next →' }).click();
    await eventually('the second page (the 2 oldest)', async () => (await rows.count()) === 2);
    assert.match(await rows.nth(0).innerText(), /\/p\/01/);
    assert.match(await rows.nth(1).innerText(), /\/p\/00/);
    assert.match(ui.page.url(), /iterator=ep_/);
    assert.equal(await ui.page.getByText('Next →').getAttribute('aria-disabled'), 'true');
    await ui.page.getByRole('link', { name: '← Previous' }).click();
    await eventually('the first page again', async () => (await rows.count()) === 25 && (await rows.first().innerText()) === firstRow);
    assert.equal(await ui.page.getByText('← Previous').getAttribute('aria-disabled'), 'true');
    await shot(ui.page, '10-endpoints-paged');
  });

  it('a portal link shows its application only, and nothing of another', async () => {
    const access = await server.call('POST', `/api/v1/auth/app-portal-access/${appA.id}`, {});
    assert.equal(access.status, 200);
    assert.match(access.json.url, /\/ui\/portal#token=herald_portal_/);
    // A fresh browser context: nothing of the operator's session.
    const customer = await newContext(ui.browser, 1100, 760);
    try {
      const portal = await customer.newPage();
      ui.watch(portal);
      await portal.goto(access.json.url);
      await visible(portal.getByTestId('endpoint-list').getByText(endpointA.url));
      await visible(portal.getByRole('link', { name: appA.name }));
      // The token left the address bar, and lives in this tab's sessionStorage.
      assert.ok(!portal.url().includes('token='), portal.url());
      assert.match(portal.url(), new RegExp(`/ui/portal#/apps/${appA.id}/endpoints$`));
      assert.equal(await portal.evaluate(() => localStorage.length), 0);
      // Operator-only things are absent.
      assert.equal(await portal.getByRole('button', { name: 'Sign out' }).count(), 0);
      assert.equal(await portal.getByRole('link', { name: 'Applications' }).count(), 0);
      assert.equal(await portal.getByRole('button', { name: 'Portal link…' }).count(), 0);
      await shot(portal, '11-portal-endpoints');

      const absentOfB = async (where: string) => {
        const html = await portal.content();
        for (const text of [endpointB.url, endpointB.id, appB.id, appB.name, 'bravo-secret-hook']) {
          assert.ok(!html.includes(text), `${where}: the portal shows ${text}`);
        }
      };
      await absentOfB('endpoints');
      await portal.getByRole('link', { name: 'Messages', exact: true }).click();
      await visible(portal.getByTestId('message-list').getByText(msgId));
      await absentOfB('messages');
      // The event type catalogue is the portal's too (consumers pick from it), and shows nothing of B either.
      await portal.getByRole('link', { name: 'Event types', exact: true }).click();
      await visible(portal.getByRole('heading', { name: 'Event types' }));
      await absentOfB('event types');

      // Application B's address answers as a page that does not exist; so does the application list.
      await portal.evaluate((id) => (window.location.hash = `#/apps/${id}/endpoints`), appB.id);
      await visible(portal.getByTestId('not-found'));
      await absentOfB('B\'s address');
      await shot(portal, '12-portal-other-app');
      await portal.evaluate(() => (window.location.hash = '#/apps'));
      await visible(portal.getByTestId('endpoint-list').getByText(endpointA.url));

      // A reload keeps the portal session (the token is in sessionStorage, not the address).
      await portal.reload();
      await visible(portal.getByTestId('endpoint-list').getByText(endpointA.url));
    } finally {
      await customer.close();
    }
  });

  it('a read-only portal link works inside an iframe and offers no changes', async () => {
    const access = await server.call('POST', `/api/v1/auth/app-portal-access/${appA.id}`, { readOnly: true });
    const host = await newContext(ui.browser, 1200, 820);
    try {
      const outer = await host.newPage();
      ui.watch(outer);
      await outer.goto(server.framer.page(access.json.url));
      const frame = outer.frameLocator('iframe[title="Webhooks"]');
      await visible(frame.getByTestId('endpoint-list').getByText(endpointA.url));
      await visible(frame.getByText('Read-only'));
      assert.equal(await frame.getByRole('link', { name: 'Add endpoint' }).count(), 0);
      // An endpoint's page offers no edit, delete, header changes or recovery.
      await frame.getByTestId('endpoint-list').getByRole('link', { name: endpointA.url }).click();
      await visible(frame.getByTestId('endpoint-url'));
      await visible(frame.getByRole('heading', { name: 'Custom headers' }));
      for (const name of ['Edit', 'Delete…', 'Add header', 'Save headers', 'Start', 'Disable']) {
        assert.equal(await frame.getByRole('button', { name, exact: true }).count(), 0, `a read-only portal offers ${name}`);
      }
      assert.equal(await frame.getByRole('heading', { name: 'Recover / replay' }).count(), 0);
      await frame.getByRole('link', { name: 'Messages', exact: true }).click();
      await frame.getByTestId('message-list').getByRole('link', { name: 'invoice.paid' }).click();
      await visible(frame.locator('[data-testid="delivery"] tbody tr'));
      assert.equal(await frame.getByRole('button', { name: 'Resend' }).count(), 0);
      await shot(outer, '13-portal-iframe-read-only');
    } finally {
      await host.close();
    }
    assert.deepEqual(ui.pageErrors, [], 'no uncaught errors in the pages');
  });
});
