/**
 * An endpoint's concurrency in the dashboard, in a real browser against a real server: the endpoint page shows it
 * (or the server default), and the edit form sets and clears it.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { skipBrowser as skip, visible, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

describe('endpoint concurrency in the dashboard', { skip, timeout: 90_000 }, () => {
  const server = useTestServer({ receiver: true });
  const ui = useDashboard(server);
  let path: string;
  let endpointPage: string;

  before(async () => {
    const app = (await server.call('POST', '/api/v1/app', { name: 'Parallel Co' })).json;
    const made = await server.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: server.receiver.url('/parallel'), concurrency: 25 });
    assert.equal(made.status, 201, made.text);
    path = `/api/v1/app/${app.id}/endpoint/${made.json.id}`;
    endpointPage = `${server.herald.url}/ui/#/apps/${app.id}/endpoints/${made.json.id}`;
  });

  it('shows the concurrency, and the edit form sets and clears it', async () => {
    await ui.page.goto(endpointPage);
    await visible(ui.page.getByText('25 in flight at once'));
    await ui.page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = ui.page.getByRole('form', { name: 'Edit endpoint' });
    const field = form.getByLabel('Concurrency (requests in flight at once)');
    assert.equal(await field.inputValue(), '25', 'the form starts from what is stored');
    await field.fill('64');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(ui.page.getByText('64 in flight at once'));
    assert.equal((await server.call('GET', path)).json.concurrency, 64);

    await ui.page.getByRole('button', { name: 'Edit', exact: true }).click();
    await form.getByLabel('Concurrency (requests in flight at once)').fill('');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(ui.page.getByText('Server default'));
    assert.equal((await server.call('GET', path)).json.concurrency, null);
  });
});
