/**
 * Managing inbound sources from the dashboard, in a real browser against a real server: an admin creates a GitHub
 * source through the form (a 422 shown next to the bad field first), real signed and forged requests reach its ingest
 * URL, an edit that leaves the secret empty keeps it, a range replay re-sends the accepted requests only, and the
 * source is deleted. A read-only token sees none of the write controls. Screenshots: test-results/screenshots/5x.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { eventually, shot, signedInPage, skipBrowser as skip, visible, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

const SECRET = 'gh-webhook-secret-0123456789';

describe('creating, editing, replaying and deleting an inbound source in the dashboard', { skip, timeout: 90_000 }, () => {
  const server = useTestServer();
  const ui = useDashboard(server);
  let source: { id: string; appId: string } = { id: '', appId: '' };

  /** A push as GitHub sends it: signed with `secret` over the exact body bytes. */
  const push = (n: string, secret: string) => {
    const body = JSON.stringify({ ref: 'refs/heads/main', n });
    return fetch(`${server.herald.url}/in/gh-acme`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      },
      body,
    });
  };
  /** Every item of a list, page after page. */
  const all = async <T,>(path: string): Promise<T[]> => {
    const items: T[] = [];
    for (let iterator = ''; ;) {
      const page = (await server.call('GET', `${path}?limit=250${iterator ? `&iterator=${encodeURIComponent(iterator)}` : ''}`)).json;
      items.push(...(page.data as T[]));
      if (page.done) return items;
      iterator = page.iterator;
    }
  };
  const requests = () => all<{ status: string; body: string }>(`/api/v1/source/${source.id}/request`);
  const messages = () => all<{ id: string; payload: { n?: string } }>(`/api/v1/app/${source.appId}/msg`);

  it('creates a GitHub source through the form, after showing the API\'s 422 next to the bad field', async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps`);
    await ui.page.getByRole('link', { name: 'Sources', exact: true }).click();
    await ui.page.getByRole('button', { name: 'New source' }).click();
    const form = ui.page.getByRole('form', { name: 'New source' });
    await form.getByLabel('Name', { exact: true }).fill('GitHub: acme/api');
    await form.getByLabel('UID (optional)', { exact: true }).fill('gh-acme');
    await form.getByLabel('Mode', { exact: true }).selectOption('forward');
    await form.getByLabel('Scheme', { exact: true }).selectOption('github');
    // Too short for the server (16 characters at least): only the API says so.
    await form.getByLabel('Secret', { exact: true }).fill('too-short');
    await form.getByLabel('Status', { exact: true }).fill('202');
    await form.getByLabel('Content type', { exact: true }).fill('application/json');
    await form.getByLabel('Body', { exact: true }).fill('{"ok":true}');
    await form.getByLabel('De-duplication window (seconds)', { exact: true }).fill('3600');
    await form.getByRole('button', { name: 'Create source' }).click();

    const secretField = form.locator('.form-field', { has: ui.page.getByLabel('Secret', { exact: true }) });
    await visible(secretField.locator('.field-error').filter({ hasText: 'must NOT have fewer than 16 characters' }));
    assert.equal(await form.getByLabel('Secret', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal((await server.call('GET', '/api/v1/source')).json.data.length, 0, 'nothing was created');
    await shot(ui.page, '50-source-create-invalid');

    await form.getByLabel('Secret', { exact: true }).fill(SECRET);
    await form.getByRole('button', { name: 'Create source' }).click();
    await eventually('the new source\'s page', async () => /#\/sources\/src_[^/?]+\?created=1$/.test(ui.page.url()));
    await visible(ui.page.getByText('Source created.'));
    assert.equal(await ui.page.getByTestId('ingest-url').innerText(), `${server.herald.url}/in/gh-acme`);
    await visible(ui.page.locator('.ingest-url').getByRole('button', { name: 'Copy' }));

    const made = await server.call('GET', '/api/v1/source/gh-acme');
    assert.equal(made.status, 200);
    source = made.json;
    assert.ok(ui.page.url().includes(`#/sources/${source.id}?`));
    assert.deepEqual(made.json.verification, { type: 'github', secret: '[redacted]' });
    assert.deepEqual(made.json.response, { status: 202, body: '{"ok":true}', contentType: 'application/json' });
    assert.deepEqual([made.json.inspect, made.json.dedupeWindow, made.json.signForwarded], [false, 3600, false]);
    // Its destinations are its application's endpoints, one click away.
    assert.equal(await ui.page.getByTestId('destinations-link').getAttribute('href'), `#/apps/${source.appId}/endpoints`);
    assert.equal(await ui.page.getByRole('link', { name: 'Add a destination' }).getAttribute('href'), `#/apps/${source.appId}/endpoints/new`);
  });

  it('captures a correctly signed request as accepted and a forged one as rejected', async () => {
    const signed = await push('signed-1', SECRET);
    assert.equal(signed.status, 202, 'the configured response');
    assert.equal(await signed.text(), '{"ok":true}');
    assert.equal((await push('forged-1', 'not-the-secret-0123456789')).status, 401);

    await ui.page.getByRole('button', { name: 'Refresh' }).click();
    const list = ui.page.getByTestId('request-list');
    await visible(list.locator('tbody tr', { hasText: 'Accepted' }));
    await visible(list.locator('tbody tr', { hasText: 'Rejected' }));
    assert.equal(await list.locator('tbody tr').count(), 2);
    assert.deepEqual((await requests()).map((r) => r.status).sort(), ['accepted', 'rejected']);
    await shot(ui.page, '51-source-created');
  });

  it('edits the source with the secret left empty, which keeps it', async () => {
    await ui.page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = ui.page.getByRole('form', { name: 'Edit source' });
    assert.equal(await form.getByLabel('Name', { exact: true }).inputValue(), 'GitHub: acme/api');
    assert.equal(await form.getByLabel('Secret', { exact: true }).inputValue(), '', 'the secret is write-only');
    assert.equal(await form.getByLabel('Status', { exact: true }).inputValue(), '202');

    // Another scheme without its secret cannot be saved: the API would replace the scheme whole.
    await form.getByLabel('Scheme', { exact: true }).selectOption('stripe');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(form.locator('.field-error').filter({ hasText: 'Type the secret again' }));
    await shot(ui.page, '52-source-edit-needs-secret');
    assert.equal((await server.call('GET', `/api/v1/source/${source.id}`)).json.verification.type, 'github', 'nothing was sent');
    await form.getByLabel('Scheme', { exact: true }).selectOption('github');

    await form.getByLabel('Name', { exact: true }).fill('GitHub: acme/platform');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await visible(ui.page.getByText('Source saved.'));
    await visible(ui.page.getByRole('heading', { name: 'GitHub: acme/platform' }));
    await shot(ui.page, '53-source-edited');

    const got = (await server.call('GET', `/api/v1/source/${source.id}`)).json;
    assert.equal(got.name, 'GitHub: acme/platform');
    assert.deepEqual(got.verification, { type: 'github', secret: '[redacted]' });
    // Still the same secret: what it signs passes, anything else does not.
    assert.equal((await push('signed-2', SECRET)).status, 202);
    assert.equal((await push('forged-2', 'another-wrong-secret-0123')).status, 401);
    await eventually('the second pair of requests', async () => (await requests()).length === 4);
    assert.deepEqual((await requests()).map((r) => r.status).sort(), ['accepted', 'accepted', 'rejected', 'rejected']);
  });

  it('replays the accepted requests of a time range, and only those, over several API calls', async () => {
    // 501 accepted requests: more than the 500 one replay call takes, so the dashboard must go on with the iterator.
    for (let batch = 0; batch < 499; batch += 50) {
      const sent = await Promise.all(Array.from({ length: Math.min(50, 499 - batch) }, (_, i) => push(`bulk-${batch + i}`, SECRET)));
      assert.ok(sent.every((r) => r.status === 202));
    }
    const accepted = (await requests()).filter((r) => r.status === 'accepted').map((r) => (JSON.parse(r.body) as { n: string }).n).sort();
    assert.equal(accepted.length, 501);
    const before = await messages();
    assert.deepEqual(before.map((m) => m.payload.n).sort(), accepted, 'one message per accepted request');

    const panel = ui.page.getByRole('region', { name: 'Replay a time range' });
    // From an hour ago (the default is a day ago) to now: every request so far.
    await panel.getByLabel('From', { exact: true }).fill(localInput(Date.now() - 3600_000));
    await panel.getByRole('button', { name: 'Replay accepted requests' }).click();
    const progress = ui.page.getByTestId('replay-progress');
    await eventually('the replay to finish', async () => (await progress.getAttribute('data-state')) === 'done');
    assert.match(await ui.page.getByTestId('replay-count').innerText(), /Replayed 501 requests/);
    await shot(ui.page, '54-source-replayed');

    const after = await messages();
    const fresh = after.filter((m) => !before.some((b) => b.id === m.id));
    assert.deepEqual(fresh.map((m) => m.payload.n).sort(), accepted, 'new messages for the accepted requests only');
    assert.ok(!fresh.some((m) => m.payload.n?.startsWith('forged')));

    // A range that ends before the first request replays nothing.
    await panel.getByLabel('From', { exact: true }).fill(localInput(Date.now() - 7200_000));
    await panel.getByLabel('To', { exact: true }).fill(localInput(Date.now() - 3600_000));
    await panel.getByRole('button', { name: 'Replay accepted requests' }).click();
    await visible(ui.page.getByTestId('replay-count').getByText('nothing was replayed'));
    assert.equal((await messages()).length, after.length);
  });

  it('shows a read-only token no write controls', async () => {
    const made = await server.call('POST', '/api/v1/token', { name: 'viewer', scope: 'read-only' });
    assert.equal(made.status, 201);
    const viewer = await signedInPage(ui.browser, made.json.token);
    ui.watch(viewer);
    try {
      await viewer.goto(`${server.herald.url}/ui/#/sources`);
      await visible(viewer.getByTestId('source-list').getByRole('link', { name: 'GitHub: acme/platform' }));
      assert.equal(await viewer.getByRole('button', { name: 'New source' }).count(), 0);
      await viewer.getByTestId('source-list').getByRole('link', { name: 'GitHub: acme/platform' }).click();
      await visible(viewer.getByTestId('ingest-url'));
      await visible(viewer.getByTestId('request-list'));
      for (const name of ['Edit', 'Delete…', 'Replay accepted requests']) assert.equal(await viewer.getByRole('button', { name }).count(), 0, name);
    } finally {
      await viewer.context().close();
    }
  });

  it('deletes the source after a confirmation', async () => {
    await ui.page.getByRole('button', { name: 'Delete…' }).click();
    assert.equal((await server.call('GET', `/api/v1/source/${source.id}`)).status, 200, 'not before the confirmation');
    await ui.page.getByRole('button', { name: 'Delete source, its destinations and stored requests' }).click();
    await visible(ui.page.getByText('Source “GitHub: acme/platform” deleted.'));
    assert.match(ui.page.url(), /#\/sources\?deleted=/);
    assert.equal((await server.call('GET', `/api/v1/source/${source.id}`)).status, 404);
    assert.equal((await fetch(`${server.herald.url}/in/gh-acme`, { method: 'POST', body: '{}' })).status, 404);
    await visible(ui.page.getByText('No inbound sources yet.'));
    await shot(ui.page, '55-source-deleted');
    assert.deepEqual(ui.pageErrors, [], 'no uncaught errors in the pages');
  });
});

const pad = (n: number) => String(n).padStart(2, '0');
/** A time as a datetime-local input takes it (the browser's local time, which is this process's). */
function localInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
