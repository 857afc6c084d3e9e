/**
 * Destinations, pollers, an endpoint's own retry schedule and request timeout, and its authentication, in Chromium:
 * a PostgreSQL destination and a poller made through the form (with the API's 422 at the field it names), listed,
 * shown without their password anywhere in the page, enabled and disabled, edited; a poller peeked at after a message
 * was sent through the API; an ordered destination's delivery attempts; an endpoint's overrides set, refused (a
 * timeout above the server's) and reset; basic authentication set and shown masked. A read-only token sees none of
 * the controls and no secret. Screenshots go to test-results/screenshots/ (the 1xx names).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, shot, signedInPage, skipBrowser as skip, visible, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

const PG_PASSWORD = 'pg-very-secret-password-41';
const BASIC_PASSWORD = 'basic-very-secret-password-42';
const PG_URL = 'postgres://herald@db.example.com:5432/events';

describe('destinations, pollers, endpoint overrides and authentication in the dashboard', { skip, timeout: 180_000 }, () => {
  // The server's request timeout is the default, 15 s: the limit a larger endpoint timeout is refused above.
  const server = useTestServer({ receiver: true });
  const ui = useDashboard(server);
  let appId: string;
  let endpointId: string;
  let postgresId: string;
  let pollerId: string;
  const appHash = (...rest: string[]) => `${server.herald.url}/ui/#/apps/${appId}/${rest.join('/')}`;
  const destination = async (id: string) => (await server.call('GET', `/api/v1/app/${appId}/destination/${id}`)).json;
  const endpoint = async () => (await server.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}`)).json;
  const idFromAddress = (p: Page) => /\/destinations\/(dest_[A-Za-z0-9]+)/.exec(p.url())?.[1] ?? '';
  /** Passwords are never in the page: not shown, not in an attribute, not in a field's value. */
  const assertNoPassword = async (p: Page) => {
    const html = await p.content();
    for (const secret of [PG_PASSWORD, BASIC_PASSWORD]) assert.ok(!html.includes(secret), `the page holds a password: ${p.url()}`);
  };

  before(async () => {
    assert.equal((await server.call('POST', '/api/v1/event-type', { name: 'invoice.paid', description: 'An invoice was paid' })).status, 201);
    appId = (await server.call('POST', '/api/v1/app', { name: 'Destinations Co' })).json.id;
    // Subscribed to nothing that is sent here: its attempts are not what these tests look at.
    const made = await server.call('POST', `/api/v1/app/${appId}/endpoint`, { url: server.receiver.url('/billing'), eventTypes: ['invoice.paid'] });
    assert.equal(made.status, 201, made.text);
    endpointId = made.json.id;
  });

  it('creates a PostgreSQL destination through the form, with the API\'s 422 at its field, and never shows the password', async () => {
    await ui.page.goto(appHash('destinations'));
    await visible(ui.page.getByText('No destinations yet.'));
    await ui.page.getByRole('link', { name: 'Add destination' }).click();
    const form = ui.page.getByRole('form', { name: 'New destination' });
    await form.getByLabel('Type', { exact: true }).selectOption({ label: 'PostgreSQL' });
    // The password inside the URL is refused: it goes in its own, write-only field.
    await form.getByLabel('URL', { exact: true }).fill('postgres://herald:inline@db.example.com:5432/events');
    await form.getByLabel('Table', { exact: true }).fill('public.webhook_events');
    await form.getByRole('button', { name: 'Create destination' }).click();
    await visible(form.locator('.field-error', { hasText: /must not carry the password/ }));
    assert.equal(await form.getByLabel('URL', { exact: true }).getAttribute('aria-invalid'), 'true');

    await form.getByLabel('URL', { exact: true }).fill(PG_URL);
    await form.getByLabel('Password', { exact: true }).fill(PG_PASSWORD);
    assert.equal(await form.getByLabel('Password', { exact: true }).getAttribute('type'), 'password');
    await form.getByRole('button', { name: '+ invoice.paid' }).click();
    await form.getByLabel('Batch size').fill('10');
    await form.getByLabel('Max wait (seconds)').fill('2');
    await shot(ui.page, '100-destination-form');
    await form.getByRole('button', { name: 'Create destination' }).click();

    await visible(ui.page.getByText('Destination created.'));
    postgresId = idFromAddress(ui.page);
    assert.ok(postgresId, `the destination's id is in the address: ${ui.page.url()}`);
    const stored = await destination(postgresId);
    assert.equal(stored.type, 'postgres');
    assert.deepEqual(stored.config, { url: PG_URL, tableName: 'public.webhook_events' });
    assert.deepEqual([stored.batchSize, stored.maxWaitSecs, stored.eventTypes], [10, 2, ['invoice.paid']]);

    assert.equal(await ui.page.getByTestId('destination-type').innerText(), 'PostgreSQL');
    const fields = await ui.page.locator('.fields').first().innerText();
    for (const text of [PG_URL, 'public.webhook_events', 'Up to 10 messages at once', '2 s', 'invoice.paid']) assert.ok(fields.includes(text), `the page shows ${text}`);
    await visible(ui.page.getByRole('region', { name: 'Delivery attempts' }));
    await assertNoPassword(ui.page);

    // The signing secret, behind Reveal.
    await ui.page.getByRole('region', { name: 'Signing secret' }).getByRole('button', { name: 'Reveal' }).click();
    await eventually('the secret to show', async () => (await ui.page.getByTestId('destination-secret').innerText()).startsWith('whsec_'));
    assert.equal(await ui.page.getByTestId('destination-secret').innerText(), (await server.call('GET', `/api/v1/app/${appId}/destination/${postgresId}/secret`)).json.key);
    await shot(ui.page, '101-destination-postgres');
  });

  it('disables and enables the destination', async () => {
    const head = ui.page.locator('.page-head');
    await head.getByRole('button', { name: 'Disable' }).click();
    await visible(head.locator('.badge', { hasText: 'Disabled' }));
    assert.equal((await destination(postgresId)).status, 'disabled');
    await head.getByRole('button', { name: 'Enable' }).click();
    await visible(head.locator('.badge', { hasText: 'Enabled' }));
    assert.equal((await destination(postgresId)).status, 'enabled');
  });

  it('edits the destination: only what changed is sent, so the stored password and URL stay', async () => {
    await ui.page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = ui.page.getByRole('form', { name: 'Edit destination' });
    assert.equal(await form.getByLabel('Password', { exact: true }).inputValue(), '', 'a password is never filled in');
    assert.equal(await form.getByLabel('URL', { exact: true }).inputValue(), PG_URL);
    // A wait the server's deadline cannot hold is refused at its field.
    await form.getByLabel('Max wait (seconds)').fill('20');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(form.locator('.field-error', { hasText: /below the server's HERALD_REQUEST_TIMEOUT \(15 s\)/ }));
    await form.getByLabel('Max wait (seconds)').fill('1');
    await form.getByLabel('Table', { exact: true }).fill('audit.webhook_events');
    const sent: unknown[] = [];
    ui.page.on('request', (r) => r.method() === 'PATCH' && r.url().includes(`/destination/${postgresId}`) && sent.push(r.postDataJSON()));
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(ui.page.getByText('Destination saved.'));
    assert.deepEqual((sent.at(-1) as { config: unknown }).config, { tableName: 'audit.webhook_events' });
    const stored = await destination(postgresId);
    assert.deepEqual(stored.config, { url: PG_URL, tableName: 'audit.webhook_events' });
    assert.equal(stored.maxWaitSecs, 1);
    await assertNoPassword(ui.page);
  });

  it('creates a poller, lists both destinations, and peeks at a message sent through the API', async () => {
    await ui.page.goto(appHash('destinations', 'new'));
    const form = ui.page.getByRole('form', { name: 'New destination' });
    await visible(form);
    assert.equal(await form.getByLabel('Type', { exact: true }).inputValue(), 'pollingEndpoint', 'a poller needs nothing more');
    assert.equal(await form.getByLabel('Batch size').count(), 0, 'a poller has no batching');
    await form.getByRole('button', { name: 'Create destination' }).click();
    await visible(ui.page.getByText('Destination created.'));
    pollerId = idFromAddress(ui.page);
    assert.equal((await destination(pollerId)).type, 'pollingEndpoint');

    const pollUrl = `${server.herald.url}/api/v1/app/${appId}/poller/${pollerId}`;
    assert.equal(await ui.page.getByTestId('poll-url').innerText(), pollUrl);
    assert.equal(await ui.page.getByTestId('consumer-url').innerText(), `${pollUrl}/consumer/{consumer}`);
    assert.match(await ui.page.getByLabel('herald poll').innerText(), new RegExp(`^herald poll ${pollerId} --app ${appId} --consumer \\S+ --follow$`));
    assert.match(await ui.page.getByLabel('Svix client').innerText(), new RegExp(`svix\\.message\\.poller\\.poll\\('${appId}', '${pollerId}', \\{ iterator \\}\\)`));
    assert.equal(await ui.page.getByRole('region', { name: 'Signing secret' }).count(), 0, 'nothing is signed for a poller');

    const peek = ui.page.getByRole('region', { name: 'Peek' });
    await peek.getByRole('button', { name: 'Peek' }).click();
    await visible(peek.getByText('No messages yet.'));
    const sent = await server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'order.shipped', payload: { order: 'ord_7', carrier: 'DHL' } });
    assert.equal(sent.status, 202, sent.text);
    // A message is read once it settled (about a second): read again until it is there.
    const row = peek.locator(`[data-msg-id="${sent.json.id}"]`);
    await eventually('the message in the peek', async () => {
      await peek.getByRole('button', { name: 'From the start' }).click();
      return (await row.count()) === 1;
    });
    assert.match(await row.innerText(), /order\.shipped/);
    assert.deepEqual(JSON.parse(await row.getByLabel(`Payload of ${sent.json.id}`).innerText()), { order: 'ord_7', carrier: 'DHL' });
    await shot(ui.page, '102-poller');

    await ui.page.goto(appHash('destinations'));
    const list = ui.page.getByTestId('destination-list');
    await visible(list.locator(`[data-destination-id="${pollerId}"]`));
    assert.match(await list.locator(`[data-destination-id="${postgresId}"]`).innerText(), new RegExp(`PostgreSQL\\s+${PG_URL.replaceAll('.', '\\.')}\\s+table audit\\.webhook_events\\s+invoice\\.paid\\s+Enabled`));
    assert.match(await list.locator(`[data-destination-id="${pollerId}"]`).innerText(), /Poller\s+read by its consumers\s+All\s+Enabled/);
    await assertNoPassword(ui.page);
    await shot(ui.page, '103-destination-list');
  });

  it('lists an ordered destination\'s delivery attempts like an endpoint\'s', async () => {
    const fifo = await server.call('POST', `/api/v1/app/${appId}/destination`, { type: 'fifoEndpoint', config: { url: server.receiver.url('/ordered') }, eventTypes: ['order.shipped'] });
    assert.equal(fifo.status, 201, fifo.text);
    assert.equal((await server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'order.shipped', payload: { order: 'ord_8' } })).status, 202);
    await ui.page.goto(appHash('destinations', fifo.json.id));
    const attempts = ui.page.getByRole('region', { name: 'Delivery attempts' });
    await visible(attempts.getByTestId('attempt-list').locator('tbody tr', { hasText: 'Success' }));
    assert.equal(await ui.page.getByTestId('destination-type').innerText(), 'FIFO endpoint');
  });

  it('sets an endpoint\'s retry schedule and request timeout, shows the 422 of a timeout above the server\'s, and resets one', async () => {
    await ui.page.goto(appHash('endpoints', endpointId));
    await visible(ui.page.getByTestId('endpoint-url'));
    assert.equal(await ui.page.getByTestId('retry-schedule').innerText(), 'Server default');
    assert.equal(await ui.page.getByTestId('request-timeout').innerText(), 'Server default');

    await ui.page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = ui.page.getByRole('form', { name: 'Edit endpoint' });
    const schedule = form.getByLabel('Retry schedule (seconds)');
    const timeout = form.getByLabel('Request timeout (seconds)');
    await schedule.fill('5, soon');
    await visible(form.locator('.field-error', { hasText: /^Retry schedule must be numbers of seconds/ }));
    assert.equal(await form.getByRole('button', { name: 'Save changes' }).isDisabled(), true);
    await schedule.fill('5, 300, 1800');
    await timeout.fill('60');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(form.locator('.field-error', { hasText: "must be at most the server's HERALD_REQUEST_TIMEOUT (15 s)" }));
    assert.equal(await timeout.getAttribute('aria-invalid'), 'true');
    assert.equal((await endpoint()).requestTimeout, null, 'nothing was stored');
    await shot(ui.page, '104-endpoint-timeout-refused');

    await timeout.fill('7.5');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(ui.page.getByText('Endpoint saved.'));
    const saved = await endpoint();
    assert.deepEqual([saved.retrySchedule, saved.requestTimeout], [[5, 300, 1800], 7.5]);
    // The page shows the saved values once its reload answers.
    await visible(ui.page.getByTestId('retry-schedule').getByText('5 s, 5 min, 30 min (3 retries)', { exact: true }));
    await visible(ui.page.getByTestId('request-timeout').getByText('7.5 s', { exact: true }));

    await ui.page.getByRole('button', { name: 'Edit', exact: true }).click();
    await form.getByRole('button', { name: 'Use the server default request timeout' }).click();
    assert.equal(await timeout.inputValue(), '');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(ui.page.getByText('Endpoint saved.'));
    const reset = await endpoint();
    assert.deepEqual([reset.retrySchedule, reset.requestTimeout], [[5, 300, 1800], null]);
    await visible(ui.page.getByTestId('request-timeout').getByText('Server default', { exact: true }));
  });

  it('creates an endpoint with no retries from the form\'s Advanced fields', async () => {
    await ui.page.goto(appHash('endpoints', 'new'));
    const form = ui.page.getByRole('form', { name: 'New endpoint' });
    await form.getByLabel('Endpoint URL').fill(server.receiver.url('/once'));
    await form.getByText('Advanced').click();
    await form.getByLabel('Retry schedule (seconds)').fill('none');
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    await visible(ui.page.getByText('Endpoint created.'));
    assert.equal(await ui.page.getByTestId('retry-schedule').innerText(), 'No retries');
    const id = /\/endpoints\/(ep_[A-Za-z0-9]+)/.exec(ui.page.url())?.[1];
    assert.deepEqual((await server.call('GET', `/api/v1/app/${appId}/endpoint/${id}`)).json.retrySchedule, []);
  });

  it('sets basic authentication, shown masked by the API and the page, and removes it', async () => {
    await ui.page.goto(appHash('endpoints', endpointId));
    const panel = ui.page.getByRole('region', { name: 'Authentication' });
    await visible(panel.getByTestId('auth-summary').getByText(/^None/));
    await panel.getByRole('button', { name: 'Set up…' }).click();
    const form = panel.getByRole('form', { name: 'Set authentication' });
    await form.getByRole('radio', { name: 'HTTP basic' }).check();
    await form.getByLabel('User name').fill('herald');
    await form.getByLabel('Password', { exact: true }).fill(BASIC_PASSWORD);
    await shot(ui.page, '105-endpoint-auth-form');
    await form.getByRole('button', { name: 'Save authentication' }).click();
    await visible(panel.getByText('Authentication saved.'));

    const auth = (await server.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}/auth`)).json;
    assert.deepEqual(auth, { basic: { username: 'herald', password: '****42' }, oauth2: null, clientCertificate: null });
    // The summary follows once the panel's reload answers.
    await visible(panel.getByTestId('auth-summary').getByText('HTTP basic'));
    assert.match(await panel.getByTestId('auth-summary').innerText(), /Password\s+\*\*\*\*42/);
    await assertNoPassword(ui.page);
    await shot(ui.page, '106-endpoint-basic-auth');

    // A change means typing the password again: it is never filled in.
    await panel.getByRole('button', { name: 'Change…' }).click();
    assert.equal(await form.getByLabel('User name').inputValue(), 'herald');
    assert.equal(await form.getByLabel('Password', { exact: true }).inputValue(), '');
    await form.getByRole('button', { name: 'Cancel' }).click();

    await panel.getByRole('button', { name: 'Remove…' }).click();
    await panel.getByRole('button', { name: 'Remove authentication' }).click();
    await visible(panel.getByText('Authentication removed.'));
    assert.equal((await server.call('GET', `/api/v1/app/${appId}/endpoint/${endpointId}/auth`)).json.basic, null);
  });

  it('shows a read-only token the destinations and the endpoint without a secret or a control', async () => {
    const made = await server.call('POST', '/api/v1/token', { name: 'viewer', scope: 'read-only' });
    assert.equal(made.status, 201, made.text);
    const viewer = await signedInPage(ui.browser, made.json.token);
    ui.watch(viewer);
    try {
      await viewer.goto(appHash('destinations'));
      await visible(viewer.getByTestId('destination-list').locator(`[data-destination-id="${postgresId}"]`));
      assert.equal(await viewer.getByRole('link', { name: 'Add destination' }).count(), 0);

      await viewer.goto(appHash('destinations', postgresId));
      await visible(viewer.getByTestId('destination-type'));
      await visible(viewer.getByRole('region', { name: 'Delivery attempts' }));
      for (const name of ['Reveal', 'Edit', 'Disable', 'Delete…']) assert.equal(await viewer.getByRole('button', { name, exact: true }).count(), 0, name);
      assert.equal(await viewer.getByRole('region', { name: 'Signing secret' }).count(), 0);
      await assertNoPassword(viewer);
      await shot(viewer, '107-destination-read-only');

      // Reading a poller is a read: Peek stays.
      await viewer.goto(appHash('destinations', pollerId));
      await visible(viewer.getByRole('region', { name: 'Peek' }).getByRole('button', { name: 'Peek' }));
      assert.equal(await viewer.getByRole('button', { name: 'Delete…' }).count(), 0);

      await viewer.goto(appHash('endpoints', endpointId));
      await visible(viewer.getByTestId('retry-schedule'));
      for (const name of ['Reveal', 'Edit', 'Set up…', 'Change…']) assert.equal(await viewer.getByRole('button', { name, exact: true }).count(), 0, name);
      // The API refuses the global read-only scope the authentication, as it does the secret and the headers.
      assert.equal(await viewer.getByRole('region', { name: 'Authentication' }).count(), 0);
    } finally {
      await viewer.context().close();
    }
    assert.deepEqual(ui.pageErrors, [], 'no uncaught errors in the pages');
  });
});
