/**
 * herald tail and herald listen against a server that refuses private targets (the default): a refused delivery's
 * reason is shown whole with its fix, endpoints are named by their uid, `listen` still works (its endpoint is not an
 * address) and the endpoint it creates is in the audit log; both commands take --event-types and --events.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { liveAttemptOf } from '../../src/delivery/live-feed.ts';
import { checkTargetHost } from '../../src/delivery/guard.ts';
import type { AttemptOutcome } from '../../src/store/types.ts';
import { startCli } from '../helpers/cli-process.ts';
import { ADMIN_TOKEN, runCli, storeEndpointUrl, tempDir } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';
import { useTestServer } from '../helpers/test-server.ts';

// One retry a minute later: a failed attempt stays the only one while the test looks at it.
const server = useTestServer({ receiver: true, env: { HERALD_ALLOW_PRIVATE_TARGETS: 'false', HERALD_RETRY_SCHEDULE: '60,60' } });
let cliEnv: Record<string, string>;
let appId: string;

async function send(eventType: string, payload: object = {}): Promise<string> {
  const res = await server.call('POST', '/api/v1/app/details/msg', { eventType, payload });
  assert.equal(res.status, 202, res.text);
  return res.json.id;
}

describe('tail and listen details', () => {
  before(async () => {
    cliEnv = { HERALD_URL: server.herald.url, HERALD_TOKEN: ADMIN_TOKEN, XDG_CONFIG_HOME: tempDir('herald-cli-home-') };
    appId = (await server.call('POST', '/api/v1/app', { name: 'Details', uid: 'details' })).json.id;
  });

  it('tail shows a refused delivery\'s whole reason, up to the setting that allows it, and the endpoint by its uid', async () => {
    // Endpoints at loopback can no longer be created through the API; these were stored before that rule (an upgrade).
    for (const uid of ['billing-hook', null]) {
      const created = await server.call('POST', '/api/v1/app/details/endpoint', { url: 'https://example.com/hook', uid, eventTypes: ['refused.test'] });
      assert.equal(created.status, 201, created.text);
      await storeEndpointUrl(server.herald, appId, created.json.id, server.receiver.url('/private'));
    }
    const endpoints = (await server.call('GET', '/api/v1/app/details/endpoint')).json.data as { id: string; uid: string | null }[];
    const anonymous = endpoints.find((e) => e.uid === null)!;
    const named = endpoints.find((e) => e.uid === 'billing-hook')!;

    const tail = startCli(['tail', '--app', 'details', '--events', 'refused.test'], cliEnv);
    await tail.waitFor('stderr', 'watching attempts of details, event types refused.test');
    await send('refused.test');
    await tail.waitFor('stdout', /(.*\n){2}/);
    const lines = tail.stdout().trim().split('\n');
    assert.equal(await tail.stop(), 0);
    const reason = 'refused to deliver to 127.0.0.1: it is a loopback address, not a public one; allow it with ' +
      'HERALD_ALLOW_PRIVATE_CIDRS, or all private targets with HERALD_ALLOW_PRIVATE_TARGETS=true';
    const byUid = lines.find((l) => l.includes(' billing-hook '));
    assert.ok(byUid, `a line names the endpoint by its uid:\n${lines.join('\n')}`);
    assert.ok(!byUid.includes(named.id), byUid);
    assert.ok(byUid.endsWith(reason), `the reason is whole:\n${byUid}`);
    assert.ok(lines.some((l) => l.includes(` ${anonymous.id} `)), 'an endpoint without a uid is shown by its id');
    assert.equal(server.receiver.on('/private').length, 0);
  });

  it('the live feed keeps a no-response reason whole (a long host name pushes the fix past 200 characters)', async () => {
    const refusal = await checkTargetHost('127.0.0.1', { allowPrivate: false }).then(() => '', (err: Error) => err.message);
    const long = refusal.replace('127.0.0.1:', '127.0.0.1 (hooks.internal.example.com, via a long chain of aliases, resolves to it):');
    assert.ok(long.length > 200, String(long.length));
    const outcome = (responseStatusCode: number, response: string): AttemptOutcome => ({
      attempt: {
        id: 'atmpt_1', appId: 'app_1', messageId: 'msg_1', endpointId: 'ep_1', url: 'https://hooks.internal.example.com/', status: 2,
        responseStatusCode, response, durationMs: 1, trigger: 0, createdAt: Date.now(), request: null,
      },
      deliveryId: 1, lease: 1, status: 1, attempts: 1, nextAttemptAt: null,
    });
    assert.equal(liveAttemptOf(outcome(0, long), 'a.b').response, long);
    assert.equal(liveAttemptOf(outcome(500, 'x'.repeat(5_000)), 'a.b').response.length, 200, 'a receiver\'s body is still cut');
  });

  it('listen works with private targets refused, audits the endpoint it creates, takes --event-types, and counts in words', async () => {
    server.receiver.responder = (_req, res) => res.writeHead(200).end('ok');
    const forwardTo = server.receiver.url('/local');
    const start = () => startCli(['listen', '--app', 'details', '--forward-to', forwardTo, '--name', 'solo', '--event-types', 'order.paid'], cliEnv);
    const first = start();
    await first.waitFor('stderr', /ready: forwarding webhooks of details/);
    const endpoint = (await server.call('GET', '/api/v1/app/details/endpoint/listen-solo')).json;
    assert.deepEqual(endpoint.filterTypes, ['order.paid'], '--event-types chose the event types');

    const audit = await until('the audit entry of the listen endpoint', async () =>
      (await server.call('GET', `/api/v1/audit-log?app_id=${appId}`)).json.data.find((e: { resourceId: string }) => e.resourceId === endpoint.id));
    assert.deepEqual(
      [audit.method, audit.path, audit.statusCode, audit.appId, audit.actorName],
      ['POST', `/api/v1/app/${appId}/endpoint`, 201, appId, 'admin'],
    );
    assert.ok(audit.requestId, 'under the id of the request that opened the session');

    first.child.kill('SIGKILL');
    await first.exited;
    const offline = await send('order.paid', { n: 1 });
    await until('the offline attempt', async () =>
      (await server.call('GET', `/api/v1/app/details/attempt/msg/${offline}`)).json.data.length > 0);
    const second = start();
    await second.waitFor('stderr', 'catching up on 1 delivery that waited while no session was connected');
    await server.receiver.waitFor(() => server.receiver.on('/local').some((r) => r.headers['webhook-id'] === offline), 15_000, 'the caught-up delivery');
    assert.equal(await second.stop(), 0);
  });

  it('two different event type lists by the two spellings are a usage error', async () => {
    const [tail, listen] = await Promise.all([
      runCli(['tail', '--app', 'details', '--events', 'a.b', '--event-types', 'c.d'], cliEnv),
      runCli(['listen', '--app', 'details', '--forward-to', server.receiver.url(), '--events', 'a.b', '--event-types', 'c.d'], cliEnv),
    ]);
    for (const run of [tail, listen]) {
      assert.equal(run.code, 2, run.output);
      assert.match(run.output, /give --event-types or --events \(the same option\), not two different lists/);
    }
  });
});
