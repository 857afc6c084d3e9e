/**
 * Managing endpoints in the dashboard, in a real browser against a real server and receiver: edit an endpoint (its
 * description, event types and filter, with the API's validation shown), custom headers that reach the receiver,
 * delete an endpoint, the event type catalogue with schemas and examples, and recovering failed messages with a
 * progress bar. Screenshots go to test-results/screenshots/ (the 2x names).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { eventually, shot, skipBrowser as skip, visible, WAIT_MS, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

const INVOICE_SCHEMA = {
  type: 'object',
  properties: { invoice: { type: 'string' }, amount: { type: 'integer' }, currency: { type: 'string' } },
  required: ['invoice', 'amount'],
  examples: [{ invoice: 'inv-example-7', amount: 1999, currency: 'EUR' }],
};

describe('managing endpoints in the dashboard', { skip, timeout: 90_000 }, () => {
  // One quick retry, so a failing delivery is marked failed (and can be recovered) within the test.
  const server = useTestServer({ receiver: true, env: { HERALD_RETRY_SCHEDULE: '0' } });
  const ui = useDashboard(server);
  let app: { id: string };
  let endpoint: { id: string };
  const appPath = () => `/api/v1/app/${app.id}`;
  const send = async (payload: object, eventType = 'invoice.paid') => {
    const sent = await server.call('POST', `${appPath()}/msg`, { eventType, payload });
    assert.equal(sent.status, 202);
    return sent.json.id as string;
  };
  const bodies = (p: string) => server.receiver.on(p).map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>);
  const openEndpoint = async (id: string) => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${app.id}/endpoints/${id}`);
    await visible(ui.page.getByTestId('endpoint-url'));
  };

  before(async () => {
    app = (await server.call('POST', '/api/v1/app', { name: 'Manage Co' })).json;
    assert.equal((await server.call('POST', '/api/v1/event-type', { name: 'invoice.paid', description: 'An invoice was paid', schemas: { 1: INVOICE_SCHEMA } })).status, 201);
    assert.equal((await server.call('POST', '/api/v1/event-type', { name: 'order.shipped', description: 'An order left the warehouse', deprecated: true })).status, 201);
    const made = await server.call('POST', `${appPath()}/endpoint`, { url: server.receiver.url('/managed'), description: 'Before', eventTypes: ['invoice.paid'] });
    assert.equal(made.status, 201);
    endpoint = made.json;
  });

  it('edits the description, event types and filter, and shows the API\'s validation', async () => {
    await openEndpoint(endpoint.id);
    await ui.page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = ui.page.getByRole('form', { name: 'Edit endpoint' });
    await visible(form);
    await form.getByLabel('Description').fill('After the edit');
    await form.getByRole('button', { name: '+ order.shipped' }).click();
    await visible(form.locator('.picker-box .chip', { hasText: 'order.shipped' }));

    // Not JSON: said at once, and Save waits for a fix.
    const filter = form.getByLabel('Filter (JSON)');
    await filter.fill('{"body": ');
    await visible(form.getByTestId('filter-error').filter({ hasText: 'not valid JSON' }));
    assert.equal(await form.getByRole('button', { name: 'Save changes' }).isDisabled(), true);
    // JSON the API refuses (an empty key in the dot path): its 422 is shown at the filter.
    await filter.fill('{"body": {"invoice..currency": "EUR"}}');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(form.getByTestId('filter-error').filter({ hasText: /invoice\.\.currency: is not a dot path/ }));
    await shot(ui.page, '20-endpoint-edit-invalid-filter');

    await filter.fill('{"body": {"currency": "EUR"}}');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(ui.page.getByText('Endpoint saved.'));
    const stored = (await server.call('GET', `${appPath()}/endpoint/${endpoint.id}`)).json;
    assert.equal(stored.description, 'After the edit');
    assert.deepEqual(stored.eventTypes, ['invoice.paid', 'order.shipped']);
    assert.deepEqual(stored.filter, { body: { currency: 'EUR' } });
    await visible(ui.page.getByText('After the edit'));
    await shot(ui.page, '21-endpoint-edited');

    // The filter at work: a USD invoice is not delivered, a EUR one is.
    const usd = await send({ invoice: 'inv-usd', amount: 5, currency: 'USD' });
    await send({ invoice: 'inv-eur', amount: 7, currency: 'EUR' });
    await server.receiver.waitFor(() => bodies('/managed').some((b) => b['invoice'] === 'inv-eur'), WAIT_MS, 'the EUR invoice');
    assert.ok(!bodies('/managed').some((b) => b['invoice'] === 'inv-usd'), 'the USD invoice was delivered despite the filter');
    assert.deepEqual((await server.call('GET', `${appPath()}/attempt/msg/${usd}?endpoint_id=${endpoint.id}`)).json.data, []);
  });

  it('adds custom headers that the next delivery carries', async () => {
    await openEndpoint(endpoint.id);
    const card = ui.page.getByRole('region', { name: 'Custom headers' });
    await visible(card.getByText('No custom headers.'));
    await card.getByRole('button', { name: 'Add header' }).click();
    await card.getByLabel('Header name').last().fill('X-Tenant');
    await card.getByLabel('Value of X-Tenant').fill('acme-42');
    await card.getByRole('button', { name: 'Add header' }).click();
    await card.getByLabel('Header name').last().fill('X-Api-Key');
    await card.getByLabel('Value of X-Api-Key').fill('k-secret-1');
    await card.getByRole('button', { name: 'Save headers' }).click();
    await visible(card.getByText('Headers saved.'));
    // The credential's value is never shown again, only its name.
    await visible(card.getByPlaceholder(/hidden; type to replace/));
    assert.deepEqual((await server.call('GET', `${appPath()}/endpoint/${endpoint.id}/headers`)).json, { headers: { 'X-Tenant': 'acme-42' }, sensitive: ['X-Api-Key'] });
    await shot(ui.page, '22-endpoint-headers');

    await send({ invoice: 'inv-headers', amount: 9, currency: 'EUR' });
    await server.receiver.waitFor(() => server.receiver.on('/managed').some((r) => r.body.toString().includes('inv-headers')), WAIT_MS, 'the delivery with headers');
    const got = server.receiver.on('/managed').find((r) => r.body.toString().includes('inv-headers'))!;
    assert.equal(got.headers['x-tenant'], 'acme-42');
    assert.equal(got.headers['x-api-key'], 'k-secret-1');

    // Removing the plain header keeps the hidden credential (saved as a PATCH of the changes).
    // Names are shown as they were typed.
    await card.getByRole('button', { name: 'Remove X-Tenant' }).click();
    await card.getByRole('button', { name: 'Save headers' }).click();
    await visible(card.getByText('Headers saved.'));
    assert.deepEqual((await server.call('GET', `${appPath()}/endpoint/${endpoint.id}/headers`)).json, { headers: {}, sensitive: ['X-Api-Key'] });
  });

  it('sends the catalogue\'s example to the endpoint and follows it to its attempt', async () => {
    await openEndpoint(endpoint.id);
    const card = ui.page.getByRole('region', { name: 'Send an example' });
    const picker = card.getByLabel('Event type to send');
    await visible(picker);
    assert.deepEqual(await picker.locator('option').allInnerTexts(), ['invoice.paid'], 'only types with an example');
    assert.match(await card.getByLabel('Example payload').innerText(), /"invoice": "inv-example-7"/);
    await card.getByRole('button', { name: 'Send example' }).click();
    const notice = card.getByTestId('example-sent');
    await visible(notice);
    await server.receiver.waitFor(() => bodies('/managed').some((b) => b['invoice'] === 'inv-example-7'), WAIT_MS, 'the example');
    await shot(ui.page, '23-send-example');
    await notice.getByRole('link').click();
    const delivery = ui.page.locator(`[data-testid="delivery"][data-endpoint-id="${endpoint.id}"]`);
    await visible(delivery.locator('tbody tr', { hasText: 'Success' }));
  });

  it('recovers failed messages and shows the task\'s progress until it finishes', async () => {
    let failing = true;
    server.receiver.responder = (req, res) => {
      if (req.path === '/flaky' && failing) res.writeHead(500, { 'content-type': 'text/plain' }).end('down');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    };
    const flaky = (await server.call('POST', `${appPath()}/endpoint`, { url: server.receiver.url('/flaky'), description: 'Flaky receiver' })).json;
    const msg = await send({ invoice: 'inv-recover', amount: 11, currency: 'EUR' });
    const deliveryStatus = async () => {
      const list = (await server.call('GET', `${appPath()}/msg/${msg}/endpoint`)).json.data as { id: string; status: number }[];
      return list.find((d) => d.id === flaky.id)?.status;
    };
    await eventually('the delivery to fail for good', async () => (await deliveryStatus()) === 2);
    failing = false;

    await openEndpoint(flaky.id);
    const panel = ui.page.getByRole('region', { name: 'Recover or replay' });
    await visible(panel);
    assert.equal(await panel.getByRole('radio', { name: 'Recover failed' }).isChecked(), true);
    await panel.getByRole('button', { name: 'Start' }).click();
    const progress = panel.getByTestId('task-progress');
    await visible(progress);
    await eventually('the task to finish', async () => (await progress.getAttribute('data-status')) === 'finished');
    assert.equal(await panel.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
    assert.match(await panel.getByTestId('task-counts').innerText(), /of \d+ messages processed · 1 scheduled/);
    await server.receiver.waitFor(() => server.receiver.on('/flaky').length >= 3, WAIT_MS, 'the recovered delivery');
    await eventually('the message to be delivered', async () => (await deliveryStatus()) === 0);
    await shot(ui.page, '23-endpoint-recovered');
  });

  it('deletes an endpoint after a second click', async () => {
    const doomed = (await server.call('POST', `${appPath()}/endpoint`, { url: 'https://example.com/doomed', description: 'To delete' })).json;
    await openEndpoint(doomed.id);
    await ui.page.getByRole('button', { name: 'Delete…' }).click();
    await ui.page.getByRole('button', { name: 'Delete endpoint' }).click();
    await visible(ui.page.getByText('Endpoint https://example.com/doomed deleted.'));
    assert.match(ui.page.url(), new RegExp(`#/apps/${app.id}/endpoints\\?`));
    assert.equal((await server.call('GET', `${appPath()}/endpoint/${doomed.id}`)).status, 404);
    assert.equal(await ui.page.getByTestId('endpoint-list').getByText('https://example.com/doomed').count(), 0);
  });

  it('shows the event type catalogue with schemas and examples, and an admin adds a type', async () => {
    await ui.page.getByRole('link', { name: 'Event types', exact: true }).first().click();
    const invoice = ui.page.locator('[data-testid="event-type"][data-name="invoice.paid"]');
    await visible(invoice);
    assert.match(await invoice.innerText(), /An invoice was paid/);
    assert.match(await invoice.getByLabel('Schema 1 of invoice.paid').innerText(), /"required": \[/);
    assert.match(await invoice.getByLabel('Example 1 of invoice.paid').innerText(), /"invoice": "inv-example-7"/);
    const shipped = ui.page.locator('[data-testid="event-type"][data-name="order.shipped"]');
    await visible(shipped.getByText('Deprecated'));
    await visible(shipped.getByText('No schema.'));

    await ui.page.getByRole('button', { name: 'New event type' }).click();
    const form = ui.page.getByRole('form', { name: 'New event type' });
    await form.getByLabel('Name').fill('customer.created');
    await form.getByLabel('Description').fill('A customer signed up');
    await form.getByLabel('JSON Schema (optional)').fill(JSON.stringify({ type: 'object', examples: [{ customer: 'cus_1' }] }));
    await form.getByRole('button', { name: 'Create event type' }).click();
    await visible(ui.page.getByText('Event type customer.created created.'));
    const customer = ui.page.locator('[data-testid="event-type"][data-name="customer.created"]');
    assert.match(await customer.getByLabel('Example 1 of customer.created').innerText(), /"customer": "cus_1"/);
    assert.equal((await server.call('GET', '/api/v1/event-type/customer.created')).json.description, 'A customer signed up');
    await shot(ui.page, '24-event-types');
    assert.deepEqual(ui.pageErrors, [], 'no uncaught errors in the pages');
  });
});
