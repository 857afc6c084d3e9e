/**
 * Applications from the dashboard, in a real browser against a real server, as a new user starts: no applications,
 * create one (a bad uid is refused under its field), change its settings, delete it; app and read-only tokens see
 * none of those controls. Screenshots go to test-results/screenshots/ (the 7x names).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shot, skipBrowser as skip, visible, signedInPage, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

describe('applications in the dashboard', { skip, timeout: 60_000 }, () => {
  const server = useTestServer();
  const ui = useDashboard(server);
  let appId = '';

  it('creates the first application from the empty list', async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps`);
    await visible(ui.page.getByText('No applications yet.'));
    await shot(ui.page, '70-no-apps');
    await ui.page.getByRole('button', { name: 'New application' }).click();
    const form = ui.page.getByRole('form', { name: 'New application' });
    await form.getByLabel('Name').fill('Globex');
    await form.getByLabel('UID').fill('not a uid!');
    await form.getByLabel('Metadata').fill('{"plan": "pro"}');
    await form.getByRole('button', { name: 'Create application' }).click();
    await visible(form.locator('.field-error'));
    assert.match(await form.locator('.field-error').first().innerText(), /uid|pattern|match/i);
    assert.equal((await server.call('GET', '/api/v1/app')).json.data.length, 0, 'nothing created');

    await form.getByLabel('UID').fill('globex');
    await form.getByLabel('Rate limit (messages per second)').fill('40');
    await form.getByRole('button', { name: 'Create application' }).click();
    await visible(ui.page.getByRole('heading', { name: 'Globex' }));
    assert.match(ui.page.url(), /#\/apps\/app_[^/]+\/endpoints$/);
    const made = (await server.call('GET', '/api/v1/app/globex')).json;
    assert.deepEqual([made.name, made.uid, made.throttleRate, made.metadata], ['Globex', 'globex', 40, { plan: 'pro' }]);
    appId = made.id;
  });

  it('changes its settings: a wrong metadata is caught before sending, the rest is saved', async () => {
    await ui.page.getByRole('link', { name: 'Settings' }).click();
    const form = ui.page.getByRole('form', { name: 'Settings' });
    await visible(form);
    assert.equal(await form.getByLabel('Name').inputValue(), 'Globex');
    await form.getByLabel('Metadata').fill('{"plan": 3}');
    await visible(form.getByText('Metadata values must be strings'));
    assert.equal(await form.getByRole('button', { name: 'Save settings' }).isDisabled(), true);

    await form.getByLabel('Metadata').fill('{"plan": "enterprise", "region": "eu"}');
    await form.getByLabel('Name').fill('Globex Corporation');
    await form.getByLabel('Rate limit (messages per second)').fill('');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await visible(ui.page.getByText('Settings saved.'));
    await visible(ui.page.getByRole('heading', { name: 'Globex Corporation' }));
    assert.equal(await form.getByLabel('Rate limit (messages per second)').inputValue(), '', 'the form shows what was stored');
    const saved = (await server.call('GET', `/api/v1/app/${appId}`)).json;
    assert.deepEqual([saved.name, saved.uid, saved.throttleRate ?? null, saved.metadata], ['Globex Corporation', 'globex', null, { plan: 'enterprise', region: 'eu' }]);
    await shot(ui.page, '71-app-settings');
  });

  it('shows no application controls to read-only and app tokens', async () => {
    const viewer = (await server.call('POST', '/api/v1/token', { name: 'viewer', scope: 'read-only' })).json.token;
    const scoped = (await server.call('POST', '/api/v1/token', { name: 'globex-team', scope: 'app', appId })).json.token;
    for (const token of [viewer, scoped]) {
      const other = await signedInPage(ui.browser, token);
      ui.watch(other);
      await other.goto(`${server.herald.url}/ui/#/apps/${appId}/endpoints`);
      await visible(other.getByRole('link', { name: 'Messages', exact: true }));
      assert.equal(await other.getByRole('link', { name: 'Settings' }).count(), 0);
      await other.goto(`${server.herald.url}/ui/#/apps`);
      await visible(other.getByRole('link', { name: 'Endpoints', exact: true }).or(other.getByRole('heading', { name: 'Applications' })));
      assert.equal(await other.getByRole('button', { name: 'New application' }).count(), 0);
      await other.context().close();
    }
  });

  it('deletes it after a second click', async () => {
    await ui.page.getByRole('button', { name: 'Delete application…' }).click();
    assert.equal((await server.call('GET', `/api/v1/app/${appId}`)).status, 200, 'not before the confirmation');
    await ui.page.getByRole('button', { name: 'Delete Globex Corporation' }).click();
    await visible(ui.page.getByText('Application Globex Corporation deleted.'));
    await visible(ui.page.getByText('No applications yet.'));
    assert.equal((await server.call('GET', `/api/v1/app/${appId}`)).status, 404);
    assert.deepEqual(ui.pageErrors, []);
  });
});
