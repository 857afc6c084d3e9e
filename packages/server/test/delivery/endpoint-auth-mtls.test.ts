import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, api, spawnHerald, startTestHerald, tempDir } from '../helpers/herald.ts';
import { startTunnelProxy } from '../helpers/tunnel-proxy.ts';
import { until } from '../helpers/wait.ts';

/**
 * Mutual TLS on deliveries: the receiver is an https server that asks for a client certificate and accepts only one
 * its CA signed. With that certificate (its key in clear or under a passphrase, alone or with basic authentication)
 * the delivery succeeds; with a certificate of another CA, or none, no request gets through and the attempt fails and
 * is retried. The endpoint trusts the private CA for the receiver's certificate. Sent from the main thread and from a
 * delivery thread (HERALD_DELIVERY_THREADS), with the private-address guard on (127.0.0.0/8 allowed by CIDR), so the
 * guarded connector carries the TLS material, and through an egress proxy's tunnel. Without a certificate the endpoint
 * has no CA of its own either, so that case runs in a `herald serve` that trusts the CA process-wide
 * (NODE_EXTRA_CA_CERTS). The fixtures are made by test/fixtures/mtls/generate.sh.
 */

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/mtls');
const pem = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const CA = pem('ca.pem');

interface Seen {
  path: string;
  commonName: string;
  authorization: string | undefined;
}

/** An https receiver that only talks to clients whose certificate the test CA signed. */
async function startMtlsReceiver(): Promise<{ server: Server; url: (path: string) => string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer({ key: pem('server.key'), cert: pem('server.pem'), ca: CA, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({ path: req.url ?? '', commonName: String(peer.subject?.CN), authorization: req.headers.authorization });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: (p) => `https://127.0.0.1:${port}${p}`, seen };
}

for (const threads of ['0', '1']) {
  describe(`mutual TLS with HERALD_DELIVERY_THREADS=${threads}`, () => {
    let herald: Awaited<ReturnType<typeof startTestHerald>>;
    let receiver: Awaited<ReturnType<typeof startMtlsReceiver>>;
    let appId = '';
    before(async () => {
      herald = await startTestHerald({
        HERALD_DELIVERY_THREADS: threads, HERALD_RETRY_SCHEDULE: '0.3,0.3',
        HERALD_ALLOW_PRIVATE_TARGETS: 'false', HERALD_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
      });
      assert.equal(herald.deliveryThreads === null, threads === '0');
      receiver = await startMtlsReceiver();
      appId = (await api(herald.url, 'POST', '/api/v1/app', { name: `mtls ${threads}` })).json.id;
    });
    after(async () => {
      await herald.cleanup();
      receiver.server.closeAllConnections();
      await new Promise((resolve) => receiver.server.close(resolve));
    });

    /** An endpoint at /NAME, for the event type NAME, with this authentication; the id of a message sent to it. */
    async function sendTo(name: string, auth: object | null): Promise<string> {
      const created = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url(`/${name}`), filterTypes: [name] });
      assert.equal(created.status, 201, created.text);
      if (auth) {
        const put = await api(herald.url, 'PUT', `/api/v1/app/${appId}/endpoint/${created.json.id}/auth`, auth);
        assert.equal(put.status, 204, put.text);
      }
      return (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: name, payload: {} })).json.id;
    }
    const attemptsOf = async (msgId: string) =>
      (await api(herald.url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}?limit=250`)).json.data as { status: number; responseStatusCode: number; response: string }[];

    test('the CA\'s client certificate delivers, with basic authentication beside it', async () => {
      const msgId = await sendTo('right', {
        clientCertificate: { certificate: pem('client.pem'), privateKey: pem('client.key'), ca: CA },
        basic: { username: 'herald', password: 'over tls' },
      });
      await until('the delivery', async () => (await attemptsOf(msgId))[0]?.status === 0);
      assert.deepEqual(receiver.seen.filter((s) => s.path === '/right'), [
        { path: '/right', commonName: 'herald-client', authorization: `Basic ${Buffer.from('herald:over tls').toString('base64')}` },
      ]);
    });

    test('a private key under a passphrase delivers', async () => {
      const msgId = await sendTo('encrypted', {
        clientCertificate: { certificate: pem('client.pem'), privateKey: pem('client-encrypted.key'), passphrase: 'correct horse', ca: CA },
      });
      await until('the delivery', async () => (await attemptsOf(msgId))[0]?.status === 0);
      assert.equal(receiver.seen.filter((s) => s.path === '/encrypted').length, 1);
    });

    test('a certificate of another CA gets no request through: the attempts fail and are retried', async () => {
      const msgId = await sendTo('wrong', { clientCertificate: { certificate: pem('other-client.pem'), privateKey: pem('other-client.key'), ca: CA } });
      const attempts = await until('three failed attempts', async () => {
        const list = await attemptsOf(msgId);
        return list.length === 3 && list.every((a) => a.status === 2) && list;
      });
      // The receiver ends the handshake: Herald sees the connection closed or reset.
      for (const attempt of attempts) assert.match(attempt.response, /other side closed|ECONNRESET|alert/, attempt.response);
      assert.deepEqual(receiver.seen.filter((s) => s.path === '/wrong'), []);
    });
  });
}

test('without a client certificate nothing gets through; one set afterwards delivers the retry (herald serve, CA trusted process-wide)', { timeout: 60_000 }, async () => {
  const receiver = await startMtlsReceiver();
  const dataDir = tempDir();
  // The receiver's CA is trusted by the whole process, so only the missing client certificate stands in the way.
  const herald = await spawnHerald([], {
    HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_PORT: '0', HERALD_ALLOW_PRIVATE_TARGETS: 'true',
    HERALD_RETRY_SCHEDULE: '0.3,1,5', HERALD_DELIVERY_THREADS: '1', NODE_EXTRA_CA_CERTS: path.join(FIXTURES, 'ca.pem'),
  });
  try {
    const appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'mtls none' })).json.id;
    const endpointId = (await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/none') })).json.id;
    const msgId = (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'none', payload: {} })).json.id;
    const attemptsOf = async () => (await api(herald.url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}`)).json.data as { status: number; response: string }[];
    const [failed] = await until('a failed attempt', async () => (await attemptsOf()).length > 0 && attemptsOf());
    assert.equal(failed!.status, 2);
    assert.match(failed!.response, /other side closed|ECONNRESET|alert/);
    assert.equal(receiver.seen.length, 0);
    const put = await api(herald.url, 'PUT', `/api/v1/app/${appId}/endpoint/${endpointId}/auth`, {
      clientCertificate: { certificate: pem('client.pem'), privateKey: pem('client.key') },
    });
    assert.equal(put.status, 204, put.text);
    await until('the retry delivered', async () => (await attemptsOf()).some((a) => a.status === 0), 15_000);
    assert.deepEqual(receiver.seen.map((s) => [s.path, s.commonName]), [['/none', 'herald-client']]);
  } finally {
    herald.child.kill('SIGTERM');
    await herald.exited;
    rmSync(dataDir, { recursive: true, force: true });
    receiver.server.closeAllConnections();
    await new Promise((resolve) => receiver.server.close(resolve));
  }
});

test('through the egress proxy the client certificate goes to the receiver inside the tunnel', async () => {
  const receiver = await startMtlsReceiver();
  const { server: proxy, url: proxyUrl, tunnels } = await startTunnelProxy();
  const herald = await startTestHerald({ HERALD_EGRESS_PROXY: proxyUrl, HERALD_DELIVERY_THREADS: '1' });
  try {
    const appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'mtls proxied' })).json.id;
    const endpointId = (await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/proxied') })).json.id;
    await api(herald.url, 'PUT', `/api/v1/app/${appId}/endpoint/${endpointId}/auth`, {
      clientCertificate: { certificate: pem('client.pem'), privateKey: pem('client.key'), ca: CA },
    });
    await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'proxied', payload: {} });
    await until('the delivery', () => receiver.seen.length > 0);
    assert.deepEqual(receiver.seen.map((s) => [s.path, s.commonName]), [['/proxied', 'herald-client']]);
    assert.deepEqual(tunnels, [new URL(receiver.url('/')).host]);
  } finally {
    await herald.cleanup();
    proxy.closeAllConnections();
    proxy.close();
    receiver.server.closeAllConnections();
    await new Promise((resolve) => receiver.server.close(resolve));
  }
});
