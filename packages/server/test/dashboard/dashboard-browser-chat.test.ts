/**
 * Chat endpoints in the dashboard, in Chromium against a real server and a local receiver standing in for Slack:
 * creating a Slack and a DingTalk endpoint through the form (the kind's URL hint, the DingTalk signing secret, which
 * never comes back, and the API's 422 at its field), the Slack endpoint's message template (edit, preview as a chat
 * bubble and as Slack's body, save, reset; the bubble on a phone), "Send a test message" reaching the receiver as
 * Slack blocks (the button disabled, with the reason, while the endpoint is), and what portal links see: a writable
 * one edits and tests like an operator, a read-only one sees the template with no Save, no preview and no test button.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, newContext, shot, skipBrowser as skip, visible, useDashboard } from '../helpers/browser.ts';
import { ADMIN_TOKEN } from '../helpers/herald.ts';
import { useTestServer } from '../helpers/test-server.ts';

const EXAMPLE = { status: 'failed', repo: 'acme/api', branch: 'main' };
const TEMPLATE = { title: 'Build {{payload.status}} in {{payload.repo}}', fields: ['repo', 'branch'], severity: 'warning' };
const DINGTALK_SECRET = 'SECb6a1f7c3d9e24058a1b2c3d4e5f60718293a4b5c6d7e8f9';

interface EndpointOut {
  id: string;
  kind: string;
  chatSigned: boolean;
  chatTemplate: Record<string, unknown> | null;
}

describe('chat endpoints in the dashboard', { skip, timeout: 120_000 }, () => {
  const server = useTestServer({ receiver: true });
  const ui = useDashboard(server);
  let appId: string;
  let slackId: string;
  let dingtalkId: string;
  const endpointPath = (id: string) => `/api/v1/app/${appId}/endpoint/${id}`;
  const stored = async (id: string) => (await server.call('GET', endpointPath(id))).json as EndpointOut;
  const endpointHash = (id: string) => `#/apps/${appId}/endpoints/${id}`;
  const openEndpoint = async (id: string) => {
    await ui.page.goto(`${server.herald.url}/ui/${endpointHash(id)}`);
    await visible(ui.page.getByTestId('endpoint-url'));
  };
  const templateOf = (p: Page) => p.getByRole('region', { name: 'Message template' });
  const openNewEndpoint = async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${appId}/endpoints/new`);
    const form = ui.page.getByRole('form', { name: 'New endpoint' });
    await visible(form);
    return form;
  };
  /** After Create: the new endpoint's id, from the page it opened. */
  const createdId = async () => {
    await visible(ui.page.getByText('Endpoint created.'));
    return new URL(ui.page.url()).hash.split('/')[4]!.split('?')[0]!;
  };

  before(async () => {
    const schemas = { 1: { type: 'object', examples: [EXAMPLE] } };
    assert.equal((await server.call('POST', '/api/v1/event-type', { name: 'build.failed', description: 'A CI build failed', schemas })).status, 201);
    appId = (await server.call('POST', '/api/v1/app', { name: 'Chat Co' })).json.id;
  });

  it('creates a Slack endpoint, with the URL Slack hands out as the hint, and badges it in the list', async () => {
    const form = await openNewEndpoint();
    await form.getByLabel('Kind').selectOption({ label: 'Slack' });
    await visible(form.getByText(/https:\/\/hooks\.slack\.com\/services\//));
    assert.equal(await form.getByLabel('Endpoint URL').getAttribute('placeholder'), 'https://hooks.slack.com/services/…');
    assert.equal(await form.getByLabel('Signing secret').count(), 0, 'Slack webhooks take no secret');
    await form.getByLabel('Endpoint URL').fill(server.receiver.url('/slack'));
    await form.getByLabel('Description').fill('CI alerts');
    await shot(ui.page, '110-chat-endpoint-create');
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    slackId = await createdId();

    const slack = await stored(slackId);
    assert.equal(slack.kind, 'slack');
    assert.equal(slack.chatSigned, false);
    await visible(ui.page.getByTestId('endpoint-kind').getByText('Slack'));
    assert.equal(await ui.page.getByTestId('chat-signed').innerText(), 'No: Slack webhooks are not signed');
    assert.equal(await ui.page.getByRole('region', { name: 'Signing secret' }).count(), 0, 'Herald\'s webhook secret means nothing to Slack');

    await ui.page.goto(`${server.herald.url}/ui/#/apps/${appId}/endpoints`);
    const row = ui.page.getByTestId('endpoint-list').locator('tr', { hasText: server.receiver.url('/slack') });
    await visible(row.getByTestId('endpoint-kind').getByText('Slack'));
  });

  it('creates a DingTalk endpoint with a signing secret that never comes back, and shows the API\'s 422 at the field', async () => {
    const form = await openNewEndpoint();
    await form.getByLabel('Kind').selectOption({ label: 'DingTalk' });
    await visible(form.getByText(/https:\/\/oapi\.dingtalk\.com\/robot\/send\?access_token=/));
    await form.getByLabel('Endpoint URL').fill(server.receiver.url('/dingtalk'));
    const secret = form.getByLabel('Signing secret');
    await secret.fill('S'.repeat(513));
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    await visible(form.locator('.field-error').filter({ hasText: /512/ }));
    assert.equal(await secret.getAttribute('aria-invalid'), 'true', 'the message is the field\'s');
    assert.equal(await form.getByRole('alert').count(), 0, 'and not repeated above the buttons');

    await secret.fill(DINGTALK_SECRET);
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    dingtalkId = await createdId();
    assert.equal((await stored(dingtalkId)).chatSigned, true);
    assert.equal(await ui.page.getByTestId('chat-signed').innerText(), 'Yes: each message carries the signature of its secret');
    assert.ok(!(await ui.page.content()).includes(DINGTALK_SECRET), 'the secret is nowhere in the page');

    // Editing keeps the secret unless a new one is typed, or removes it.
    await ui.page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = ui.page.getByRole('form', { name: 'Edit endpoint' });
    await visible(edit.getByText('A secret is set — type a new one to replace it, or remove it.'));
    assert.equal(await edit.getByLabel('Signing secret').inputValue(), '');
    assert.ok(!(await ui.page.content()).includes(DINGTALK_SECRET), 'not in the edit form either');
    await edit.getByRole('button', { name: 'Remove', exact: true }).click();
    await visible(edit.getByText('The secret is removed when you save: messages go unsigned.'));
    await shot(ui.page, '111-chat-endpoint-secret-removed');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await visible(ui.page.getByText('Endpoint saved.'));
    assert.equal((await stored(dingtalkId)).chatSigned, false);
    // The page shows the endpoint as reloaded after the save.
    await visible(ui.page.getByTestId('chat-signed').getByText('No: no signing secret is set'));
  });

  it('edits the Slack endpoint\'s template, previews it as a chat message and as Slack\'s body, saves it and resets it', async () => {
    await openEndpoint(slackId);
    const section = templateOf(ui.page);
    await visible(section.getByLabel('Title'));
    const preview = section.getByRole('form', { name: 'Preview' });
    assert.equal(await preview.getByLabel('Example event type').inputValue(), 'build.failed', 'the catalogue\'s type with an example');
    assert.deepEqual(JSON.parse(await preview.getByLabel('Example payload (JSON)').inputValue()), EXAMPLE);

    await section.getByLabel('Title').fill(TEMPLATE.title);
    await section.getByLabel('Fields').fill(TEMPLATE.fields.join(', '));
    await section.getByLabel('Severity').selectOption('warning');
    await preview.getByRole('button', { name: 'Preview' }).click();
    const bubble = preview.getByTestId('chat-bubble');
    await visible(bubble);
    assert.equal(await bubble.getByTestId('chat-title').innerText(), 'Build failed in acme/api');
    assert.equal(await bubble.getAttribute('data-severity'), 'warning');
    assert.match(await bubble.getByTestId('chat-fields').innerText(), /branch\s+main/);
    await preview.getByText('What Slack receives').click();
    const body = JSON.parse(await preview.getByLabel('What Slack receives').innerText()) as { blocks: { type: string; text?: { text: string } }[] };
    assert.equal(body.blocks[0]?.type, 'header');
    assert.match(body.blocks[0]?.text?.text ?? '', /Build failed in acme\/api/);
    await shot(ui.page, '112-chat-template-preview');
    assert.equal((await stored(slackId)).chatTemplate, null, 'previewing stores nothing');

    await section.getByRole('button', { name: 'Save template' }).click();
    await visible(section.getByText('Template saved.'));
    assert.deepEqual((await stored(slackId)).chatTemplate, TEMPLATE);
    await visible(section.getByTestId('template-state').getByText('Custom'));

    await section.getByRole('button', { name: 'Reset to Herald’s default…' }).click();
    await section.getByRole('button', { name: 'Reset template' }).click();
    await visible(section.getByText('Template reset to Herald’s default.'));
    assert.equal((await stored(slackId)).chatTemplate, null);
    assert.equal(await section.getByLabel('Title').inputValue(), '');
    await visible(section.getByTestId('template-state').getByText('Herald’s default'));
  });

  it('fits the preview\'s chat bubble on a phone (the views test walks the page, not a rendered preview)', async () => {
    const phone = await newContext(ui.browser, 360, 800);
    try {
      await phone.addInitScript((t) => sessionStorage.setItem('herald.token', t), ADMIN_TOKEN);
      const page = await phone.newPage();
      ui.watch(page);
      await page.goto(`${server.herald.url}/ui/${endpointHash(slackId)}`);
      const preview = templateOf(page).getByRole('form', { name: 'Preview' });
      await preview.getByRole('button', { name: 'Preview' }).click();
      const bubble = preview.getByTestId('chat-bubble');
      await visible(bubble);
      const box = await bubble.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `the bubble spans ${box?.x}..${box && box.x + box.width}`);
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'no sideways scroll');
      await shot(page, '114-chat-preview-phone');
    } finally {
      await phone.close();
    }
  });

  it('sends a test message that reaches the receiver as Slack blocks, and links to its message', async () => {
    await openEndpoint(slackId);
    const card = ui.page.getByRole('region', { name: 'Send a test message' });
    await card.getByRole('button', { name: 'Send a test message' }).click();
    const sent = card.getByTestId('test-message-sent');
    await visible(sent);
    const msgId = await sent.getByRole('link').innerText();

    await server.receiver.waitFor((received) => received.some((r) => r.path === '/slack'), 10_000, 'the test message');
    const received = server.receiver.on('/slack');
    assert.equal(received.length, 1, 'one request');
    const slackBody = JSON.parse(received[0]!.body.toString()) as { text: string; blocks: unknown[] };
    assert.ok(Array.isArray(slackBody.blocks) && slackBody.blocks.length > 0, 'Slack blocks');
    assert.match(slackBody.text, /Herald test/);

    await eventually('the test message\'s attempt', async () => (await server.call('GET', `/api/v1/app/${appId}/attempt/msg/${msgId}`)).json.data.length > 0);
    await sent.getByRole('link').click();
    const attempts = ui.page.getByTestId('delivery').getByTestId('attempt-list');
    await visible(attempts.getByText('200'));
    await shot(ui.page, '113-chat-test-message');
  });

  it('says why a disabled endpoint cannot be sent a test message', async () => {
    assert.equal((await server.call('PATCH', endpointPath(slackId), { disabled: true })).status, 200);
    await openEndpoint(slackId);
    const card = ui.page.getByRole('region', { name: 'Send a test message' });
    await visible(card.getByText('The endpoint is disabled: enable it to send it a test message.'));
    assert.equal(await card.getByRole('button', { name: 'Send a test message' }).isDisabled(), true);
    assert.equal((await server.call('PATCH', endpointPath(slackId), { disabled: false })).status, 200);
  });

  it('lets a portal link edit the template and send a test message, like a writer of its application', async () => {
    const access = await server.call('POST', `/api/v1/auth/app-portal-access/${appId}`, {});
    const customer = await newContext(ui.browser, 1100, 820);
    try {
      const portal = await customer.newPage();
      ui.watch(portal);
      await portal.goto(access.json.url);
      await visible(portal.getByTestId('endpoint-list'));
      await portal.evaluate((hash) => (window.location.hash = hash), endpointHash(slackId));
      await visible(templateOf(portal).getByRole('button', { name: 'Save template' }));
      await visible(portal.getByRole('button', { name: 'Send a test message' }));
    } finally {
      await customer.close();
    }
  });

  it('shows a read-only portal link the template, with no Save, no preview and no test button', async () => {
    assert.equal((await server.call('PATCH', endpointPath(slackId), { chatTemplate: TEMPLATE })).status, 200);
    const { portal, close } = await ui.openPortal(appId);
    try {
      await visible(portal.getByTestId('endpoint-list'));
      await portal.evaluate((hash) => (window.location.hash = hash), endpointHash(slackId));
      const section = templateOf(portal);
      await visible(section.getByTestId('stored-template'));
      assert.match(await section.getByTestId('stored-template').innerText(), /Build \{\{payload\.status\}\} in \{\{payload\.repo\}\}/);
      for (const name of ['Save template', 'Reset to Herald’s default…', 'Preview']) {
        assert.equal(await section.getByRole('button', { name, exact: true }).count(), 0, `a read-only link offers ${name}`);
      }
      assert.equal(await section.getByRole('textbox').count(), 0, 'nothing to type in');
      assert.equal(await portal.getByRole('button', { name: 'Send a test message' }).count(), 0);
      await shot(portal, '115-chat-portal-read-only');
    } finally {
      await close();
    }
    assert.deepEqual(ui.pageErrors, []);
  });
});
