/**
 * Operating Herald from the dashboard, in a real browser against a real server: an admin issues an application token
 * (shown once, and it works through the API), revokes it (and the API refuses it), reads both changes in the audit
 * log, and narrows the Messages tab to one tag. Screenshots go to test-results/screenshots/ (the 4x names).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { eventually, shot, skipBrowser as skip, visible, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

describe('tokens, the audit log and message filters in the dashboard', { skip, timeout: 60_000 }, () => {
  const server = useTestServer();
  const ui = useDashboard(server);
  let app: { id: string };
  let tokenId = '';

  before(async () => {
    app = (await server.call('POST', '/api/v1/app', { name: 'Admin Co', uid: 'admin-co' })).json;
  });

  it('issues an application token shown once, which works until it is revoked', async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps`);
    await ui.page.getByRole('navigation').getByRole('link', { name: 'Tokens' }).click();
    await visible(ui.page.getByRole('heading', { name: 'API tokens' }));
    await ui.page.getByRole('button', { name: 'New token' }).click();
    const form = ui.page.getByRole('form', { name: 'New token' });
    await form.getByLabel('Name').fill('ci-deployer');
    await form.getByLabel('Scope').selectOption('app');
    await form.getByLabel('Application ID or UID').fill('admin-co');
    await form.getByLabel('Expires in (days)').fill('30');
    await form.getByLabel('Rate limit (requests per second)').fill('50');
    await form.getByRole('button', { name: 'Create token' }).click();

    const created = ui.page.getByTestId('token-created');
    await visible(created.getByText('shown only now'));
    await visible(created.getByRole('button', { name: 'Copy' }));
    const token = (await created.getByTestId('new-token').innerText()).trim();
    assert.ok(token.length > 20, 'the token itself');
    const row = ui.page.getByTestId('token-list').locator('tr', { hasText: 'ci-deployer' });
    await visible(row);
    tokenId = (await row.getAttribute('data-token-id')) ?? '';
    assert.match(tokenId, /^tok_/);
    const rowText = await row.innerText();
    assert.match(rowText, /Application/);
    assert.match(rowText, new RegExp(app.id));
    assert.match(rowText, /50\/s/);
    await shot(ui.page, '40-token-created');

    // The shown token is the real thing: the API knows it as an app token of this application.
    const auth = { authorization: `Bearer ${token}` };
    const me = await server.call('GET', '/api/v1/auth/me', undefined, auth);
    assert.equal(me.status, 200);
    assert.deepEqual([me.json.tokenId, me.json.scope, me.json.appId], [tokenId, 'app', app.id]);

    // Revoking asks twice.
    await ui.page.getByRole('button', { name: 'Done' }).click();
    await row.getByRole('button', { name: 'Revoke…' }).click();
    await row.getByRole('button', { name: 'Revoke now' }).click();
    await visible(ui.page.getByText('Token “ci-deployer” revoked'));
    await eventually('the revoked token to leave the list', async () => (await row.count()) === 0);
    assert.equal((await server.call('GET', '/api/v1/auth/me', undefined, auth)).status, 401);

    // The portal links' side of the toggle.
    await ui.page.getByRole('link', { name: 'Portal links' }).click();
    await visible(ui.page.getByRole('heading', { name: 'Portal links' }));
    assert.match(ui.page.url(), /portal=1/);
  });

  it('lists the token\'s creation and revocation in the audit log, newest first', async () => {
    await eventually('both audit entries', async () => {
      const entries = (await server.call('GET', '/api/v1/audit-log')).json.data as { path: string }[];
      return entries.some((e) => e.path === `/api/v1/token/${tokenId}`) && entries.some((e) => e.path === '/api/v1/token');
    });
    await ui.page.getByRole('navigation').getByRole('link', { name: 'Audit' }).click();
    const list = ui.page.getByTestId('audit-list');
    const revoked = list.locator('tr', { hasText: `DELETE /api/v1/token/${tokenId}` });
    const created = list.locator('tr', { hasText: 'POST /api/v1/token' }).filter({ hasText: tokenId });
    await visible(revoked);
    await visible(created);
    assert.match(await revoked.innerText(), /204/);
    assert.match(await created.innerText(), /201/);
    const rows = await list.locator('tbody tr').allInnerTexts();
    const at = (what: string) => rows.findIndex((r) => r.includes(what) && r.includes(tokenId));
    assert.ok(at('DELETE') >= 0 && at('DELETE') < at('POST'), 'the revocation above the creation');

    // Filtered to the application: only its creation (not the tokens).
    await ui.page.getByLabel('Application', { exact: true }).fill('admin-co');
    await ui.page.getByRole('button', { name: 'Filter' }).click();
    await eventually('only the application\'s entries', async () => {
      const texts = await list.locator('tbody tr').allInnerTexts();
      return texts.length > 0 && texts.every((t) => !t.includes('/api/v1/token'));
    });
    assert.match(ui.page.url(), /app_id=admin-co/);
    await ui.page.getByRole('link', { name: 'Clear' }).click();
    await visible(revoked);
    await shot(ui.page, '41-audit-log');
    // A time window that ends before anything happened: nothing, and the window stays in the address.
    await ui.page.getByLabel('Changes until').fill('2001-01-01T00:00');
    await ui.page.getByRole('button', { name: 'Filter' }).click();
    await visible(ui.page.getByText('No changes match these filters.'));
    assert.match(ui.page.url(), /until=200[01]-/);
    await ui.page.getByRole('link', { name: 'Clear' }).click();
    await visible(revoked);
  });

  it('filters messages by tag, kept in the URL', async () => {
    const send = async (body: object) => (await server.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'order.placed', payload: {}, ...body })).json.id as string;
    const plain = await send({ channels: ['eu'] });
    const tagged = await send({ tags: ['vip'] });
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${app.id}/messages`);
    const list = ui.page.getByTestId('message-list');
    await visible(list.locator(`a[href$="/messages/${plain}"]`));
    await ui.page.getByLabel('Filter by tag').fill('vip');
    await ui.page.getByRole('button', { name: 'Filter' }).click();
    await eventually('only the tagged message', async () => (await list.locator('tbody tr').count()) === 1 && (await list.locator(`a[href$="/messages/${tagged}"]`).count()) === 1);
    assert.match(ui.page.url(), /tag=vip/);
    await shot(ui.page, '42-messages-by-tag');

    // Channel, and a time window that ends before both messages: nothing.
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${app.id}/messages?channel=eu`);
    await eventually('only the message on channel eu', async () => (await list.locator('tbody tr').count()) === 1 && (await list.locator(`a[href$="/messages/${plain}"]`).count()) === 1);
    assert.equal(await ui.page.getByLabel('Filter by channel').inputValue(), 'eu');
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${app.id}/messages?before=2000-01-01T00:00:00.000Z`);
    await visible(ui.page.getByText(/No messages before/));
    assert.deepEqual(ui.pageErrors, [], 'no uncaught errors in the pages');
  });

  it('finds a message by the sender\'s event id, and says so when there is none', async () => {
    const sent = (await server.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'order.placed', eventId: 'evt-support-42', payload: { order: 42 } })).json.id as string;
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${app.id}/messages`);
    const finder = ui.page.getByRole('search', { name: 'Find a message' });
    await finder.getByLabel('Message ID or event ID').fill('evt-does-not-exist');
    await finder.getByRole('button', { name: 'Find' }).click();
    await visible(finder.getByText('No message evt-does-not-exist in this application.'));
    await finder.getByLabel('Message ID or event ID').fill(' evt-support-42 ');
    await finder.getByRole('button', { name: 'Find' }).click();
    await ui.page.waitForURL(new RegExp(`/messages/${sent}$`));
    await visible(ui.page.getByLabel('Payload').getByText('"order": 42'));
  });
});
