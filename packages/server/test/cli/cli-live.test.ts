/**
 * herald tail and herald listen end to end, as a user runs them: a real `herald serve`, the CLI as child processes,
 * and a real local receiver that checks signatures with the standardwebhooks package.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { LiveAttempt } from '../../src/store/types.ts';
import { startCli } from '../helpers/cli-process.ts';
import { ADMIN_TOKEN, api, runCli, spawnHerald, tempDir, type HeraldProcess } from '../helpers/herald.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const dataDir = tempDir();
const serverEnv = (port: string) => ({
  HERALD_PORT: port,
  HERALD_DATA_DIR: dataDir,
  HERALD_ADMIN_TOKEN: ADMIN_TOKEN,
  HERALD_ALLOW_PRIVATE_TARGETS: 'true',
  // Failed attempts come back within a second, so the test sees retries without waiting minutes.
  HERALD_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1,1,1',
  HERALD_LOG_LEVEL: 'info',
});

let herald: HeraldProcess;
let cliEnv: Record<string, string>;
let receiver: Receiver;

async function send(eventType: string, payload: object): Promise<string> {
  const { code, output } = await runCli(['send', '--app', 'acme', '--event-type', eventType, '--data', JSON.stringify(payload)], cliEnv);
  assert.equal(code, 0, output);
  const id = /msg_\w+/.exec(output)?.[0];
  assert.ok(id, output);
  return id;
}

const liveLines = (text: string): LiveAttempt[] => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LiveAttempt);

describe('herald tail and herald listen', () => {
  before(async () => {
    herald = await spawnHerald([], serverEnv('0'));
    cliEnv = { HERALD_URL: herald.url, HERALD_TOKEN: ADMIN_TOKEN, XDG_CONFIG_HOME: tempDir('herald-cli-home-') };
    receiver = await Receiver.start();
    assert.equal((await api(herald.url, 'POST', '/api/v1/app', { name: 'Acme', uid: 'acme' })).status, 201);
  });

  after(async () => {
    await receiver.close();
    herald.child.kill('SIGTERM');
    await herald.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tail streams attempts as JSON lines and readable lines, filtered by endpoint and event type', async () => {
    const ep = await api(herald.url, 'POST', '/api/v1/app/acme/endpoint', { url: receiver.url('/tail'), uid: 'tailed' });
    assert.equal(ep.status, 201);
    receiver.responder = (req, res) => res.writeHead(req.path === '/tail' ? 500 : 200).end(req.path === '/tail' ? 'busy right now' : 'ok');
    const json = startCli(['tail', '--app', 'acme', '--endpoint', 'tailed', '--json'], cliEnv);
    const filtered = startCli(['tail', '--app', 'acme', '--event-types', 'order.shipped'], cliEnv);
    await json.waitFor('stderr', 'watching attempts of acme');
    await filtered.waitFor('stderr', 'watching attempts of acme');

    const paid = await send('invoice.paid', { id: 'inv_1' });
    const shipped = await send('order.shipped', { id: 'ord_1' });
    await json.waitFor('stdout', /"attemptNumber":2/);
    const seen = liveLines(json.stdout());
    const first = seen.find((a) => a.msgId === paid && a.attemptNumber === 1);
    assert.ok(first, json.stdout());
    assert.equal(first.eventType, 'invoice.paid');
    assert.equal(first.endpointId, ep.json.id);
    assert.equal(first.responseStatusCode, 500);
    assert.equal(first.statusText, 'fail');
    assert.equal(first.response, 'busy right now');
    assert.ok(first.nextAttempt, 'a retry is scheduled');
    assert.ok(seen.every((a) => a.endpointId === ep.json.id), 'only the chosen endpoint');

    await filtered.waitFor('stdout', shipped);
    const lines = filtered.stdout().trim().split('\n');
    assert.ok(lines.every((l) => l.includes('order.shipped') && !l.includes(paid)), filtered.stdout());
    assert.match(lines[0]!, /^\d\d:\d\d:\d\d\.\d{3}\s+order\.shipped\s+tailed\s+✘ 500\s+\d+ ms\s+#1\s+msg_\w+\s+retry in \d+s\s+busy right now$/);
    assert.ok(!/\u001b\[/.test(filtered.stdout()), 'no colour codes when stdout is not a terminal');

    assert.equal(await json.stop(), 0);
    assert.equal(await filtered.stop(), 0);
    await api(herald.url, 'DELETE', `/api/v1/app/acme/endpoint/${ep.json.id}`);
  });

  it('tail: an unknown application is an error with the API\'s message and exit code 5', async () => {
    const { code, output } = await runCli(['tail', '--app', 'nope'], cliEnv);
    assert.equal(code, 5, output);
    assert.match(output, /Application not found/);
  });

  it('listen forwards byte-identical signed deliveries, records the local answer, and catches up after being cut', async () => {
    let secret = '';
    receiver.responder = (req, res) => {
      // The local application checks the signature exactly as it would in production.
      try {
        new Webhook(secret).verify(req.body.toString('utf8'), req.headers as Record<string, string>);
        res.writeHead(201, { 'content-type': 'text/plain' }).end(`local ok ${req.headers['webhook-id']}`);
      } catch (err) {
        res.writeHead(400).end(`bad signature: ${(err as Error).message}`);
      }
    };
    const forwardTo = receiver.url('/local');
    const listen = startCli(['listen', '--app', 'acme', '--forward-to', forwardTo, '--name', 'laptop', '--events', 'invoice.paid,invoice.void'], cliEnv);
    await listen.waitFor('stderr', /ready: forwarding webhooks of acme/);
    await listen.waitFor('stderr', /signing secret of endpoint ep_\w+: whsec_/);
    secret = /whsec_\S+/.exec(listen.stderr())![0];
    const endpoint = (await api(herald.url, 'GET', '/api/v1/app/acme/endpoint/listen-laptop')).json;
    assert.equal(endpoint.url, 'herald-listen://laptop');
    assert.deepEqual(endpoint.filterTypes, ['invoice.paid', 'invoice.void']);

    const payload = { id: 'inv_2', amount: 4200, note: 'ünïcödé ✓' };
    const msg = await send('invoice.paid', payload);
    await send('order.shipped', { id: 'ord_2' }); // not among --events: never sent to the session
    await receiver.waitFor(() => receiver.on('/local').length >= 1);
    const got = receiver.on('/local')[0]!;
    const stored = await api(herald.url, 'GET', `/api/v1/app/acme/msg/${msg}`);
    assert.deepEqual(got.body, Buffer.from(JSON.stringify(stored.json.payload)), 'the body is the exact signed bytes');
    assert.equal(got.headers['webhook-id'], msg);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.match(String(got.headers['user-agent']), /^Herald-Webhooks\//);
    const attempts = await until('the attempt to be recorded', async () => {
      const list = await api(herald.url, 'GET', `/api/v1/app/acme/attempt/msg/${msg}`);
      const mine = list.json.data.filter((a: { endpointId: string }) => a.endpointId === endpoint.id);
      return mine.length > 0 ? mine : undefined;
    });
    assert.equal(attempts[0].responseStatusCode, 201, `the local answer is the attempt: ${attempts[0].response}`);
    assert.equal(attempts[0].response, `local ok ${msg}`);
    assert.equal(attempts[0].endpointId, endpoint.id);
    await listen.waitFor('stdout', new RegExp(`invoice\\.paid\\s+${msg}\\s+#1\\s+-> 201`));

    // Cut: the CLI dies without a goodbye. Deliveries meanwhile fail as not connected and wait.
    listen.child.kill('SIGKILL');
    await listen.exited;
    const offline = [await send('invoice.paid', { n: 1 }), await send('invoice.void', { n: 2 }), await send('invoice.paid', { n: 3 })];
    await until('an offline attempt to be recorded', async () => {
      const list = await api(herald.url, 'GET', `/api/v1/app/acme/attempt/msg/${offline[0]}`);
      return list.json.data.some((a: { response: string }) => a.response.includes('no "herald listen" session named "laptop" is connected'));
    });

    const resumed = startCli(['listen', '--app', 'acme', '--forward-to', forwardTo, '--name', 'laptop', '--events', 'invoice.paid,invoice.void'], cliEnv);
    await resumed.waitFor('stderr', /ready: forwarding/);
    await receiver.waitFor(() => offline.every((id) => receiver.on('/local').some((r) => r.headers['webhook-id'] === id)), 15_000, 'the offline deliveries');
    for (const id of offline) {
      const list = await until(`a successful attempt of ${id}`, async () => {
        const res = await api(herald.url, 'GET', `/api/v1/app/acme/attempt/msg/${id}`);
        return res.json.data.some((a: { status: number }) => a.status === 0) ? res.json.data : undefined;
      });
      assert.ok(list.length >= 2, 'failed while offline, then delivered');
    }
    assert.ok(!receiver.on('/local').some((r) => JSON.parse(r.body.toString()).id === 'ord_2'), '--events filtered order.shipped out');

    // The server goes away and comes back: the session says so, reconnects by itself, and nothing is lost.
    const port = new URL(herald.url).port;
    herald.child.kill('SIGTERM');
    assert.equal(await herald.exited, 0);
    await resumed.waitFor('stderr', /disconnected: .*reconnecting in \d+s/);
    herald = await spawnHerald([], serverEnv(port));
    await resumed.waitFor('stderr', /reconnected: forwarding/, 20_000);
    const afterRestart = await send('invoice.paid', { id: 'after-restart' });
    await receiver.waitFor(() => receiver.on('/local').some((r) => r.headers['webhook-id'] === afterRestart), 15_000, 'the delivery after the restart');

    // A second session with the same name takes over; the first one stops and says why.
    const second = startCli(['listen', '--app', 'acme', '--forward-to', forwardTo, '--name', 'laptop', '--events', 'invoice.paid,invoice.void'], cliEnv);
    await second.waitFor('stderr', /ready: forwarding/);
    assert.equal(await resumed.exited, 1);
    assert.match(resumed.stderr(), /another "herald listen" session named "laptop" took over/);
    assert.equal(await second.stop(), 0);
  });

  it('listen: a local server that is down fails the attempt with the reason, and the delivery is retried', async () => {
    const listen = startCli(['listen', '--app', 'acme', '--forward-to', 'http://127.0.0.1:9/nothing-here', '--name', 'down'], cliEnv);
    await listen.waitFor('stderr', /ready: forwarding/);
    const msg = await send('invoice.paid', { id: 'to-nowhere' });
    const attempts = await until('two failed attempts', async () => {
      const res = await api(herald.url, 'GET', `/api/v1/app/acme/attempt/msg/${msg}`);
      const mine = res.json.data.filter((a: { url: string }) => a.url === 'herald-listen://down');
      return mine.length >= 2 ? mine : undefined;
    }, 15_000);
    assert.equal(attempts[0].responseStatusCode, 0);
    assert.match(attempts[0].response, /the local server did not answer: .*ECONNREFUSED/);
    await listen.waitFor('stdout', /-> failed \(/);
    assert.equal(await listen.stop(), 0);
    await api(herald.url, 'DELETE', '/api/v1/app/acme/endpoint/listen-down');
  });

  it('listen refuses a forward-to that is not an http URL (exit 2) and tells a wrong token apart (exit 4)', async () => {
    const bad = await runCli(['listen', '--app', 'acme', '--forward-to', 'localhost:3000'], cliEnv);
    assert.equal(bad.code, 2, bad.output);
    assert.match(bad.output, /--forward-to must be an http or https URL/);
    const denied = await runCli(['listen', '--app', 'acme', '--forward-to', 'http://127.0.0.1:3000'], { ...cliEnv, HERALD_TOKEN: 'wrong_token_0123456789' });
    assert.equal(denied.code, 4, denied.output);
    const stray = await api(herald.url, 'POST', '/api/v1/app/acme/listen/laptop/reply', { id: 'not-waiting', statusCode: 200 });
    assert.equal(stray.status, 404);
    assert.equal(stray.json.code, 'not_found');
    const badName = await api(herald.url, 'GET', '/api/v1/app/acme/listen/bad%20name');
    assert.equal(badName.status, 422, badName.text);
  });
});

const pgSkip = await postgresUnavailable();

describe('herald tail and herald listen against separate API and worker processes on PostgreSQL', { skip: pgSkip }, () => {
  it('the session on the API process gets the deliveries the worker claims, and tail there sees the worker\'s attempts', async () => {
    const schema = uniqueSchema('herald_live');
    const env = {
      HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true',
      HERALD_RETRY_SCHEDULE: '1,1,1,1,1', HERALD_PORT: '0',
    };
    const local = await Receiver.start();
    const processes: HeraldProcess[] = [];
    try {
      const apiProcess = await spawnHerald(['--role', 'api'], env);
      processes.push(apiProcess, await spawnHerald(['--role', 'worker'], env));
      const env2 = { HERALD_URL: apiProcess.url, HERALD_TOKEN: ADMIN_TOKEN, XDG_CONFIG_HOME: tempDir('herald-cli-home-') };
      assert.equal((await api(apiProcess.url, 'POST', '/api/v1/app', { name: 'Shared', uid: 'shared' })).status, 201);
      const tail = startCli(['tail', '--app', 'shared', '--json'], env2);
      const listen = startCli(['listen', '--app', 'shared', '--forward-to', local.url('/pg'), '--name', 'pg'], env2);
      await tail.waitFor('stderr', 'watching attempts');
      await listen.waitFor('stderr', /ready: forwarding/);
      // The worker learns of the session from the API process's announcement; until then an attempt fails and is retried.
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await api(apiProcess.url, 'POST', '/api/v1/app/shared/msg', { eventType: 'build.finished', payload: { i } });
        assert.equal(res.status, 202, res.text);
        ids.push(res.json.id);
      }
      await local.waitFor(() => ids.every((id) => local.on('/pg').some((r) => r.headers['webhook-id'] === id)), 20_000, 'every delivery through the session');
      await until('tail to show a successful attempt of each message', () =>
        ids.every((id) => liveLines(tail.stdout()).some((a) => a.msgId === id && a.status === 0)), 15_000);
      assert.equal(await listen.stop(), 0);
      assert.equal(await tail.stop(), 0);
    } finally {
      await local.close();
      for (const p of processes) p.child.kill('SIGTERM');
      await Promise.all(processes.map((p) => p.exited));
      await dropSchema(schema);
    }
  });
});
