/**
 * Managing the event type catalogue from the dashboard, in a real browser against a real server: an admin edits a
 * type (description, feature flags, group, schemas; the card then shows the new schema and example), is stopped by
 * invalid JSON before anything is sent and shown the API's 422s by their fields, archives and unarchives a type, and
 * deletes one for good; a read-only token sees none of these controls. Screenshots go to test-results/screenshots/
 * (the 6x names).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { eventually, shot, skipBrowser as skip, visible, signedInPage, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

const NAME = 'shipment.created';
const OTHER = 'shipment.delivered';
const FIRST_SCHEMA = { type: 'object', properties: { shipment: { type: 'string' } }, examples: [{ shipment: 'shp_first' }] };
const NEW_SCHEMA = {
  type: 'object',
  properties: { shipment: { type: 'string' }, carrier: { type: 'string' } },
  required: ['shipment', 'carrier'],
  examples: [{ shipment: 'shp_2', carrier: 'DHL' }],
};
const NEW_DESCRIPTION = 'A shipment was booked with a carrier';

describe('managing the event type catalogue in the dashboard', { skip, timeout: 90_000 }, () => {
  const server = useTestServer();
  const ui = useDashboard(server);
  /** Every event type write the admin's page sends, in order ("PATCH /api/v1/event-type/…"). */
  const writes: string[] = [];
  const typePath = `/api/v1/event-type/${NAME}`;
  const stored = async () => {
    const got = await server.call('GET', typePath);
    assert.equal(got.status, 200);
    return got.json;
  };
  const card = (name = NAME, p = ui.page) => p.locator(`[data-testid="event-type"][data-name="${name}"]`);
  const archivedBadge = (name = NAME, p = ui.page) => card(name, p).getByText('Archived', { exact: true });
  const form = () => ui.page.getByRole('form', { name: `Edit event type ${NAME}` });
  /**
   * The checkbox follows the URL, so it shows the click only once the page has seen the URL change: Playwright's
   * check() would look in between. This clicks, then waits for both.
   */
  const showArchived = async (on: boolean) => {
    const box = ui.page.getByLabel('Show archived');
    await box.click();
    await eventually(`"Show archived" ${on ? 'on' : 'off'}`, async () => /archived=1/.test(ui.page.url()) === on && (await box.isChecked()) === on);
  };
  /** The error messages FormField shows under the field with this label. */
  const errorsOf = (label: string) => form().locator('.form-field', { has: ui.page.getByLabel(label, { exact: true }) }).locator('.field-error');

  before(async () => {
    assert.equal((await server.call('POST', '/api/v1/event-type', { name: NAME, description: 'Before', schemas: { 1: FIRST_SCHEMA } })).status, 201);
    const other = { name: OTHER, description: 'A parcel arrived', schemas: { 1: { type: 'object', examples: [{ parcel: 'p_1' }] } } };
    assert.equal((await server.call('POST', '/api/v1/event-type', other)).status, 201);
    ui.page.on('request', (r) => {
      const url = new URL(r.url());
      if (r.method() !== 'GET' && url.pathname.startsWith('/api/v1/event-type')) writes.push(`${r.method()} ${url.pathname}${url.search}`);
    });
  });

  it('edits the description, flags, group and schema; the card shows the new schema and example', async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/event-types`);
    await visible(card());
    assert.match(await card().getByLabel(`Example 1 of ${NAME}`).innerText(), /"shipment": "shp_first"/);
    await card().getByRole('button', { name: 'Edit' }).click();
    const f = form();
    assert.equal(await f.getByLabel('Description').inputValue(), 'Before');
    assert.deepEqual(JSON.parse(await f.getByLabel('Schemas (JSON)').inputValue()), { 1: FIRST_SCHEMA });
    await f.getByLabel('Description').fill(NEW_DESCRIPTION);
    await f.getByLabel('Feature flags').fill('beta, logistics-v2');
    await f.getByLabel('Group name').fill('logistics');
    await f.getByLabel('Deprecated').check();
    await f.getByLabel('Schemas (JSON)').fill(JSON.stringify({ 1: NEW_SCHEMA }, null, 2));
    await shot(ui.page, '60-event-type-edit');
    await f.getByRole('button', { name: 'Save changes' }).click();

    await visible(ui.page.getByText(`Event type ${NAME} saved.`));
    await eventually('the card to show the new example', async () => /"carrier": "DHL"/.test(await card().getByLabel(`Example 1 of ${NAME}`).innerText()));
    assert.match(await card().getByLabel(`Schema 1 of ${NAME}`).innerText(), /"required": \[/);
    assert.match(await card().innerText(), new RegExp(NEW_DESCRIPTION));
    await visible(card().getByText('flag: beta'));
    await visible(card().getByText('Deprecated', { exact: true }));
    const saved = await stored();
    assert.equal(saved.description, NEW_DESCRIPTION);
    assert.deepEqual(saved.schemas, { 1: NEW_SCHEMA });
    assert.deepEqual(saved.featureFlags, ['beta', 'logistics-v2']);
    assert.equal(saved.groupName, 'logistics');
    assert.equal(saved.deprecated, true);
    assert.equal(saved.archived, false);
    assert.deepEqual(writes, [`PATCH ${typePath}`]);
    await shot(ui.page, '61-event-type-saved');
  });

  it('sends nothing while the schemas are not valid JSON, and shows the API\'s 422s by their fields', async () => {
    const unchanged = await stored();
    writes.length = 0;
    await card().getByRole('button', { name: 'Edit' }).click();
    const f = form();
    const schemas = f.getByLabel('Schemas (JSON)');
    const saveButton = f.getByRole('button', { name: 'Save changes' });
    await f.getByLabel('Description').fill('Must not be saved');
    await schemas.fill('{"1": {"type": "object",');
    await visible(errorsOf('Schemas (JSON)').getByText(/^Schemas not valid JSON/));
    assert.equal(await saveButton.isDisabled(), true);
    // Enter in a text field would submit a valid form.
    await f.getByLabel('Description').press('Enter');
    await schemas.fill('{"1": 5}');
    await visible(errorsOf('Schemas (JSON)').getByText('Schemas version "1" must be a JSON Schema object'));
    assert.equal(await saveButton.isDisabled(), true);
    await shot(ui.page, '62-event-type-invalid-json');

    // Valid JSON but not a valid JSON Schema: the API's 422 shows under the schemas, and no alert elsewhere.
    await schemas.fill(JSON.stringify({ 1: { type: 'banana' } }));
    await eventually('the JSON error to go', async () => (await errorsOf('Schemas (JSON)').count()) === 0);
    await saveButton.click();
    await visible(errorsOf('Schemas (JSON)').getByText(/^1: not a valid JSON Schema/));
    assert.equal(await f.getByRole('alert').count(), 0);
    // Only this PATCH went out: the invalid JSON before it sent nothing.
    assert.deepEqual(writes, [`PATCH ${typePath}`]);

    await schemas.fill(JSON.stringify({ 1: NEW_SCHEMA }));
    await f.getByLabel('Group name').fill('not a group!');
    await saveButton.click();
    await visible(errorsOf('Group name'));
    assert.equal(await errorsOf('Schemas (JSON)').count(), 0);
    assert.equal(await f.getByRole('alert').count(), 0);
    assert.equal(writes.length, 2);
    await shot(ui.page, '63-event-type-api-errors');

    await f.getByRole('button', { name: 'Cancel' }).click();
    await visible(card().getByText(NEW_DESCRIPTION));
    assert.deepEqual(await stored(), unchanged);
  });

  it('archives a type: it leaves the default list and shows, badged, with "Show archived"; unarchive restores it', async () => {
    await card().getByRole('button', { name: 'Archive', exact: true }).click();
    await visible(ui.page.getByText(`Event type ${NAME} archived.`));
    await eventually('the archived type to leave the list', async () => (await card().count()) === 0);
    await visible(card(OTHER));
    assert.equal((await stored()).archived, true);

    await showArchived(true);
    await visible(archivedBadge());
    assert.equal(await archivedBadge(OTHER).count(), 0);
    await shot(ui.page, '64-event-type-archived');

    await card().getByRole('button', { name: 'Unarchive' }).click();
    await visible(ui.page.getByText(`Event type ${NAME} unarchived.`));
    await eventually('the Archived badge to go', async () => (await archivedBadge().count()) === 0);
    const restored = await stored();
    assert.equal(restored.archived, false);
    assert.equal(restored.description, NEW_DESCRIPTION, 'unarchiving keeps the other fields');
    await showArchived(false);
    await visible(card().getByRole('button', { name: 'Archive', exact: true }));
  });

  it('deletes a type for good after a confirmation', async () => {
    // Shown with the archived ones too, so its leaving means it is gone, not archived.
    await showArchived(true);
    await card().getByRole('button', { name: 'Delete for good…' }).click();
    await card().getByRole('button', { name: 'Cancel' }).click();
    await card().getByRole('button', { name: 'Delete for good…' }).click();
    await shot(ui.page, '65-event-type-delete-confirm');
    assert.equal((await server.call('GET', typePath)).status, 200, 'nothing deleted before the confirmation');
    await card().getByRole('button', { name: 'Delete for good', exact: true }).click();
    await visible(ui.page.getByText(`Event type ${NAME} deleted for good.`));
    await eventually('the deleted type to leave the list', async () => (await card().count()) === 0);
    assert.equal((await server.call('GET', typePath)).status, 404);
    const all = (await server.call('GET', '/api/v1/event-type?include_archived=true')).json.data as { name: string }[];
    assert.deepEqual(all.map((t) => t.name), [OTHER]);
    assert.ok(writes.includes(`DELETE ${typePath}?expunge=true`));
  });

  it('shows a read-only token the catalogue without any control to change it', async () => {
    const lost = { name: 'shipment.lost', description: 'A parcel went missing' };
    assert.equal((await server.call('POST', '/api/v1/event-type', lost)).status, 201);
    assert.equal((await server.call('DELETE', `/api/v1/event-type/${lost.name}`)).status, 204);
    const token = await server.call('POST', '/api/v1/token', { name: 'catalog-viewer', scope: 'read-only' });
    assert.equal(token.status, 201);
    // What the dashboard hides, the API refuses.
    assert.equal((await server.call('PATCH', `/api/v1/event-type/${OTHER}`, { description: 'x' }, { authorization: `Bearer ${token.json.token}` })).status, 403);

    const ro = await signedInPage(ui.browser, token.json.token);
    ui.watch(ro);
    await ro.goto(`${server.herald.url}/ui/#/event-types?archived=1`);
    await visible(card(OTHER, ro).getByLabel(`Example 1 of ${OTHER}`));
    await visible(archivedBadge(lost.name, ro));
    for (const name of ['Edit', 'Archive', 'Unarchive', 'Delete for good…', 'New event type']) {
      assert.equal(await ro.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button`);
    }
    await shot(ro, '66-event-types-read-only');
    assert.deepEqual(ui.pageErrors, [], 'no uncaught errors in the pages');
  });
});
