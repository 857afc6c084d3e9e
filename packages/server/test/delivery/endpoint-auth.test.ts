import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startTestHerald } from '../helpers/herald.ts';
import { heraldBackends } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';
import { TokenServer } from '../helpers/token-server.ts';
import { until } from '../helpers/wait.ts';

/**
 * Endpoint authentication on deliveries, through a running Herald on each store: HTTP basic (the right credentials
 * deliver; a wrong password fails with the receiver's 401 and is retried, and the corrected one delivers), and OAuth
 * 2.0 client credentials against a local token server (one token for many deliveries, asked for again before it runs
 * out, replaced within the attempt when the receiver refuses it, and a wrong client secret failing the attempt with
 * the token server's answer). The attempt log names `authorization` without its value.
 */

type Attempt = { id: string; status: number; response: string; responseStatusCode: number };

const backends = await heraldBackends('herald_endpoint_auth');

for (const backend of backends) {
  describe(`endpoint authentication on deliveries (${backend.name})`, { skip: backend.skip }, () => {
    let herald: Awaited<ReturnType<typeof startTestHerald>>;
    let receiver: Receiver;
    let tokens: TokenServer;
    let env: Record<string, string>;
    let appId = '';
    before(async () => {
      env = backend.env();
      herald = await startTestHerald({ ...env, HERALD_RETRY_SCHEDULE: '0.3,1,5' });
      receiver = await Receiver.start();
      tokens = await TokenServer.start({
        'cached-client': { secret: 'cached-secret', expiresIn: 3600 },
        'short-client': { secret: 'short-secret', expiresIn: 6 },
        'revoked-client': { secret: 'revoked-secret', expiresIn: 3600 },
      });
      // /basic-*: only alice with her password; /oauth-*: only a token the token server issued and still honours.
      const basic = `Basic ${Buffer.from('alice:open: sesame').toString('base64')}`;
      receiver.responder = (req, res) => {
        const allowed = req.path.startsWith('/basic-') ? req.headers.authorization === basic : tokens.accepts(req.headers.authorization);
        res.writeHead(allowed ? 200 : 401).end(allowed ? 'ok' : 'who are you?');
      };
      appId = (await api(herald.url, 'POST', '/api/v1/app', { name: 'auth' })).json.id;
    });
    after(async () => {
      await receiver.close();
      await tokens.close();
      await herald.cleanup();
      await backend.cleanup(env);
    });

    /** An endpoint at /NAME, for the event type NAME only. */
    async function endpointWith(name: string, auth: object): Promise<string> {
      const created = await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url(`/${name}`), filterTypes: [name] });
      assert.equal(created.status, 201, created.text);
      const put = await api(herald.url, 'PUT', `/api/v1/app/${appId}/endpoint/${created.json.id}/auth`, auth);
      assert.equal(put.status, 204, put.text);
      return created.json.id;
    }
    const send = async (eventType: string, n = 0): Promise<string> =>
      (await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType, payload: { n } })).json.id;
    const attemptsOf = async (msgId: string): Promise<Attempt[]> =>
      (await api(herald.url, 'GET', `/api/v1/app/${appId}/attempt/msg/${msgId}?limit=250`)).json.data;
    const delivered = (msgId: string) => until(`${msgId} delivered`, async () => (await attemptsOf(msgId)).find((a) => a.status === 0));
    const oauth2 = (clientId: string, clientSecret: string) => ({ oauth2: { tokenUrl: tokens.url, clientId, clientSecret } });

    test('basic: the right credentials are delivered, and the attempt log names authorization without its value', async () => {
      await endpointWith('basic-right', { basic: { username: 'alice', password: 'open: sesame' } });
      const msgId = await send('basic-right');
      const attempt = await delivered(msgId);
      assert.equal(receiver.on('/basic-right').length, 1);
      const recorded = (await api(herald.url, 'GET', `/api/v1/app/${appId}/msg/${msgId}/attempt/${attempt.id}/headers`)).json;
      assert.ok(recorded.sensitive.includes('authorization'), JSON.stringify(recorded));
      assert.equal(recorded.headers.authorization, undefined);
      assert.ok(!JSON.stringify(recorded).includes(Buffer.from('alice:open: sesame').toString('base64')));
    });

    test('basic: a wrong password fails with the 401 in the log and is retried; the corrected password delivers', async () => {
      const endpointId = await endpointWith('basic-wrong', { basic: { username: 'alice', password: 'guess' } });
      const msgId = await send('basic-wrong');
      const failed = await until('two failed attempts', async () => {
        const list = await attemptsOf(msgId);
        return list.length >= 2 && list;
      });
      for (const attempt of failed) assert.deepEqual([attempt.status, attempt.responseStatusCode, attempt.response], [2, 401, 'who are you?']);
      const put = await api(herald.url, 'PUT', `/api/v1/app/${appId}/endpoint/${endpointId}/auth`, { basic: { username: 'alice', password: 'open: sesame' } });
      assert.equal(put.status, 204);
      await delivered(msgId);
    });

    test('OAuth: one token request for several deliveries at once, the token sent as a bearer token', async () => {
      tokens.delayMs = 200;
      try {
        await endpointWith('oauth-cached', oauth2('cached-client', 'cached-secret'));
        const ids = await Promise.all(Array.from({ length: 5 }, (_, n) => send('oauth-cached', n)));
        for (const id of ids) await delivered(id);
        for (const id of [await send('oauth-cached', 5), await send('oauth-cached', 6)]) await delivered(id);
      } finally {
        tokens.delayMs = 0;
      }
      assert.equal(tokens.requests.filter((r) => r.clientId === 'cached-client').length, 1);
      const sent = receiver.on('/oauth-cached');
      assert.equal(sent.length, 7);
      assert.equal(new Set(sent.map((r) => r.headers.authorization)).size, 1, 'one token for all');
      assert.match(String(sent[0]!.headers.authorization), /^Bearer [0-9a-f]{24}$/);
    });

    test('OAuth: a token is asked for again before it runs out', async () => {
      await endpointWith('oauth-short', oauth2('short-client', 'short-secret'));
      await delivered(await send('oauth-short', 1));
      const [first] = tokens.requests.filter((r) => r.clientId === 'short-client');
      // The 6-second token is kept for half its life, then replaced while it is still good.
      await until('half the first token\'s life', () => Date.now() > first!.at + 3_200, 5_000);
      await delivered(await send('oauth-short', 2));
      const asked = tokens.requests.filter((r) => r.clientId === 'short-client');
      assert.equal(asked.length, 2);
      assert.ok(asked[1]!.at < first!.at + 6_000, 'asked again before the first token ran out');
      const [one, two] = receiver.on('/oauth-short');
      assert.notEqual(one!.headers.authorization, two!.headers.authorization);
    });

    test('OAuth: a token the receiver refuses (revoked) is replaced and the request sent again within the attempt', async () => {
      await endpointWith('oauth-revoked', oauth2('revoked-client', 'revoked-secret'));
      await delivered(await send('oauth-revoked', 1));
      tokens.revokeAll();
      const msgId = await send('oauth-revoked', 2);
      const attempt = await delivered(msgId);
      assert.equal((await attemptsOf(msgId)).length, 1, 'one attempt: the 401 was answered by a new token, not a retry');
      assert.equal(attempt.responseStatusCode, 200);
      assert.equal(tokens.requests.filter((r) => r.clientId === 'revoked-client').length, 2);
      assert.deepEqual(receiver.on('/oauth-revoked').map((r) => tokens.accepts(r.headers.authorization)), [false, false, true], 'the old token twice (revoked after it was used), then the new one');
    });

    test('OAuth: a wrong client secret fails the attempt with the token server\'s answer, retried, nothing sent to the endpoint', async () => {
      await endpointWith('oauth-wrong', oauth2('cached-client', 'not-the-secret'));
      const msgId = await send('oauth-wrong');
      const failed = await until('two failed attempts', async () => {
        const list = await attemptsOf(msgId);
        return list.length >= 2 && list;
      });
      for (const attempt of failed) {
        assert.deepEqual([attempt.status, attempt.responseStatusCode], [2, 0]);
        assert.equal(attempt.response, `OAuth token request to ${tokens.url} failed: 401 {"error":"invalid_client"}`);
      }
      assert.equal(receiver.on('/oauth-wrong').length, 0);
    });
  });
}
