/**
 * What an operator sees from `herald serve`, `herald migrate` and `herald prune`: readable logs at a terminal (JSON
 * otherwise), a last line on shutdown, a port in use as a configuration error (exit 2), how many migrations ran, and
 * a progress line printed once.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { ADMIN_TOKEN, BIN, runCli, spawnHerald, tempDir } from '../helpers/herald.ts';

test('herald migrate says how many migrations it applied to an empty database, then that there were none', async () => {
  const dataDir = tempDir('herald-migrate-');
  try {
    const first = await runCli(['migrate', '--data-dir', dataDir]);
    assert.equal(first.code, 0, first.output);
    assert.match(first.stdout, /^herald: applied \d+ migrations to the sqlite schema; it is up to date\n$/);
    assert.notEqual(Number(/applied (\d+)/.exec(first.stdout)![1]), 0);
    const again = await runCli(['migrate', '--data-dir', dataDir]);
    assert.equal(again.stdout, 'herald: sqlite schema is up to date (no migrations to apply)\n');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('herald prune prints its progress line once when not on a terminal', async () => {
  const dataDir = tempDir('herald-prune-once-');
  try {
    assert.equal((await runCli(['migrate', '--data-dir', dataDir])).code, 0);
    const pruned = await runCli(['prune', '--older-than', '1d', '--data-dir', dataDir]);
    assert.equal(pruned.code, 0, pruned.output);
    const progress = pruned.output.split('\n').filter((line) => line.startsWith('pruning ['));
    assert.deepEqual(progress, ['pruning [========================================] 0/0 messages'], pruned.output);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a port already in use is exit 2 with a message naming the address and how to choose another', async () => {
  const taken = createServer();
  const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
  const dataDir = tempDir('herald-port-');
  try {
    // A first start (no HERALD_ADMIN_TOKEN): the admin token it generates cannot be shown before it fails.
    const run = await runCli(['serve'], { HERALD_PORT: String(port), HERALD_DATA_DIR: dataDir, HERALD_LOG_LEVEL: 'warn' });
    assert.equal(run.code, 2, run.output);
    assert.match(run.output, new RegExp(`herald: cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use .*--port or HERALD_PORT`));
    assert.ok(!run.output.includes('generated an admin token'), run.output);
    // So the next start, on a free port, generates one and shows it, rather than keeping a token nobody saw.
    const herald = await spawnHerald([], { HERALD_PORT: '0', HERALD_DATA_DIR: dataDir });
    herald.child.kill('SIGTERM');
    await herald.exited;
    assert.match(herald.output(), /Herald generated an admin token/);
  } finally {
    taken.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('shutdown ends with a log line saying Herald stopped', async () => {
  const dataDir = tempDir('herald-stop-');
  try {
    const herald = await spawnHerald([], { HERALD_PORT: '0', HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN });
    herald.child.kill('SIGTERM');
    assert.equal(await herald.exited, 0);
    const last = JSON.parse(herald.output().trim().split('\n').at(-1)!);
    assert.equal(last.msg, 'Herald stopped');
    assert.equal(typeof last.durationMs, 'number');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

// `script` (util-linux) gives the server a terminal, as a person starting it has.
const noScript = spawnSync('script', ['--version']).error !== undefined ? 'needs the script command for a terminal' : false;

test('at a terminal the logs are readable lines, not JSON, around the first start\'s token banner', { skip: noScript }, async () => {
  const dataDir = tempDir('herald-tty-');
  try {
    const command = `${process.execPath} ${BIN} serve`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { PATH: process.env['PATH'] ?? '', HERALD_PORT: '0', HERALD_DATA_DIR: dataDir, HERALD_LOG_LEVEL: 'info', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const deadline = Date.now() + 20_000;
    while (!out.includes('Dashboard:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Ctrl-C at the terminal: the server stops and says so.
    child.stdin.write('\u0003');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    child.kill('SIGKILL');
    const text = out.replace(/\r/g, '');
    assert.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Herald started \{.*"url":"http:\/\/127\.0\.0\.1:\d+"/m, text);
    assert.match(text, /Herald generated an admin token/);
    assert.ok(!text.includes('{"level"'), `no JSON log lines at a terminal:\n${text}`);
    assert.match(text, /INFO: Herald stopped/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
