/**
 * Applications from the dashboard, in a real browser against a real server, as a new user starts: no applications,
 * create one (a bad uid is refused under its field), change its settings, delete it; app and read-only tokens see
 * none of those controls. Screenshots go to test-results/screenshots/ (the 7x names).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, pageErrorLog, shot, skipBrowser as skip, visible, signedInPage } from './helpers/browser.ts';
import { ADMIN_TOKEN, api, startTestHerald } from './helpers/herald.ts';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;

describe('applications in the dashboard', { skip, timeout: 60_000 }, () => {
  let herald: Herald;
  let browser: Browser;
  let page: Page;
  const { errors: pageErrors, watch } = pageErrorLog();
  let appId = '';
  const call = (method: string, path: string, body?: unknown) => api(herald.url, method, path, body);

  before(async () => {
    [herald, browser] = await Promise.all([startTestHerald(), launchBrowser()]);
    page = await signedInPage(browser, ADMIN_TOKEN);
    watch(page);
  });

  after(async () => {
    await browser?.close();
    await herald?.cleanup();
  });

  it('creates the first application from the empty list', async () => {
    await page.goto(`${herald.url}/ui/#/apps`);
    await visible(page.getByText('No applications yet.'));
    await shot(page, '70-no-apps');
    await page.getByRole('button', { name: 'New application' }).click();
    const form = page.getByRole('form', { name: 'New application' });
    await form.getByLabel('Name').fill('Globex');
    await form.getByLabel('UID').fill('not a uid!');
    await form.getByLabel('Metadata').fill('{"plan": "pro"}');
    await form.getByRole('button', { name: 'Create application' }).click();
    await visible(form.locator('.field-error'));
    assert.match(await form.locator('.field-error').first().innerText(), /uid|pattern|match/i);
    assert.equal((await call('GET', '/api/v1/app')).json.data.length, 0, 'nothing created');

    await form.getByLabel('UID').fill('globex');
    await form.getByLabel('Rate limit (messages per second)').fill('40');
    await form.getByRole('button', { name: 'Create application' }).click();
    await visible(page.getByRole('heading', { name: 'Globex' }));
    assert.match(page.url(), /#\/apps\/app_[^/]+\/endpoints$/);
    const made = (await call('GET', '/api/v1/app/globex')).json;
    assert.deepEqual([made.name, made.uid, made.throttleRate, made.metadata], ['Globex', 'globex', 40, { plan: 'pro' }]);
    appId = made.id;
  });

  it('changes its settings: a wrong metadata is caught before sending, the rest is saved', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Settings' });
    await visible(form);
    assert.equal(await form.getByLabel('Name').inputValue(), 'Globex');
    await form.getByLabel('Metadata').fill('{"plan": 3}');
    await visible(form.getByText('Metadata values must be strings'));
    assert.equal(await form.getByRole('button', { name: 'Save settings' }).isDisabled(), true);

    await form.getByLabel('Metadata').fill('{"plan": "enterprise", "region": "eu"}');
    await form.getByLabel('Name').fill('Globex Corporation');
    await form.getByLabel('Rate limit (messages per second)').fill('');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await visible(page.getByText('Settings saved.'));
    await visible(page.getByRole('heading', { name: 'Globex Corporation' }));
    assert.equal(await form.getByLabel('Rate limit (messages per second)').inputValue(), '', 'the form shows what was stored');
    const saved = (await call('GET', `/api/v1/app/${appId}`)).json;
    assert.deepEqual([saved.name, saved.uid, saved.throttleRate ?? null, saved.metadata], ['Globex Corporation', 'globex', null, { plan: 'enterprise', region: 'eu' }]);
    await shot(page, '71-app-settings');
  });

  it('shows no application controls to read-only and app tokens', async () => {
    const viewer = (await call('POST', '/api/v1/token', { name: 'viewer', scope: 'read-only' })).json.token;
    const scoped = (await call('POST', '/api/v1/token', { name: 'globex-team', scope: 'app', appId })).json.token;
    for (const token of [viewer, scoped]) {
      const other = await signedInPage(browser, token);
      watch(other);
      await other.goto(`${herald.url}/ui/#/apps/${appId}/endpoints`);
      await visible(other.getByRole('link', { name: 'Messages', exact: true }));
      assert.equal(await other.getByRole('link', { name: 'Settings' }).count(), 0);
      await other.goto(`${herald.url}/ui/#/apps`);
      await visible(other.getByRole('link', { name: 'Endpoints', exact: true }).or(other.getByRole('heading', { name: 'Applications' })));
      assert.equal(await other.getByRole('button', { name: 'New application' }).count(), 0);
      await other.context().close();
    }
  });

  it('deletes it after a second click', async () => {
    await page.getByRole('button', { name: 'Delete application…' }).click();
    assert.equal((await call('GET', `/api/v1/app/${appId}`)).status, 200, 'not before the confirmation');
    await page.getByRole('button', { name: 'Delete Globex Corporation' }).click();
    await visible(page.getByText('Application Globex Corporation deleted.'));
    await visible(page.getByText('No applications yet.'));
    assert.equal((await call('GET', `/api/v1/app/${appId}`)).status, 404);
    assert.deepEqual(pageErrors, []);
  });
});
