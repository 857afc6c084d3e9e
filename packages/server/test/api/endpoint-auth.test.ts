import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import pg from 'pg';
import { api, startTestHerald } from '../helpers/herald.ts';
import { heraldBackends, PG_TEST_URL } from '../helpers/pg.ts';

/**
 * The endpoint authentication API, on each store: what GET shows (secrets masked, never a private key or passphrase),
 * PUT refusing bad input with a 422 that says why and stores nothing, DELETE, the same token rules as custom headers,
 * and the stored row sealed (the password is not in it).
 */

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/mtls');
const pem = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const CERTIFICATE = { certificate: pem('client.pem'), privateKey: pem('client-encrypted.key'), passphrase: 'correct horse', ca: pem('ca.pem') };
const OAUTH2 = { tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'herald', clientSecret: 'client-secret-4242', scope: 'hooks:write' };
const NOTHING = { basic: null, oauth2: null, clientCertificate: null };

const backends = await heraldBackends('herald_endpoint_auth_api');

for (const backend of backends) {
  describe(`endpoint authentication API (${backend.name})`, { skip: backend.skip }, () => {
    let herald: Awaited<ReturnType<typeof startTestHerald>>;
    let env: Record<string, string>;
    let authPath = '';
    let endpointId = '';
    before(async () => {
      env = backend.env();
      herald = await startTestHerald(env);
      await api(herald.url, 'POST', '/api/v1/app', { name: 'acme', uid: 'acme' });
      endpointId = (await api(herald.url, 'POST', '/api/v1/app/acme/endpoint', { url: 'https://example.com/hook', uid: 'main' })).json.id;
      authPath = '/api/v1/app/acme/endpoint/main/auth';
    });
    after(async () => {
      await herald.cleanup();
      await backend.cleanup(env);
    });

    /** The sealed value as the database holds it. */
    async function storedRow(): Promise<string | undefined> {
      if (backend.name === 'sqlite') {
        const row = (herald.store as unknown as { connection: Database }).connection.prepare('SELECT sealed FROM endpoint_auth WHERE endpoint_id = ?').get(endpointId);
        return (row as { sealed: string } | undefined)?.sealed;
      }
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      try {
        return (await client.query(`SELECT sealed FROM "${env['HERALD_DATABASE_SCHEMA']}".endpoint_auth WHERE endpoint_id = $1`, [endpointId])).rows[0]?.sealed;
      } finally {
        await client.end();
      }
    }

    test('none until set; OAuth 2.0 and a client certificate shown without their secrets; replaced as a whole; deleted', async () => {
      assert.deepEqual((await api(herald.url, 'GET', authPath)).json, NOTHING);
      const put = await api(herald.url, 'PUT', authPath, { oauth2: OAUTH2, clientCertificate: CERTIFICATE });
      assert.equal(put.status, 204, put.text);
      const got = await api(herald.url, 'GET', `/api/v1/app/acme/endpoint/${endpointId}/auth`);
      assert.equal(got.status, 200);
      const leaf = new X509Certificate(CERTIFICATE.certificate);
      assert.deepEqual(got.json, {
        basic: null,
        oauth2: { ...OAUTH2, clientSecret: '****42', audience: null, clientAuth: 'basic' },
        clientCertificate: {
          subject: 'CN=herald-client, O=Herald Tests', issuer: 'CN=Herald Test CA', notAfter: new Date(leaf.validTo).toISOString(),
          fingerprint256: leaf.fingerprint256, trustsCa: true,
        },
      });
      for (const secret of [OAUTH2.clientSecret, CERTIFICATE.passphrase, 'PRIVATE KEY']) assert.ok(!got.text.includes(secret), `GET shows ${secret}`);

      assert.equal((await api(herald.url, 'PUT', authPath, { basic: { username: 'alice', password: 'open sesame' } })).status, 204);
      assert.deepEqual((await api(herald.url, 'GET', authPath)).json, { ...NOTHING, basic: { username: 'alice', password: '****me' } });
      assert.equal((await api(herald.url, 'PUT', authPath, { basic: { username: 'bob', password: 'short' } })).status, 204);
      assert.deepEqual((await api(herald.url, 'GET', authPath)).json.basic, { username: 'bob', password: '****' }, 'a short secret is not shown at all');

      assert.equal((await api(herald.url, 'DELETE', authPath)).status, 204);
      assert.deepEqual((await api(herald.url, 'GET', authPath)).json, NOTHING);
      assert.equal((await api(herald.url, 'DELETE', authPath)).status, 204, 'deleting none is fine');
      assert.equal((await api(herald.url, 'GET', '/api/v1/app/acme/endpoint/nope/auth')).status, 404);
    });

    test('the sealed row holds neither the password nor the key', async () => {
      await api(herald.url, 'PUT', authPath, { basic: { username: 'alice', password: 'plaintext-password-7f3a' }, clientCertificate: { certificate: pem('client.pem'), privateKey: pem('client.key') } });
      const sealed = await storedRow();
      assert.match(sealed ?? '', /^enc:v1:/);
      for (const secret of ['plaintext-password-7f3a', 'alice', 'PRIVATE KEY', pem('client.key').split('\n')[1]!]) assert.ok(!sealed!.includes(secret), `the row holds ${secret}`);
      await api(herald.url, 'DELETE', authPath);
      assert.equal(await storedRow(), undefined);
    });

    test('bad input is a 422 that says why, and nothing is stored', async () => {
      await api(herald.url, 'PUT', authPath, { basic: { username: 'kept', password: 'kept-password' } });
      const before = (await api(herald.url, 'GET', authPath)).json;
      const cases: [string, object, RegExp][] = [
        ['not PEM', { clientCertificate: { ...CERTIFICATE, certificate: 'hello' } }, /certificate.*must be PEM/],
        ['a broken certificate', { clientCertificate: { ...CERTIFICATE, certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' } }, /cannot be read/],
        ['a key of another certificate', { clientCertificate: { certificate: pem('client.pem'), privateKey: pem('other-client.key') } }, /not the key of the certificate/],
        ['an encrypted key without its passphrase', { clientCertificate: { ...CERTIFICATE, passphrase: null } }, /passphrase.*encrypted/],
        ['a wrong passphrase', { clientCertificate: { ...CERTIFICATE, passphrase: 'wrong horse' } }, /privateKey.*passphrase/],
        ['a bad CA', { clientCertificate: { ...CERTIFICATE, ca: 'not a CA' } }, /ca.*must be PEM/],
        ['basic and OAuth 2.0 together', { basic: { username: 'a', password: 'b' }, oauth2: OAUTH2 }, /cannot both be set/],
        ['a token URL that is not http(s)', { oauth2: { ...OAUTH2, tokenUrl: 'ftp://auth.example.com/token' } }, /tokenUrl.*http or https/],
        ['a listen session as token URL', { oauth2: { ...OAUTH2, tokenUrl: 'herald-listen://laptop' } }, /tokenUrl.*http or https/],
        ['a token URL with credentials', { oauth2: { ...OAUTH2, tokenUrl: 'https://user:pass@auth.example.com/token' } }, /credentials/],
        ['a colon in the user name', { basic: { username: 'a:b', password: 'c' } }, /username/],
        ['an unknown field', { oauth: OAUTH2 }, /additional properties/],
        ['an unknown client authentication', { oauth2: { ...OAUTH2, clientAuth: 'jwt' } }, /clientAuth/],
      ];
      for (const [what, body, reason] of cases) {
        const res = await api(herald.url, 'PUT', authPath, body);
        assert.equal(res.status, 422, `${what}: ${res.text}`);
        assert.match(res.text, reason, what);
        assert.ok(Array.isArray(res.json.detail), `${what}: the API's 422 shape`);
      }
      assert.deepEqual((await api(herald.url, 'GET', authPath)).json, before);
    });

    test('tokens are held to the rules of custom headers: a read-only token cannot read it, an application token only its own', async () => {
      const token = async (body: object) => (await api(herald.url, 'POST', '/api/v1/token', body)).json.token as string;
      const as = (t: string) => ({ authorization: `Bearer ${t}` });
      const readOnly = await token({ name: 'ro', scope: 'read-only' });
      await api(herald.url, 'POST', '/api/v1/app', { name: 'other', uid: 'other' });
      const otherApp = await token({ name: 'other', scope: 'app', appId: 'other' });
      const ownApp = await token({ name: 'acme', scope: 'app', appId: 'acme' });
      for (const [route, expected] of [['headers', 403], ['auth', 403]] as const) {
        assert.equal((await api(herald.url, 'GET', `/api/v1/app/acme/endpoint/main/${route}`, undefined, as(readOnly))).status, expected, route);
      }
      assert.equal((await api(herald.url, 'PUT', authPath, NOTHING, as(readOnly))).status, 403);
      assert.equal((await api(herald.url, 'GET', authPath, undefined, as(otherApp))).status, 404);
      assert.equal((await api(herald.url, 'DELETE', authPath, undefined, as(otherApp))).status, 404);
      assert.equal((await api(herald.url, 'GET', authPath, undefined, as(ownApp))).status, 200);
    });
  });
}
