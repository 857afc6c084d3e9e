import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { ADMIN_TOKEN, api, spawnHerald, tempDir } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type LogLine = Record<string, any>;

function logLines(output: string): LogLine[] {
  return output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

test('request ids: x-request-id on every answer (the caller\'s when acceptable), in the log lines of the request, and carried to the attempts of its message', async () => {
  const dataDir = tempDir();
  const receiver = await Receiver.start();
  receiver.responder = (req, res) => res.writeHead(req.path === '/fails' ? 500 : 200).end();
  // One retry, at once: the first attempt goes straight from the publisher, the retry is claimed from the database.
  const herald = await spawnHerald([], {
    HERALD_DATA_DIR: dataDir, HERALD_PORT: '0', HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_RETRY_SCHEDULE: '0',
  });
  try {
    const generated = await api(herald.url, 'POST', '/api/v1/app', { name: 'ids' });
    assert.equal(generated.status, 201);
    const first = generated.headers.get('x-request-id');
    assert.match(first ?? '', UUID, 'a request without one gets a new id');
    const second = await api(herald.url, 'GET', `/api/v1/app/${generated.json.id}`);
    assert.match(second.headers.get('x-request-id') ?? '', UUID);
    assert.notEqual(second.headers.get('x-request-id'), first);

    const given = await api(herald.url, 'GET', `/api/v1/app/${generated.json.id}`, undefined, { 'x-request-id': 'lb-7f3a:2024.01_x' });
    assert.equal(given.headers.get('x-request-id'), 'lb-7f3a:2024.01_x', 'an acceptable incoming id is kept');
    for (const bad of ['has spaces in it', 'x'.repeat(129), 'quote"d', 'semi;colon']) {
      const res = await api(herald.url, 'GET', `/api/v1/app/${generated.json.id}`, undefined, { 'x-request-id': bad });
      assert.match(res.headers.get('x-request-id') ?? '', UUID, `replaced: ${JSON.stringify(bad)}`);
    }

    // Refused and failed requests carry it too, and are logged with it.
    const refused = await api(herald.url, 'GET', '/api/v1/app', undefined, { authorization: 'Bearer wrong-token-0123456789', 'x-request-id': 'refused-1' });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('x-request-id'), 'refused-1');
    const invalid = await api(herald.url, 'POST', `/api/v1/app/${generated.json.id}/msg`, { payload: {} }, { 'x-request-id': 'invalid-1' });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.headers.get('x-request-id'), 'invalid-1');
    const missing = await api(herald.url, 'GET', '/api/v1/nothing-here', undefined, { 'x-request-id': 'missing-1' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-request-id'), 'missing-1');

    const appId = generated.json.id as string;
    await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/fails'), filterTypes: ['bad'] });
    await api(herald.url, 'POST', `/api/v1/app/${appId}/endpoint`, { url: receiver.url('/works'), filterTypes: ['good'] });
    const failing = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'bad', payload: {} }, { 'x-request-id': 'publish-bad-1' });
    assert.equal(failing.status, 202);
    const working = await api(herald.url, 'POST', `/api/v1/app/${appId}/msg`, { eventType: 'good', payload: {} }, { 'x-request-id': 'publish-good-1' });
    assert.equal(working.status, 202);

    const lines = await until('the failed attempt, its retry and the give-up to be logged', () => {
      const all = logLines(herald.output());
      return all.some((l) => l.msg === 'delivery failed for good: no retry left') ? all : undefined;
    });
    for (const [requestId, statusCode] of [['refused-1', 401], ['invalid-1', 422], ['missing-1', 404]] as const) {
      const line = lines.find((l) => l.requestId === requestId && l.msg === 'request completed');
      assert.ok(line, `the ${statusCode} is logged with its request id`);
      assert.equal(line.statusCode, statusCode);
      assert.equal(line.level, 30, 'client errors at info');
    }
    assert.equal(lines.find((l) => l.requestId === 'publish-good-1'), undefined, 'a successful request is not logged at info');

    const retrying = lines.find((l) => l.msg === 'attempt failed; retrying later');
    assert.ok(retrying);
    assert.equal(retrying.requestId, 'publish-bad-1');
    assert.equal(retrying.msgId, failing.json.id);
    assert.equal(retrying.statusCode, 500);
    assert.equal(retrying.attempt, 1);
    const gaveUp = lines.find((l) => l.msg === 'delivery failed for good: no retry left');
    assert.ok(gaveUp);
    assert.equal(gaveUp.requestId, 'publish-bad-1', 'the retry was claimed from the database: the request id was stored with the message');
    assert.equal(gaveUp.msgId, failing.json.id);
    assert.equal(gaveUp.attempt, 2);
    assert.equal(gaveUp.level, 40, 'giving up is a warning');
    await receiver.waitFor((all) => all.some((r) => r.path === '/works'));
    assert.equal(lines.find((l) => l.msgId === working.json.id), undefined, 'a successful attempt is not logged at info');
  } finally {
    herald.child.kill('SIGTERM');
    await herald.exited;
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
