import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { runCli, spawnHerald, tempDir, type HeraldProcess } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';



test('defaults', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.port, 8800);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.dataDir, path.resolve('./.herald'));
  assert.equal(c.adminToken, undefined);
  assert.equal(c.allowPrivateTargets, false);
  assert.deepEqual(c.retrySchedule, [5, 300, 1800, 7200, 18000, 36000, 36000]);
  assert.equal(c.requestTimeout, 15);
  assert.equal(c.logLevel, 'info');
  assert.deepEqual(
    [c.perEndpointConcurrency, c.maxHeldDeliveries, c.maxQueuedPerEndpoint, c.claimBatch, c.sharedScanEvery, c.parkedStaleAfter, c.sharedCacheMaxAge],
    [10, 20_000, 2_000, 500, 5, 60, 30],
    'the delivery engine\'s tunables',
  );
  assert.ok(Object.isFrozen(c));
});

test('flags win over env, env over the config file, the file over defaults', () => {
  const dir = tempDir();
  const file = path.join(dir, 'herald.json');
  writeFileSync(file, JSON.stringify({ port: 7000, host: '0.0.0.0', requestTimeout: 9, retrySchedule: [1, 2], logLevel: 'warn' }));
  try {
    const c = loadConfig({ configFile: file, env: { HERALD_PORT: '7100', HERALD_REQUEST_TIMEOUT: '3' }, flags: { port: '7200' } });
    assert.equal(c.port, 7200, 'flag');
    assert.equal(c.requestTimeout, 3, 'env');
    assert.equal(c.host, '0.0.0.0', 'file');
    assert.deepEqual(c.retrySchedule, [1, 2], 'file');
    assert.equal(c.logLevel, 'warn', 'file');
    assert.equal(c.allowPrivateTargets, false, 'default');
    const viaEnv = loadConfig({ env: { HERALD_CONFIG: file } });
    assert.equal(viaEnv.port, 7000, 'HERALD_CONFIG names the file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every setting is validated with a message naming it', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ HERALD_PORT: 'abc' }, /HERALD_PORT must be an integer from 0 to 65535 \(got "abc"\)/],
    [{ HERALD_PORT: '70000' }, /HERALD_PORT/],
    [{ HERALD_ALLOW_PRIVATE_TARGETS: 'maybe' }, /HERALD_ALLOW_PRIVATE_TARGETS must be true or false/],
    [{ HERALD_RETRY_SCHEDULE: '5,,10' }, /HERALD_RETRY_SCHEDULE must be a comma-separated list/],
    [{ HERALD_RETRY_SCHEDULE: '5,-1' }, /HERALD_RETRY_SCHEDULE entries must be seconds/],
    [{ HERALD_REQUEST_TIMEOUT: '0' }, /HERALD_REQUEST_TIMEOUT must be a number of seconds above 0/],
    [{ HERALD_LOG_LEVEL: 'loud' }, /HERALD_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ HERALD_ADMIN_TOKEN: 'short' }, /HERALD_ADMIN_TOKEN must be at least 16 characters/],
    [{ HERALD_ALLOW_PRIVATE_CIDRS: '10.0.0.0/8,10.0.0/33' }, /HERALD_ALLOW_PRIVATE_CIDRS: "10.0.0\/33" is not a CIDR/],
    [{ HERALD_ENDPOINT_HTTPS_ONLY: 'sometimes' }, /HERALD_ENDPOINT_HTTPS_ONLY must be true or false/],
    [{ HERALD_API_RATE_LIMIT: '-5' }, /HERALD_API_RATE_LIMIT must be an integer from 0/],
    [{ HERALD_API_REQUEST_TIMEOUT: '0' }, /HERALD_API_REQUEST_TIMEOUT must be an integer from 1/],
    [{ HERALD_MAX_HEADER_SIZE: '10' }, /HERALD_MAX_HEADER_SIZE must be an integer from 1024/],
    [{ HERALD_TRUST_PROXY: 'proxy.internal' }, /HERALD_TRUST_PROXY: "proxy.internal" is not a CIDR/],
    [{ HERALD_EGRESS_PROXY: 'socks5://p:1080' }, /HERALD_EGRESS_PROXY must start with http:\/\/ or https:\/\//],
    [{ HERALD_PUBLIC_URL: 'not a url' }, /HERALD_PUBLIC_URL must be a URL such as/],
    [{ HERALD_PER_ENDPOINT_CONCURRENCY: '0' }, /HERALD_PER_ENDPOINT_CONCURRENCY must be an integer from 1/],
    [{ HERALD_MAX_HELD_DELIVERIES: '1.5' }, /HERALD_MAX_HELD_DELIVERIES must be an integer from 1/],
    [{ HERALD_MAX_QUEUED_PER_ENDPOINT: 'lots' }, /HERALD_MAX_QUEUED_PER_ENDPOINT must be an integer from 1/],
    [{ HERALD_CLAIM_BATCH: '-1' }, /HERALD_CLAIM_BATCH must be an integer from 1/],
    [{ HERALD_SHARED_SCAN_EVERY: '0' }, /HERALD_SHARED_SCAN_EVERY must be a number of seconds above 0/],
    [{ HERALD_PARKED_STALE_AFTER: 'soon' }, /HERALD_PARKED_STALE_AFTER must be a number of seconds above 0/],
    [{ HERALD_SHARED_CACHE_MAX_AGE: '7200' }, /HERALD_SHARED_CACHE_MAX_AGE must be a number of seconds above 0 and at most 3600/],
  ];
  for (const [text, expected] of [['true', true], ['false', false], ['2', 2], ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1/32']]] as const) {
    assert.deepEqual(loadConfig({ env: { HERALD_TRUST_PROXY: text } }).trustProxy, expected, text);
  }
  assert.deepEqual(loadConfig({ env: { HERALD_ALLOW_PRIVATE_CIDRS: '10.0.0.0/8, 192.168.1.7 ,fd00::/8' } }).allowPrivateCidrs, ['10.0.0.0/8', '192.168.1.7/32', 'fd00::/8']);
  for (const [env, message] of bad) assert.throws(() => loadConfig({ env }), (err: unknown) => err instanceof ConfigError && message.test((err as Error).message), JSON.stringify(env));
  assert.throws(() => loadConfig({ env: {}, flags: { port: '-1' } }), /--port must be an integer/);
  assert.throws(() => loadConfig({ env: { HERALD_DATABASE_URL: 'mysql://x@y/z' } }), /HERALD_DATABASE_URL must start with postgres:\/\//);
  assert.throws(() => loadConfig({ env: { HERALD_DATABASE_SCHEMA: 'Drop Table' } }), /HERALD_DATABASE_SCHEMA must be a lower-case SQL identifier/);
  assert.throws(() => loadConfig({ env: { HERALD_ROLE: 'cook' } }), /HERALD_ROLE must be one of api, worker, all/);
  assert.throws(() => loadConfig({ env: {}, flags: { role: 'worker' } }), /--role worker needs HERALD_DATABASE_URL/);
  const pg = loadConfig({ env: { HERALD_DATABASE_URL: 'postgres://u@h:5432/db', HERALD_ROLE: 'api' } });
  assert.equal(pg.role, 'api');
  assert.equal(pg.databaseSchema, 'herald');
});

test('a config file that is missing, not JSON, or names an unknown setting is refused', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'c.json');
    assert.throws(() => loadConfig({ configFile: path.join(dir, 'nope.json') }), /cannot read config file .*ENOENT/);
    writeFileSync(file, '{ not json');
    assert.throws(() => loadConfig({ configFile: file }), /is not valid JSON/);
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    assert.throws(() => loadConfig({ configFile: file }), /unknown setting "prot"/);
    writeFileSync(file, JSON.stringify({ port: 'x' }));
    assert.throws(() => loadConfig({ configFile: file }), /port in .* must be an integer/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('herald serve exits with code 2 and a clear message on a bad value', async () => {
  const dir = tempDir();
  try {
    const env = { HERALD_DATA_DIR: dir };
    const badEnv = await runCli(['serve'], { ...env, HERALD_REQUEST_TIMEOUT: 'soon' });
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.output, /herald: invalid configuration: HERALD_REQUEST_TIMEOUT must be a number/);
    const badFlag = await runCli(['serve', '--port', 'eighty'], env);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.output, /--port must be an integer/);
    const unknown = await runCli(['serve', '--prot', '1'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.output, /unknown option '--prot'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('first start generates an admin token, prints it once and stores only its hash', async () => {
  const dir = tempDir();
  const running: HeraldProcess[] = [];
  try {
    const env = { HERALD_DATA_DIR: dir, HERALD_PORT: '0' };
    const first = await spawnHerald([], env);
    running.push(first);
    const token = await until('the printed token', () => /herald_admin_[A-Za-z0-9_-]+/.exec(first.output())?.[0], 5_000);
    const ok = await fetch(`${first.url}/api/v1/app`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, 'SIGTERM stops cleanly');

    for (const f of readdirSync(dir)) assert.ok(!readFileSync(path.join(dir, f)).includes(token), `${f} holds the token in clear`);

    const second = await spawnHerald([], env);
    running.push(second);
    const again = await fetch(`${second.url}/api/v1/app`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(again.status, 200, 'the same token still works');
    assert.ok(!/herald_admin_/.test(second.output()), 'not printed again');
  } finally {
    for (const p of running) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second server on the same data directory refuses to start', async () => {
  const dir = tempDir();
  const running: HeraldProcess[] = [];
  try {
    const env = { HERALD_DATA_DIR: dir, HERALD_PORT: '0', HERALD_ADMIN_TOKEN: 'a-token-of-16-chars-or-more' };
    const first = await spawnHerald([], env);
    running.push(first);
    const second = await runCli(['serve'], env);
    assert.equal(second.code, 1);
    assert.match(second.output, new RegExp(`another Herald server \\(pid ${first.child.pid}\\) is using`));
    first.child.kill('SIGKILL');
    await first.exited;
    const third = await spawnHerald([], env);
    running.push(third);
    third.child.kill('SIGTERM');
    assert.equal(await third.exited, 0, 'a lock left by a killed server is taken over');
  } finally {
    for (const p of running) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a PostgreSQL that cannot be reached or refuses the database stops serve and migrate with one line, exit 1, no password', async () => {
  const dataDir = tempDir();
  try {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const refused = await runCli(['serve', '--role', 'api', '--port', '0', '--database-url', 'postgres://herald:s3cret@127.0.0.1:1/test'], { HERALD_DATA_DIR: dataDir, HERALD_WARM_UP: 'false' });
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /^herald: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test: connect ECONNREFUSED 127\.0\.0\.1:1 \(is it running, and is HERALD_DATABASE_URL right\?\)\n$/);
    const missing = await runCli(['migrate', '--database-url', 'postgres://postgres@127.0.0.1:5432/herald_no_such_database'], { HERALD_DATA_DIR: dataDir });
    assert.equal(missing.code, 1, missing.output);
    assert.match(missing.output, /^herald: cannot connect to PostgreSQL at 127\.0\.0\.1:5432\/herald_no_such_database: database "herald_no_such_database" does not exist/);
    for (const { output } of [refused, missing]) {
      assert.doesNotMatch(output, /s3cret|\n\s+at /, 'no password and no stack');
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
