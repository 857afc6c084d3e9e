/**
 * HERALD_EGRESS_PROXY: every delivery leaves through the configured proxy (a CONNECT tunnel), and the private-target
 * guard still applies to where it is going.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { api, startTestHerald, storeEndpointUrl } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { startTunnelProxy } from '../helpers/tunnel-proxy.ts';
import { until } from '../helpers/wait.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('egress proxy', () => {
  let proxy: Awaited<ReturnType<typeof startTunnelProxy>>;
  let receiver: Receiver;
  before(async () => {
    proxy = await startTunnelProxy();
    receiver = await Receiver.start();
  });
  after(async () => {
    proxy.server.closeAllConnections();
    proxy.server.close();
    await receiver.close();
  });

  it('deliveries go through the proxy, signed as usual', async () => {
    // The receiver is on 127.0.0.1, so that one address is allowed; everything else private stays refused.
    const herald = await startTestHerald({ HERALD_EGRESS_PROXY: proxy.url, HERALD_ALLOW_PRIVATE_TARGETS: 'false', HERALD_ALLOW_PRIVATE_CIDRS: '127.0.0.1/32' });
    try {
      await api(herald.url, 'POST', '/api/v1/app', { name: 'proxied', uid: 'proxied' });
      await api(herald.url, 'POST', '/api/v1/app/proxied/endpoint', { url: receiver.url('/via-proxy'), secret: SECRET });
      await api(herald.url, 'POST', '/api/v1/app/proxied/msg', { eventType: 'a.b', payload: { n: 1 } });
      await receiver.waitFor((r) => r.some((x) => x.path === '/via-proxy'));
      const got = receiver.on('/via-proxy')[0]!;
      new Webhook(SECRET).verify(got.body.toString(), got.headers as Record<string, string>);
      const { port } = new URL(receiver.url());
      assert.deepEqual([...new Set(proxy.tunnels)], [`127.0.0.1:${port}`]);
    } finally {
      await herald.cleanup();
    }
  });

  it('a private target is refused before anything is sent to the proxy', async () => {
    const herald = await startTestHerald({ HERALD_EGRESS_PROXY: proxy.url, HERALD_ALLOW_PRIVATE_TARGETS: 'false' });
    const before = proxy.tunnels.length;
    try {
      const app = await api(herald.url, 'POST', '/api/v1/app', { name: 'guarded', uid: 'guarded' });
      const endpoint = await api(herald.url, 'POST', '/api/v1/app/guarded/endpoint', { url: 'https://example.com/refused', uid: 'private' });
      // Stored at loopback behind the API's back (which refuses it at creation): the delivery-time check is under test.
      await storeEndpointUrl(herald, app.json.id, endpoint.json.id, receiver.url('/refused'));
      const msg = await api(herald.url, 'POST', '/api/v1/app/guarded/msg', { eventType: 'a.b', payload: {} });
      const attempt = await until('the refused attempt', async () =>
        (await api(herald.url, 'GET', `/api/v1/app/guarded/attempt/msg/${msg.json.id}`)).json.data[0]);
      assert.match(attempt.response, /refused to deliver to 127\.0\.0\.1: it is a loopback address/);
      assert.equal(proxy.tunnels.length, before);
      assert.equal(receiver.on('/refused').length, 0);
    } finally {
      await herald.cleanup();
    }
  });
});
