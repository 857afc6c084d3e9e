/**
 * The CLI's output piped into a reader that stops early (`herald endpoint list | head -1`): the command exits quietly,
 * as ls does, instead of printing an EPIPE stack trace and failing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, BIN, api, spawnHerald, tempDir, type HeraldProcess } from '../helpers/herald.ts';

let server: HeraldProcess;
let dataDir: string;
let env: Record<string, string>;

before(async () => {
  dataDir = tempDir('herald-cli-pipe-');
  server = await spawnHerald([], { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_PORT: '0' });
  env = { HERALD_URL: server.url, HERALD_TOKEN: ADMIN_TOKEN };
  assert.equal((await api(server.url, 'POST', '/api/v1/app', { name: 'Piped', uid: 'piped' })).status, 201);
  for (const n of [1, 2, 3]) assert.equal((await api(server.url, 'POST', '/api/v1/app/piped/endpoint', { url: `https://example.com/${n}` })).status, 201);
});

after(async () => {
  server.child.kill('SIGKILL');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the CLI with its standard output a pipe whose reading end is closed before the command writes anything. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

test('a command whose reader went away exits 0 without a word on stderr', async () => {
  const runs = await Promise.all([
    runWithClosedStdout(['endpoint', 'list', '--app', 'piped']),
    runWithClosedStdout(['endpoint', 'list', '--app', 'piped', '--json']),
    runWithClosedStdout(['app', 'list']),
    runWithClosedStdout(['--help']),
  ]);
  for (const run of runs) assert.deepEqual(run, { code: 0, signal: null, stderr: '' });
});

test('the exit code a command already chose is kept: herald verify of an invalid signature still exits 1', async () => {
  const run = await runWithClosedStdout([
    'verify', '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '--id', 'msg_1', '--timestamp', '1614265330',
    '--signature', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', '--body-file', BIN,
  ]);
  assert.deepEqual(run, { code: 1, signal: null, stderr: '' });
});
