/**
 * The endpoint page's transformation editor, in Chromium: code typed and enabled there is what the API stores; "Try
 * it" runs the editor's code on the event type's example and shows the webhook it makes, or why it failed (a throw,
 * an endless loop); an example that is not JSON is caught before any request; "Remove code" removes it. The consumer
 * portal edits and tries it like the operator (the API lets an application token do both); a read-only portal link
 * sees the code only (the API refuses it the change and the run).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { newContext, shot, skipBrowser as skip, visible, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

const ENDPOINT_URL = 'https://hooks.example.com/billing';
const EXAMPLE = { id: 'inv_1', amount: 4200, customer: 'acme' };

/** Reshapes an invoice for a chat room of its customer's, sent with PUT. */
const CHAT_HANDLER = `function handler(webhook) {
  const invoice = webhook.payload;
  webhook.method = 'PUT';
  webhook.url = webhook.url + '/rooms/' + invoice.customer;
  webhook.payload = { text: 'Invoice ' + invoice.id + ' paid: ' + (invoice.amount / 100).toFixed(2), type: webhook.eventType };
  return webhook;
}`;
const CHAT_RESULT = { text: 'Invoice inv_1 paid: 42.00', type: 'invoice.paid' };

describe('the transformation editor in the dashboard and the consumer portal', { skip, timeout: 120_000 }, () => {
  // A run's time limit counts the sandbox's own setup too: on a busy machine the first runs of a cold sandbox can
  // pass the default 100 ms with a trivial handler, so the limit is raised well above any setup time here.
  const server = useTestServer({ env: { HERALD_TRANSFORM_CPU_MS: '1000' } });
  const ui = useDashboard(server);
  let appId: string;
  let endpointId: string;
  const transformationPath = () => `/api/v1/app/${appId}/endpoint/${endpointId}/transformation`;
  const endpointHash = () => `#/apps/${appId}/endpoints/${endpointId}`;
  /** From a page already showing the portal (so the start's redirect is done and cannot undo this). */
  const openEndpointInPortal = async (portal: Page) => {
    await visible(portal.getByTestId('endpoint-list'));
    await portal.evaluate((hash) => (window.location.hash = hash), endpointHash());
  };
  const sectionOf = (p: Page) => p.getByRole('region', { name: 'Transformation' });
  const tryItOf = (p: Page) => sectionOf(p).getByRole('form', { name: 'Try it' });
  const stored = async () => (await server.call('GET', transformationPath())).json as { code: string | null; enabled: boolean; updatedAt: string | null };

  before(async () => {
    const schemas = { 1: { type: 'object', examples: [EXAMPLE] } };
    assert.equal((await server.call('POST', '/api/v1/event-type', { name: 'invoice.paid', description: 'An invoice was paid', schemas })).status, 201);
    appId = (await server.call('POST', '/api/v1/app', { name: 'Transform Co' })).json.id;
    const endpoint = await server.call('POST', `/api/v1/app/${appId}/endpoint`, { url: ENDPOINT_URL, filterTypes: ['invoice.paid'] });
    assert.equal(endpoint.status, 201, endpoint.text);
    endpointId = endpoint.json.id;
  });

  it('starts from a template, and stores the code and the switch as set on the page', async () => {
    await ui.page.goto(`${server.herald.url}/ui/${endpointHash()}`);
    const section = sectionOf(ui.page);
    const code = section.getByLabel('Code', { exact: true });
    await visible(code);
    assert.match(await code.inputValue(), /function handler\(webhook\) \{\n {2}return webhook;\n\}/, 'a handler returning the webhook unchanged');
    assert.equal(await section.getByTestId('transformation-changed').innerText(), 'Never set');

    await code.fill(CHAT_HANDLER);
    await section.getByRole('checkbox', { name: /^Enabled/ }).check();
    await section.getByRole('button', { name: 'Save transformation' }).click();
    await visible(section.getByText('Transformation saved.'));
    const saved = await stored();
    assert.equal(saved.code, CHAT_HANDLER);
    assert.equal(saved.enabled, true);
    assert.ok(saved.updatedAt, 'the change is dated');
    await visible(section.getByText(/^Last changed /));
    await visible(section.locator('.badge', { hasText: 'Enabled' }));
    await shot(ui.page, '90-transformation-saved');
  });

  it('tries the code on the event type\'s example and shows the webhook it makes, or that it is cancelled', async () => {
    const tryIt = tryItOf(ui.page);
    const payload = tryIt.getByLabel('Example payload (JSON)');
    await visible(payload);
    assert.equal(await tryIt.getByLabel('Event type').inputValue(), 'invoice.paid', 'the endpoint\'s first event type');
    assert.deepEqual(JSON.parse(await payload.inputValue()), EXAMPLE, 'its example from the catalogue');

    await tryIt.getByRole('button', { name: 'Run' }).click();
    const result = tryIt.getByTestId('transformation-result');
    await visible(result);
    assert.match(await result.innerText(), new RegExp(`Method\\s+PUT\\s+URL\\s+${ENDPOINT_URL}/rooms/acme`));
    assert.deepEqual(JSON.parse(await result.getByLabel('Transformed payload').innerText()), CHAT_RESULT);
    await shot(ui.page, '91-transformation-try-it');

    // Unsaved code is what runs: the editor's, not the stored one.
    await sectionOf(ui.page).getByLabel('Code', { exact: true }).fill('function handler(webhook) { webhook.cancel = true; return webhook; }');
    await tryIt.getByRole('button', { name: 'Run' }).click();
    await visible(tryIt.getByTestId('transformation-result').getByText(/^Cancelled: this message would not be sent/));
    assert.equal((await stored()).code, CHAT_HANDLER, 'trying stores nothing');
  });

  it('shows why the code failed: a throw, an endless loop', async () => {
    const code = sectionOf(ui.page).getByLabel('Code', { exact: true });
    const tryIt = tryItOf(ui.page);
    const failure = tryIt.getByTestId('transformation-failure');

    await code.fill("function handler(webhook) { throw new Error('no customer on this invoice'); }");
    await tryIt.getByRole('button', { name: 'Run' }).click();
    await visible(failure);
    assert.equal(await failure.innerText(), 'The transformation failed: the handler threw: Error: no customer on this invoice');
    assert.equal(await tryIt.getByTestId('transformation-result').count(), 0, 'no result beside the failure');

    await code.fill('function handler(webhook) { for(;;){} }');
    await tryIt.getByRole('button', { name: 'Run' }).click();
    await visible(failure.getByText(/CPU limit/));
    assert.equal(await failure.innerText(), 'The transformation failed: the transformation ran longer than its 1000 ms CPU limit');
    await shot(ui.page, '92-transformation-endless-loop');
  });

  it('says inline that the example is not a JSON object, and sends nothing until it is', async () => {
    const simulated: string[] = [];
    ui.page.on('request', (r) => r.url().endsWith('/transformation/simulate') && simulated.push(r.url()));
    await sectionOf(ui.page).getByLabel('Code', { exact: true }).fill(CHAT_HANDLER);
    const tryIt = tryItOf(ui.page);
    const payload = tryIt.getByLabel('Example payload (JSON)');

    await payload.fill('{"id": "inv_1", "customer": ');
    await tryIt.getByRole('button', { name: 'Run' }).click();
    await visible(tryIt.getByText(/^Example payload: not valid JSON: /));
    assert.equal(await payload.getAttribute('aria-invalid'), 'true');
    await payload.fill('[1, 2]');
    await tryIt.getByRole('button', { name: 'Run' }).click();
    await visible(tryIt.getByText('Example payload: must be a JSON object'));
    assert.deepEqual(simulated, [], 'no request for an example that is not a JSON object');

    await payload.fill(JSON.stringify(EXAMPLE));
    await tryIt.getByRole('button', { name: 'Run' }).click();
    await visible(tryIt.getByTestId('transformation-result'));
    assert.equal(simulated.length, 1, 'the valid example is sent, once');
    assert.equal(await payload.getAttribute('aria-invalid'), 'false');
  });

  it('removes the code, and turns the transformation off with it', async () => {
    const section = sectionOf(ui.page);
    await section.getByRole('button', { name: 'Remove code…' }).click();
    await section.getByRole('button', { name: 'Remove code', exact: true }).click();
    await visible(section.getByText('Transformation code removed.'));
    const after = await stored();
    assert.equal(after.code, null);
    assert.equal(after.enabled, false);
    assert.match(await section.getByLabel('Code', { exact: true }).inputValue(), /^\/\/ Runs on every webhook/, 'back to the template');
    await visible(section.locator('.badge', { hasText: 'No code' }));
  });

  it('lets a consumer portal link edit and try it', async () => {
    assert.equal((await server.call('PATCH', transformationPath(), { code: CHAT_HANDLER, enabled: true })).status, 204);
    const access = await server.call('POST', `/api/v1/auth/app-portal-access/${appId}`, {});
    const customer = await newContext(ui.browser, 1100, 820);
    try {
      const portal = await customer.newPage();
      ui.watch(portal);
      await portal.goto(access.json.url);
      await openEndpointInPortal(portal);
      const section = sectionOf(portal);
      await visible(section.getByLabel('Code', { exact: true }));
      assert.equal(await section.getByLabel('Code', { exact: true }).inputValue(), CHAT_HANDLER);

      await tryItOf(portal).getByRole('button', { name: 'Run' }).click();
      await visible(tryItOf(portal).getByTestId('transformation-result'));
      assert.deepEqual(JSON.parse(await tryItOf(portal).getByLabel('Transformed payload').innerText()), CHAT_RESULT);

      await section.getByRole('checkbox', { name: /^Enabled/ }).uncheck();
      await section.getByRole('button', { name: 'Save transformation' }).click();
      await visible(section.getByText('Transformation saved.'));
      assert.equal((await stored()).enabled, false, 'the portal\'s change is stored');
      await shot(portal, '93-portal-transformation');
    } finally {
      await customer.close();
    }
  });

  it('shows a read-only portal link the code, with nothing to change or run (the API would refuse both)', async () => {
    const readOnly = (await server.call('POST', `/api/v1/auth/app-portal-access/${appId}`, { readOnly: true })).json.token as string;
    const asReadOnly = { authorization: `Bearer ${readOnly}` };
    assert.equal((await server.call('GET', transformationPath(), undefined, asReadOnly)).status, 200);
    assert.equal((await server.call('POST', `${transformationPath()}/simulate`, { code: CHAT_HANDLER, eventType: 'invoice.paid', payload: EXAMPLE }, asReadOnly)).status, 403);
    assert.equal((await server.call('PATCH', transformationPath(), { enabled: true }, asReadOnly)).status, 403);

    const { portal, close } = await ui.openPortal(appId);
    try {
      await openEndpointInPortal(portal);
      const section = sectionOf(portal);
      await visible(section.getByLabel('Transformation code'));
      assert.equal(await section.getByLabel('Transformation code').innerText(), CHAT_HANDLER);
      await visible(section.locator('.badge', { hasText: 'Disabled' }));
      for (const name of ['Save transformation', 'Remove code…', 'Run']) {
        assert.equal(await section.getByRole('button', { name, exact: true }).count(), 0, `a read-only portal offers ${name}`);
      }
      assert.equal(await section.getByRole('textbox').count(), 0, 'nothing to type in');
      assert.equal(await section.getByRole('alert').count(), 0, 'no errors');
      await shot(portal, '94-portal-read-only-transformation');
    } finally {
      await close();
    }
    assert.deepEqual(ui.pageErrors, []);
  });
});
