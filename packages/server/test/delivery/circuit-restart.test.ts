import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startHerald, type RunningHerald } from '../../src/main.ts';
import { ADMIN_TOKEN, api, tempDir } from '../helpers/herald.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';
import { expectQuietFor, until } from '../helpers/wait.ts';

const MESSAGES = 30;

/** A Herald in this process whose log lines the test reads; the circuit opens after 3 failures, retries are quick. */
async function startLogged(where: Record<string, string>, lines: string[]): Promise<RunningHerald> {
  const config = loadConfig({
    env: {
      HERALD_PORT: '0', HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_LOG_LEVEL: 'info',
      HERALD_CIRCUIT_BREAKER_AFTER: '3', HERALD_RETRY_SCHEDULE: '0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2', ...where,
    },
  });
  return startHerald(config, pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }));
}

/**
 * Opens an endpoint's circuit, stops every Herald (as Ctrl-C does), starts them again on the same store and counts
 * what reaches the still-failing receiver right after: a probe per worker, not the backlog.
 */
async function restartWithOpenCircuit(where: Record<string, string>, workers: number) {
  const receiver = await Receiver.start();
  let up = false;
  receiver.responder = (_req, res) => res.writeHead(up ? 200 : 500).end();
  const before: RunningHerald[] = [];
  const after: RunningHerald[] = [];
  const lines: string[] = [];
  try {
    for (let i = 0; i < workers; i++) before.push(await startLogged(where, []));
    const url = before[0]!.url;
    assert.equal((await api(url, 'POST', '/api/v1/app', { name: 'Acme', uid: 'acme' })).status, 201);
    const endpoint = await api(url, 'POST', '/api/v1/app/acme/endpoint', { url: receiver.url('/down') });
    assert.equal(endpoint.status, 201);
    const endpointId = endpoint.json.id as string;
    for (let n = 0; n < MESSAGES; n++) {
      assert.equal((await api(url, 'POST', '/api/v1/app/acme/msg', { eventType: 'order.paid', payload: { n } })).status, 202);
    }
    await until('the circuit to open', async () => (await before[0]!.store.circuits.listCircuits()).length === 1, 15_000);
    for (const herald of before) await herald.stop();
    const sentBefore = receiver.received.length;

    const restartedAt = Date.now();
    for (let i = 0; i < workers; i++) after.push(await startLogged(where, lines));
    // The probe goes at once; the backlog (would it follow) comes right behind it.
    await receiver.waitFor((all) => all.some((r) => r.at >= restartedAt), 10_000, 'the probe after the restart');
    await expectQuietFor(500, 'the backlog following the probe');
    const sentAfterRestart = receiver.received.filter((r) => r.at >= restartedAt).length;

    up = true;
    await until('every message delivered once the endpoint answers', async () => (await after[0]!.store.stats.endpointStats(endpointId, null, null)).success === MESSAGES, 30_000);
    assert.equal((await after[0]!.store.circuits.listCircuits()).length, 0, 'the circuit closed');
    return { endpointId, sentBefore, sentAfterRestart, log: lines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg) };
  } finally {
    for (const herald of [...before, ...after]) await herald.stop();
    await receiver.close();
  }
}

test('SQLite: after a restart an endpoint whose circuit was open is probed once, not flooded, and the log says why', { timeout: 90_000 }, async () => {
  const dataDir = tempDir();
  try {
    const { endpointId, sentBefore, sentAfterRestart, log } = await restartWithOpenCircuit({ HERALD_DATA_DIR: dataDir }, 1);
    assert.ok(sentBefore >= 3 && sentBefore < MESSAGES, `requests before the restart: ${sentBefore}`);
    assert.equal(sentAfterRestart, 1, 'one probe after the restart, and nothing behind it');
    const startup = log.find((msg) => msg.includes(`endpoint ${endpointId} was failing`));
    assert.ok(startup, `the startup log names the failing endpoint:\n${log.join('\n')}`);
    assert.match(startup, /\d+ failed attempts in a row since .*: probing it with one delivery before sending the rest/);
    assert.ok(!log.some((msg) => msg.includes('in flight')), 'parked deliveries are not called "in flight"');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('PostgreSQL, two workers: after both restart the open circuit is probed (once per worker), not flooded', { timeout: 120_000 }, async (t) => {
  const skip = await postgresUnavailable();
  if (skip) return t.skip(skip);
  const schema = uniqueSchema('circuit_restart');
  const dataDir = tempDir();
  try {
    const where = { HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY, HERALD_DATA_DIR: dataDir };
    const { endpointId, sentAfterRestart, log } = await restartWithOpenCircuit(where, 2);
    assert.ok(sentAfterRestart >= 1 && sentAfterRestart <= 2, `requests after the restart: ${sentAfterRestart}`);
    assert.ok(log.some((msg) => msg.includes(`endpoint ${endpointId} was failing`)), log.join('\n'));
  } finally {
    await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
