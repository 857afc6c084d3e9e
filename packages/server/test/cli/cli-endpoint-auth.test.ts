import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { api, runCli, startTestHerald } from '../helpers/herald.ts';

/**
 * herald endpoint auth, set-auth and clear-auth: basic authentication with a client certificate read from PEM files,
 * shown masked; usage mistakes refused before anything is sent (exit 2); the API's 422 passed on; cleared.
 */

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/mtls');

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let env: Record<string, string>;
before(async () => {
  herald = await startTestHerald();
  env = { HERALD_URL: herald.url, HERALD_TOKEN: herald.token };
  await api(herald.url, 'POST', '/api/v1/app', { name: 'acme', uid: 'acme' });
  await api(herald.url, 'POST', '/api/v1/app/acme/endpoint', { url: 'https://example.com/hook', uid: 'main' });
});
after(() => herald.cleanup());

const endpointCli = (...args: string[]) => runCli(['endpoint', ...args, '--app', 'acme'], env);

test('set-auth with --basic and a client certificate from files; auth shows it masked; clear-auth removes it', async () => {
  const set = await endpointCli('set-auth', 'main', '--basic', 'alice:pass:word-77',
    '--client-cert', path.join(FIXTURES, 'client.pem'), '--client-key', path.join(FIXTURES, 'client-encrypted.key'),
    '--client-key-passphrase', 'correct horse', '--server-ca', path.join(FIXTURES, 'ca.pem'));
  assert.equal(set.code, 0, set.output);
  assert.match(set.stdout, /^set the authentication of endpoint main$/m);
  assert.match(set.stdout, /^basic +alice, password \*\*\*\*77$/m);
  assert.match(set.stdout, /^client certificate +CN=herald-client, O=Herald Tests, issued by CN=Herald Test CA, valid until 2126-/m);
  assert.match(set.stdout, /^server CA +the endpoint's own$/m);
  assert.ok(!set.stdout.includes('pass:word-77') && !set.stdout.includes('correct horse'));

  const shown = await endpointCli('auth', 'main', '--json');
  assert.equal(shown.code, 0, shown.output);
  const json = JSON.parse(shown.stdout);
  assert.deepEqual(json.basic, { username: 'alice', password: '****77' });
  assert.equal(json.clientCertificate.trustsCa, true);

  const cleared = await endpointCli('clear-auth', 'main');
  assert.equal(cleared.code, 0, cleared.output);
  assert.match((await endpointCli('auth', 'main')).stdout, /no authentication/);
});

test('usage mistakes are refused before anything is sent; the API\'s refusal is passed on', async () => {
  for (const [args, reason] of [
    [[], /nothing to set/],
    [['--basic', 'nocolon'], /--basic takes user:password/],
    [['--client-id', 'x'], /--oauth2-token-url, --client-id and --client-secret together/],
    [['--basic', 'a:b', '--oauth2-token-url', 'https://auth.example.com/token', '--client-id', 'i', '--client-secret', 's'], /not both/],
    [['--client-cert', path.join(FIXTURES, 'client.pem')], /--client-cert and --client-key together/],
    [['--client-cert', '/no/such.pem', '--client-key', '/no/such.key'], /--client-cert: cannot read \/no\/such\.pem/],
  ] as const) {
    const result = await endpointCli('set-auth', 'main', ...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.output}`);
    assert.match(result.output, reason);
  }
  const refused = await endpointCli('set-auth', 'main', '--client-cert', path.join(FIXTURES, 'client.pem'), '--client-key', path.join(FIXTURES, 'other-client.key'));
  assert.equal(refused.code, 2, refused.output);
  assert.match(refused.output, /not the key of the certificate/);
  assert.deepEqual((await api(herald.url, 'GET', '/api/v1/app/acme/endpoint/main/auth')).json, { basic: null, oauth2: null, clientCertificate: null });
});
