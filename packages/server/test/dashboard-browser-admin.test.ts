/**
 * Operating Herald from the dashboard, in a real browser against a real server: an admin issues an application token
 * (shown once, and it works through the API), revokes it (and the API refuses it), reads both changes in the audit
 * log, and narrows the Messages tab to one tag. Screenshots go to test-results/screenshots/ (the 4x names).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchBrowser, pageErrorLog, shot, skipBrowser as skip, visible, signedInPage } from './helpers/browser.ts';
import { ADMIN_TOKEN, api, startTestHerald } from './helpers/herald.ts';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;

describe('tokens, the audit log and message filters in the dashboard', { skip, timeout: 60_000 }, () => {
  let herald: Herald;
  let browser: Browser;
  let page: Page;
  const { errors: pageErrors, watch } = pageErrorLog();
  let app: { id: string };
  let tokenId = '';
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(herald.url, method, path, body, headers);

  before(async () => {
    [herald, browser] = await Promise.all([startTestHerald(), launchBrowser()]);
    app = (await call('POST', '/api/v1/app', { name: 'Admin Co', uid: 'admin-co' })).json;
    page = await signedInPage(browser, ADMIN_TOKEN);
    watch(page);
  });

  after(async () => {
    await browser?.close();
    await herald?.cleanup();
  });

  it('issues an application token shown once, which works until it is revoked', async () => {
    await page.goto(`${herald.url}/ui/#/apps`);
    await page.getByRole('navigation').getByRole('link', { name: 'Tokens' }).click();
    await visible(page.getByRole('heading', { name: 'API tokens' }));
    await page.getByRole('button', { name: 'New token' }).click();
    const form = page.getByRole('form', { name: 'New token' });
    await form.getByLabel('Name').fill('ci-deployer');
    await form.getByLabel('Scope').selectOption('app');
    await form.getByLabel('Application ID or UID').fill('admin-co');
    await form.getByLabel('Expires in (days)').fill('30');
    await form.getByLabel('Rate limit (requests per second)').fill('50');
    await form.getByRole('button', { name: 'Create token' }).click();

    const created = page.getByTestId('token-created');
    await visible(created.getByText('shown only now'));
    await visible(created.getByRole('button', { name: 'Copy' }));
    const token = (await created.getByTestId('new-token').innerText()).trim();
    assert.ok(token.length > 20, 'the token itself');
    const row = page.getByTestId('token-list').locator('tr', { hasText: 'ci-deployer' });
    await visible(row);
    tokenId = (await row.getAttribute('data-token-id')) ?? '';
    assert.match(tokenId, /^tok_/);
    const rowText = await row.innerText();
    assert.match(rowText, /Application/);
    assert.match(rowText, new RegExp(app.id));
    assert.match(rowText, /50\/s/);
    await shot(page, '40-token-created');

    // The shown token is the real thing: the API knows it as an app token of this application.
    const auth = { authorization: `Bearer ${token}` };
    const me = await call('GET', '/api/v1/auth/me', undefined, auth);
    assert.equal(me.status, 200);
    assert.deepEqual([me.json.tokenId, me.json.scope, me.json.appId], [tokenId, 'app', app.id]);

    // Revoking asks twice.
    await page.getByRole('button', { name: 'Done' }).click();
    await row.getByRole('button', { name: 'Revoke…' }).click();
    await row.getByRole('button', { name: 'Revoke now' }).click();
    await visible(page.getByText('Token “ci-deployer” revoked'));
    await eventually('the revoked token to leave the list', async () => (await row.count()) === 0);
    assert.equal((await call('GET', '/api/v1/auth/me', undefined, auth)).status, 401);

    // The portal links' side of the toggle.
    await page.getByRole('link', { name: 'Portal links' }).click();
    await visible(page.getByRole('heading', { name: 'Portal links' }));
    assert.match(page.url(), /portal=1/);
  });

  it('lists the token\'s creation and revocation in the audit log, newest first', async () => {
    await eventually('both audit entries', async () => {
      const entries = (await call('GET', '/api/v1/audit-log')).json.data as { path: string }[];
      return entries.some((e) => e.path === `/api/v1/token/${tokenId}`) && entries.some((e) => e.path === '/api/v1/token');
    });
    await page.getByRole('navigation').getByRole('link', { name: 'Audit' }).click();
    const list = page.getByTestId('audit-list');
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
    await page.getByLabel('Application', { exact: true }).fill('admin-co');
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventually('only the application\'s entries', async () => {
      const texts = await list.locator('tbody tr').allInnerTexts();
      return texts.length > 0 && texts.every((t) => !t.includes('/api/v1/token'));
    });
    assert.match(page.url(), /app_id=admin-co/);
    await page.getByRole('link', { name: 'Clear' }).click();
    await visible(revoked);
    await shot(page, '41-audit-log');
    // A time window that ends before anything happened: nothing, and the window stays in the address.
    await page.getByLabel('Changes until').fill('2001-01-01T00:00');
    await page.getByRole('button', { name: 'Filter' }).click();
    await visible(page.getByText('No changes match these filters.'));
    assert.match(page.url(), /until=200[01]-/);
    await page.getByRole('link', { name: 'Clear' }).click();
    await visible(revoked);
  });

  it('filters messages by tag, kept in the URL', async () => {
    const send = async (body: object) => (await call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'order.placed', payload: {}, ...body })).json.id as string;
    const plain = await send({ channels: ['eu'] });
    const tagged = await send({ tags: ['vip'] });
    await page.goto(`${herald.url}/ui/#/apps/${app.id}/messages`);
    const list = page.getByTestId('message-list');
    await visible(list.locator(`a[href$="/messages/${plain}"]`));
    await page.getByLabel('Filter by tag').fill('vip');
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventually('only the tagged message', async () => (await list.locator('tbody tr').count()) === 1 && (await list.locator(`a[href$="/messages/${tagged}"]`).count()) === 1);
    assert.match(page.url(), /tag=vip/);
    await shot(page, '42-messages-by-tag');

    // Channel, and a time window that ends before both messages: nothing.
    await page.goto(`${herald.url}/ui/#/apps/${app.id}/messages?channel=eu`);
    await eventually('only the message on channel eu', async () => (await list.locator('tbody tr').count()) === 1 && (await list.locator(`a[href$="/messages/${plain}"]`).count()) === 1);
    assert.equal(await page.getByLabel('Filter by channel').inputValue(), 'eu');
    await page.goto(`${herald.url}/ui/#/apps/${app.id}/messages?before=2000-01-01T00:00:00.000Z`);
    await visible(page.getByText(/No messages before/));
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });

  it('finds a message by the sender\'s event id, and says so when there is none', async () => {
    const sent = (await call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'order.placed', eventId: 'evt-support-42', payload: { order: 42 } })).json.id as string;
    await page.goto(`${herald.url}/ui/#/apps/${app.id}/messages`);
    const finder = page.getByRole('search', { name: 'Find a message' });
    await finder.getByLabel('Message ID or event ID').fill('evt-does-not-exist');
    await finder.getByRole('button', { name: 'Find' }).click();
    await visible(finder.getByText('No message evt-does-not-exist in this application.'));
    await finder.getByLabel('Message ID or event ID').fill(' evt-support-42 ');
    await finder.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(new RegExp(`/messages/${sent}$`));
    await visible(page.getByLabel('Payload').getByText('"order": 42'));
  });
});
