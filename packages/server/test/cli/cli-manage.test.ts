import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, api, runCli, spawnHerald, tempDir, type HeraldProcess } from '../helpers/herald.ts';

// One server for the whole file; every CLI call is a child process talking to it over HTTP, as a user's would.
let server: HeraldProcess;
let dataDir: string;
let env: Record<string, string>;

before(async () => {
  dataDir = tempDir('herald-cli-manage-');
  server = await spawnHerald([], { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_PORT: '0' });
  env = { HERALD_URL: server.url, HERALD_TOKEN: ADMIN_TOKEN };
});

after(async () => {
  server.child.kill('SIGKILL');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

const herald = (...args: string[]) => runCli(args, env);

/** Runs a command with --json, expects success and returns the parsed JSON it printed. */
async function heraldJson(...args: string[]): Promise<any> {
  const result = await runCli([...args, '--json'], env);
  assert.equal(result.code, 0, result.output);
  return JSON.parse(result.stdout);
}

test('herald login checks the token, saves a 0600 profile in XDG_CONFIG_HOME that later commands use; logout forgets it', async () => {
  const config = tempDir('herald-cli-config-');
  try {
    const profileEnv = { XDG_CONFIG_HOME: config };
    const file = path.join(config, 'herald', 'profiles.json');

    const refused = await runCli(['login', '--url', server.url, '--token', 'not-the-token'], profileEnv);
    assert.equal(refused.code, 4, refused.output);
    assert.match(refused.output, /herald: Invalid token/, "the API's own message");
    assert.equal(existsSync(file), false, 'nothing saved for a token that does not work');

    const login = await runCli(['login', '--url', `${server.url}/`], profileEnv, 20_000, `${ADMIN_TOKEN}\n`);
    assert.equal(login.code, 0, login.output);
    assert.match(login.output, new RegExp(`saved as profile "default" in ${file}`));
    assert.equal(statSync(file).mode & 0o777, 0o600, 'only its owner can read the token');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).profiles.default, { url: server.url, token: ADMIN_TOKEN });

    const created = await runCli(['app', 'create', '--name', 'via profile', '--uid', 'via-profile', '--json'], profileEnv);
    assert.equal(created.code, 0, created.output);
    assert.equal(JSON.parse(created.stdout).uid, 'via-profile');
    const [named, missing] = await Promise.all([
      runCli(['app', 'get', 'via-profile', '--profile', 'default'], profileEnv),
      runCli(['app', 'list', '--profile', 'staging'], profileEnv),
    ]);
    assert.equal(named.code, 0, named.output);
    assert.equal(missing.code, 2);
    assert.match(missing.output, /no profile "staging"/);

    const logout = await runCli(['logout'], profileEnv);
    assert.equal(logout.code, 0, logout.output);
    const after = await runCli(['app', 'list'], profileEnv);
    assert.equal(after.code, 2);
    assert.match(after.output, /no Herald server given/);
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
});

test('a wrong token is exit 4 and an unreachable server exit 3, each with a message that says so', async () => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const [wrong, down] = await Promise.all([
    runCli(['app', 'list', '--url', server.url, '--token', 'wrong-token']),
    runCli(['app', 'list', '--url', `http://127.0.0.1:${port}`, '--token', ADMIN_TOKEN]),
  ]);
  assert.equal(wrong.code, 4);
  assert.match(wrong.output, /^herald: Invalid token \(server http:\/\/127\.0\.0\.1:\d+, token from --token\)$/m);
  assert.equal(down.code, 3);
  assert.match(down.output, /cannot reach Herald at http:\/\/127\.0\.0\.1:\d+: connection refused/);
});

test('apps: create, list as a table and as JSON, get, update, delete; 409 is exit 6 and 404 exit 5', async () => {
  const created = await herald('app', 'create', '--name', 'Acme', '--uid', 'acme', '--metadata', 'tier=gold');
  assert.equal(created.code, 0, created.output);
  assert.match(created.stdout, /^created application app_\w+$/m);
  assert.match(created.stdout, /^name\s+Acme$/m);

  const [duplicate, table, list] = await Promise.all([
    herald('app', 'create', '--name', 'Acme again', '--uid', 'acme'),
    herald('app', 'list'),
    heraldJson('app', 'list', '--limit', '250'),
  ]);
  assert.equal(duplicate.code, 6);
  assert.match(duplicate.output, /herald: An application with this uid already exists/);
  assert.equal(table.code, 0, table.output);
  assert.match(table.stdout, /^ID\s+UID\s+NAME\s+THROTTLE\s+CREATED$/m);
  assert.match(table.stdout, /^app_\w+\s+acme\s+Acme\s+-\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
  assert.deepEqual(Object.keys(list).sort(), ['data', 'done', 'iterator', 'prevIterator'], "the API's whole list response");
  const acme = list.data.find((a: { uid: string }) => a.uid === 'acme');
  assert.deepEqual(await heraldJson('app', 'get', acme.id), (await api(server.url, 'GET', '/api/v1/app/acme')).json, 'exactly what the API answered');

  const [updated, nothing] = await Promise.all([
    heraldJson('app', 'update', 'acme', '--name', 'Acme Inc', '--throttle-rate', '20'),
    herald('app', 'update', 'acme'),
  ]);
  assert.equal(updated.name, 'Acme Inc');
  assert.equal(updated.throttleRate, 20);
  assert.deepEqual(updated.metadata, { tier: 'gold' }, 'fields not given stay');
  assert.equal(nothing.code, 2);
  assert.match(nothing.output, /nothing to update/);

  const deleted = await herald('app', 'delete', 'acme');
  assert.equal(deleted.code, 0, deleted.output);
  const gone = await herald('app', 'get', 'acme');
  assert.equal(gone.code, 5);
  assert.match(gone.output, /^herald: Application not found$/m);
});

test('event types: create with a schema file, list, get, update; delete archives, --expunge deletes', async () => {
  const dir = tempDir('herald-cli-schema-');
  try {
    const schema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
    writeFileSync(path.join(dir, 'invoice.json'), JSON.stringify(schema));
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ type: 5 }));

    const [created, invalid, unreadable] = await Promise.all([
      heraldJson('event-type', 'create', 'invoice.paid', '--description', 'An invoice was paid', '--schema-file', path.join(dir, 'invoice.json')),
      herald('event-type', 'create', 'invoice.bad', '--schema-file', path.join(dir, 'broken.json')),
      herald('event-type', 'create', 'invoice.bad', '--schema-file', path.join(dir, 'missing.json')),
    ]);
    assert.deepEqual(created.schemas, { '1': schema });
    assert.equal(invalid.code, 2, 'a 422 is a usage error');
    assert.match(invalid.output, /schemas\.1: not a valid JSON Schema/);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.output, /--schema-file: cannot read/);

    const table = await herald('event-type', 'list');
    assert.match(table.stdout, /^invoice\.paid\s+An invoice was paid\s+-\s+v1\s+/m);
    const updated = await heraldJson('event-type', 'update', 'invoice.paid', '--deprecated', '--description', 'Paid in full');
    assert.equal(updated.deprecated, true);
    assert.equal(updated.description, 'Paid in full');
    assert.equal((await heraldJson('event-type', 'get', 'invoice.paid')).description, 'Paid in full');

    assert.equal((await herald('event-type', 'delete', 'invoice.paid')).code, 0);
    const [visible, all] = await Promise.all([heraldJson('event-type', 'list'), herald('event-type', 'list', '--include-archived')]);
    assert.deepEqual(visible.data.map((e: { name: string }) => e.name), [], 'archived ones are hidden');
    assert.match(all.stdout, /^invoice\.paid\s+Paid in full\s+archived,deprecated/m);
    assert.equal((await herald('event-type', 'delete', 'invoice.paid', '--expunge')).code, 0);
    const gone = await herald('event-type', 'get', 'invoice.paid');
    assert.equal(gone.code, 5);
    assert.match(gone.output, /herald: Event type not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('endpoints: create, list, get, update, headers, secret and its rotation, disable and enable, stats, send-example, delete', async () => {
  const app = (await api(server.url, 'POST', '/api/v1/app', { name: 'Shop', uid: 'shop' })).json;
  const created = await heraldJson(
    'endpoint', 'create', 'https://example.com/hooks', '--app', 'shop', '--uid', 'main', '--event-types', 'order.created,order.paid',
    '--channels', 'eu', '--header', 'x-team=core', '--metadata', 'owner=ops', '--description', 'orders',
  );
  assert.match(created.id, /^ep_/);
  assert.deepEqual([created.url, created.eventTypes, created.channels, created.metadata], ['https://example.com/hooks', ['order.created', 'order.paid'], ['eu'], { owner: 'ops' }]);
  const [taken, badUrl, table, byUid] = await Promise.all([
    herald('endpoint', 'create', 'https://example.com/other', '--app', 'shop', '--uid', 'main'),
    herald('endpoint', 'create', 'ftp://example.com', '--app', 'shop'),
    herald('endpoint', 'list', '--app', app.id),
    heraldJson('endpoint', 'get', 'main', '--app', 'shop'),
  ]);
  assert.equal(taken.code, 6, taken.output);
  assert.equal(badUrl.code, 2, badUrl.output);
  assert.match(table.stdout, /^ID\s+UID\s+URL\s+EVENT TYPES\s+CHANNELS\s+STATE\s+CREATED$/m);
  assert.match(table.stdout, /^ep_\w+\s+main\s+https:\/\/example\.com\/hooks\s+order\.created,order\.paid\s+eu\s+enabled\s+/m);
  assert.equal(byUid.id, created.id, 'ids and uids both work');

  const updated = await heraldJson('endpoint', 'update', 'main', '--app', 'shop', '--endpoint-url', 'https://example.com/v2', '--throttle-rate', '10', '--ordered', '--header', 'x-region=eu');
  assert.deepEqual([updated.url, updated.throttleRate, updated.ordered, updated.eventTypes], ['https://example.com/v2', 10, true, ['order.created', 'order.paid']]);
  const overridden = await heraldJson('endpoint', 'update', 'main', '--app', 'shop', '--retry-schedule', '5, 60,600', '--request-timeout', '2.5');
  assert.deepEqual([overridden.retrySchedule, overridden.requestTimeout, overridden.throttleRate], [[5, 60, 600], 2.5, 10]);
  const reset = await heraldJson('endpoint', 'update', 'main', '--app', 'shop', '--retry-schedule', 'default', '--request-timeout', 'default');
  assert.deepEqual([reset.retrySchedule, reset.requestTimeout], [null, null]);
  const badSchedule = await herald('endpoint', 'update', 'main', '--app', 'shop', '--retry-schedule', '5,,60');
  assert.equal(badSchedule.code, 2, badSchedule.output);
  assert.match(badSchedule.output, /--retry-schedule must be seconds separated by commas/);
  const [headers, secretOut] = await Promise.all([heraldJson('endpoint', 'headers', 'main', '--app', 'shop'), herald('endpoint', 'secret', 'main', '--app', 'shop')]);
  assert.deepEqual(headers.headers, { 'x-team': 'core', 'x-region': 'eu' });
  const secret = secretOut.stdout.trim();
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
  const rotated = await herald('endpoint', 'rotate-secret', 'main', '--app', 'shop', '--grace-period', '60');
  assert.equal(rotated.code, 0, rotated.output);
  const newSecret = /the new secret is (whsec_\S+)/.exec(rotated.stdout)?.[1];
  assert.ok(newSecret && newSecret !== secret, rotated.output);
  assert.equal((await heraldJson('endpoint', 'secret', 'main', '--app', 'shop')).key, newSecret);

  assert.equal((await heraldJson('endpoint', 'disable', 'main', '--app', 'shop')).disabled, true);
  assert.match((await herald('endpoint', 'list', '--app', 'shop')).stdout, /\sdisabled\s/);
  const [enabled, stats] = await Promise.all([
    heraldJson('endpoint', 'enable', 'main', '--app', 'shop'),
    heraldJson('endpoint', 'stats', 'main', '--app', 'shop', '--since', '1h'),
  ]);
  assert.equal(enabled.disabled, false);
  assert.deepEqual(stats, { success: 0, pending: 0, sending: 0, fail: 0, canceled: 0 });

  // send-example: the catalogue's example as a message to this endpoint alone; a type without one is refused.
  await api(server.url, 'POST', '/api/v1/event-type', { name: 'order.paid', description: 'Paid', schemas: { 1: { type: 'object', examples: [{ order: 'ord_9' }] } } });
  const example = await herald('endpoint', 'send-example', 'main', '--app', 'shop', '--event-type', 'order.paid');
  assert.equal(example.code, 0, example.output);
  const exampleId = /as (msg_\w+)/.exec(example.stdout)?.[1];
  assert.ok(exampleId, example.output);
  assert.deepEqual((await api(server.url, 'GET', `/api/v1/app/shop/msg/${exampleId}`)).json.payload, { order: 'ord_9' });
  const [noExample, badIndex] = await Promise.all([
    herald('endpoint', 'send-example', 'main', '--app', 'shop', '--event-type', 'order.created'),
    herald('endpoint', 'send-example', 'main', '--app', 'shop', '--event-type', 'order.paid', '--example', 'first'),
  ]);
  assert.equal(noExample.code, 2, noExample.output);
  assert.match(noExample.output, /no event type order\.created/);
  assert.equal(badIndex.code, 2, badIndex.output);
  assert.match(badIndex.output, /--example must be a whole number/);

  assert.equal((await herald('endpoint', 'delete', 'main', '--app', 'shop')).code, 0);
  const gone = await herald('endpoint', 'get', 'main', '--app', 'shop');
  assert.equal(gone.code, 5);
  assert.match(gone.output, /herald: Endpoint not found/);
});

test('source requests shows ids whole: a provider id of 60 characters and the request id', async () => {
  assert.equal((await api(server.url, 'POST', '/api/v1/source', { name: 'Long ids', uid: 'long-ids', verification: { type: 'none', idHeader: 'x-delivery' } })).status, 201);
  const providerId = `dlv-${'0123456789'.repeat(5)}-abcdef`;
  const received = await fetch(`${server.url}/in/long-ids`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-delivery': providerId }, body: '{"type":"x.y"}' });
  assert.ok(received.ok, await received.text());
  const [table, json] = await Promise.all([herald('source', 'requests', 'long-ids'), heraldJson('source', 'requests', 'long-ids')]);
  assert.equal(table.code, 0, table.output);
  const request = json.data[0];
  assert.equal(request.providerId, providerId);
  assert.match(table.stdout, new RegExp(`^${request.id}\\s.*\\s${providerId}\\s`, 'm'), table.stdout);
});

test('usage mistakes are exit 2 before anything is sent', async () => {
  const [noApp, badLimit, badMetadata, noScheme, noSchemeUpdate] = await Promise.all([
    herald('endpoint', 'list'),
    herald('app', 'list', '--limit', 'lots'),
    herald('app', 'create', '--name', 'x', '--metadata', 'novalue'),
    herald('endpoint', 'create', 'example.com/x', '--app', 'nowhere'),
    herald('endpoint', 'update', 'main', '--app', 'nowhere', '--endpoint-url', 'localhost:3000/hooks'),
  ]);
  assert.equal(noScheme.code, 2, noScheme.output);
  assert.equal(noScheme.output, 'herald: the endpoint URL "example.com/x" has no scheme: give it as https://example.com/x (or http://)\n');
  assert.equal(noSchemeUpdate.code, 2, noSchemeUpdate.output);
  assert.match(noSchemeUpdate.output, /--endpoint-url "localhost:3000\/hooks" has no scheme/);
  assert.equal(noApp.code, 2);
  assert.match(noApp.output, /required option '--app <app>' not specified/);
  assert.equal(badLimit.code, 2);
  assert.match(badLimit.output, /--limit must be a whole number/);
  assert.equal(badMetadata.code, 2);
  assert.match(badMetadata.output, /--metadata takes key=value/);
});
