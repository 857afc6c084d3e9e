import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { loadConfig, type HeraldConfig } from '../../src/config/config.ts';
import { startHerald } from '../../src/main.ts';
import { warmUp } from '../../src/warm-up.ts';
import { ADMIN_TOKEN, api, spawnHerald, tempDir } from '../helpers/herald.ts';
import { PG_TEST_URL } from '../helpers/pg.ts';

/**
 * `herald serve` warms its hot paths on a throwaway Herald before it starts: the warm-up delivers its messages, keeps
 * to a temporary SQLite store (nothing reaches the configured one), removes it, and never keeps Herald from starting.
 */

/** A logger whose lines the test reads. */
function capturingLog() {
  const lines: { level: number; msg: string; messages?: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

const warmUpDirs = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('herald-warm-up-')));

test('the warm-up delivers its messages on a temporary SQLite store, then removes it', async () => {
  const dataDir = tempDir();
  const config = loadConfig({ env: { HERALD_DATA_DIR: `${dataDir}/real`, HERALD_DATABASE_URL: PG_TEST_URL, HERALD_PORT: '8123', HERALD_LOG_LEVEL: 'info' } });
  const before = warmUpDirs();
  const { log, lines } = capturingLog();
  let scratch: HeraldConfig | undefined;
  await warmUp(config, (c) => {
    scratch = c;
    return startHerald(c);
  }, log);
  assert.ok(scratch);
  assert.equal(scratch.databaseUrl, undefined, 'never the configured PostgreSQL');
  assert.notEqual(scratch.dataDir, config.dataDir);
  assert.equal(scratch.port, 0);
  assert.equal(scratch.host, '127.0.0.1');
  const done = lines.find((l) => l.msg.startsWith('warmed up'));
  assert.ok(done, JSON.stringify(lines));
  assert.equal(done.messages, 500, 'every warm-up message was delivered');
  assert.equal(existsSync(scratch.dataDir), false, 'the temporary store is removed');
  assert.equal(existsSync(config.dataDir), false, 'the configured data directory is not touched');
  assert.deepEqual(warmUpDirs(), before);
});

test('a warm-up that fails is logged and the start goes on', async () => {
  const config = loadConfig({ env: { HERALD_DATA_DIR: tempDir() } });
  const before = warmUpDirs();
  const { log, lines } = capturingLog();
  await warmUp(config, async () => {
    throw new Error('no room');
  }, log);
  const warned = lines.find((l) => l.level === 40);
  assert.ok(warned?.msg.includes('warm-up failed'), JSON.stringify(lines));
  assert.deepEqual(warmUpDirs(), before, 'nothing left behind');
});

test('herald serve warms up before it says it started, and its own store stays empty', async () => {
  const dataDir = tempDir();
  const herald = await spawnHerald([], { HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_PORT: '0', HERALD_DATA_DIR: dataDir, HERALD_WARM_UP: 'true' }, 60_000);
  try {
    const log = herald.output();
    const warmed = log.indexOf('warmed up');
    assert.ok(warmed >= 0 && warmed < log.indexOf('"Herald started"'), log);
    const apps = await api(herald.url, 'GET', '/api/v1/app');
    assert.equal(apps.status, 200, apps.text);
    assert.deepEqual(apps.json.data, [], 'the warm-up left nothing in the real store');
  } finally {
    herald.child.kill('SIGTERM');
    await herald.exited;
  }
});

test('HERALD_WARM_UP=false starts without the warm-up', async () => {
  const herald = await spawnHerald([], { HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_PORT: '0', HERALD_DATA_DIR: tempDir(), HERALD_WARM_UP: 'false' });
  try {
    const log = herald.output();
    assert.ok(log.includes('"Herald started"'), log);
    assert.ok(!log.includes('warmed up'), log);
  } finally {
    herald.child.kill('SIGTERM');
    await herald.exited;
  }
});

test("the real Herald carries on with the warm-up's delivery threads, under its own targets, not the warm-up's loopback", async () => {
  const { Receiver } = await import('../helpers/receiver.ts');
  const receiver = await Receiver.start();
  receiver.responder = (_req, res) => res.writeHead(204).end();
  // The warm-up sends to loopback; this Herald allows 127.0.0.1 alone.
  const config = loadConfig({
    env: { HERALD_DATA_DIR: tempDir(), HERALD_PORT: '0', HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_DELIVERY_THREADS: '1', HERALD_ALLOW_PRIVATE_CIDRS: '127.0.0.1/32' },
  });
  const { log, lines } = capturingLog();
  const herald = await startHerald(config, log, { warmUp: true });
  try {
    assert.ok(lines.some((l) => l.msg.startsWith('warmed up')), JSON.stringify(lines));
    assert.ok(lines.some((l) => l.msg.startsWith("the warm-up's delivery threads carry on")), JSON.stringify(lines));
    const threads = herald.deliveryThreads!;
    const attempt = { appId: 'app_x', messageId: 'msg_x', endpointId: 'ep_x', eventType: 'x', number: 1 };
    const allowed = await threads.send({ url: receiver.url('/fine'), headers: {}, body: '{}', timeoutMs: 5_000, attempt });
    assert.equal(allowed.statusCode, 204, allowed.body);
    const refused = await threads.send({ url: receiver.url('/fine').replace('127.0.0.1', '127.0.0.2'), headers: {}, body: '{}', timeoutMs: 5_000, attempt });
    assert.equal(refused.statusCode, null);
    assert.match(refused.body, /^refused to deliver to 127\.0\.0\.2.*loopback address/, 'the loopback the warm-up was allowed is refused now');
    assert.equal(receiver.received.length, 1);
  } finally {
    await herald.stop();
    await receiver.close();
  }
});
