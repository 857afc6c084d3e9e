import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { Agent, request } from 'undici';
import { ADMIN_TOKEN, runCli, spawnHerald, tempDir } from '../helpers/herald.ts';

const dir = tempDir('herald-tls-');
const cert = path.join(dir, 'cert.pem');
const key = path.join(dir, 'key.pem');
execFileSync('openssl', [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
  '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
], { stdio: 'ignore' });
after(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({ HERALD_PORT: '0', HERALD_DATA_DIR: path.join(dir, `data-${Math.random()}`), HERALD_ADMIN_TOKEN: ADMIN_TOKEN });

test('serve --tls-cert --tls-key: the API answers over HTTPS with that certificate (and HSTS), and not over plain HTTP', async () => {
  const herald = await spawnHerald(['--tls-cert', cert, '--tls-key', key], env());
  const agent = new Agent({ connect: { ca: readFileSync(cert) } });
  try {
    assert.match(herald.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(`${herald.url}/api/v1/health`, { dispatcher: agent });
    assert.equal(health.statusCode, 204);
    assert.equal(health.headers['strict-transport-security'], 'max-age=31536000', 'browsers are told to keep to https');
    const apps = await request(`${herald.url}/api/v1/app`, { dispatcher: agent, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(apps.statusCode, 200);
    assert.deepEqual((await apps.body.json() as { data: unknown[] }).data, []);
    await assert.rejects(request(`${herald.url}/api/v1/health`), 'an unknown certificate is refused by a client that checks');
    const plain = await request(herald.url.replace('https:', 'http:') + '/api/v1/health').then((r) => r.statusCode, () => 'refused');
    assert.notEqual(plain, 204, 'no plain HTTP on the TLS port');
  } finally {
    await agent.close();
    herald.child.kill('SIGTERM');
    await herald.exited;
  }
});

test('serve: --tls-cert without --tls-key, or an unreadable file, is a configuration error (exit 2)', async () => {
  const alone = await runCli(['serve', '--tls-cert', cert], env());
  assert.equal(alone.code, 2, alone.output);
  assert.match(alone.output, /--tls-cert and --tls-key .* go together/);
  const missing = await runCli(['serve', '--tls-cert', cert, '--tls-key', path.join(dir, 'nope.pem')], env());
  assert.equal(missing.code, 2, missing.output);
  assert.match(missing.output, /--tls-key: cannot read .*nope\.pem \(ENOENT\)/);
  const notPem = await runCli(['serve', '--tls-cert', cert, '--tls-key', path.join(dir, '..', path.basename(dir))], env());
  assert.equal(notPem.code, 2, notPem.output);
});
