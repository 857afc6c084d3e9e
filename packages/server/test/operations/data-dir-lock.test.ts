import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, runCli, spawnHerald, tempDir } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';

const TOKEN = 'a-token-of-16-chars-or-more';

/**
 * `herald serve` under a parent that never reaps its children (a shell that became `sleep`): once killed, the server
 * stays a zombie, as it does until a supervisor gets round to wait(). Resolves with the server's pid once it listens.
 */
async function serveUnderNonReapingParent(dataDir: string): Promise<{ serverPid: number; stopParent: () => void }> {
  const script = `"${process.execPath}" "${BIN}" serve & echo "server-pid=$!"; exec sleep 120`;
  const parent = spawn('sh', ['-c', script], {
    env: { PATH: process.env['PATH'] ?? '', HERALD_DATA_DIR: dataDir, HERALD_PORT: '0', HERALD_ADMIN_TOKEN: TOKEN, HERALD_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  parent.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  parent.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const stopParent = () => parent.kill('SIGKILL');
  try {
    await until(`the server to start:\n${out}`, () => out.includes('"Herald started"'), 20_000);
  } catch (err) {
    stopParent();
    throw err;
  }
  return { serverPid: Number(/server-pid=(\d+)/.exec(out)![1]), stopParent };
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('a server killed with SIGKILL a moment ago (still a zombie) does not keep the next one out, round after round', async () => {
  const dataDir = tempDir();
  const parents: (() => void)[] = [];
  try {
    for (let round = 0; round < 3; round++) {
      const { serverPid, stopParent } = await serveUnderNonReapingParent(dataDir);
      parents.push(stopParent);
      process.kill(serverPid, 'SIGKILL');
      await until('the killed server to be a zombie', () => isZombie(serverPid), 5_000);
      // Restarted at once, as a supervisor does, while the killed one is not yet reaped.
      const next = await spawnHerald([], { HERALD_DATA_DIR: dataDir, HERALD_PORT: '0', HERALD_ADMIN_TOKEN: TOKEN });
      const res = await fetch(`${next.url}/api/v1/app`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200, `round ${round}: the restarted server serves`);
      // A second live server on the same directory is still refused, naming the directory.
      const second = await runCli(['serve'], { HERALD_DATA_DIR: dataDir, HERALD_PORT: '0', HERALD_ADMIN_TOKEN: TOKEN });
      assert.equal(second.code, 1);
      assert.ok(second.output.includes(`another Herald server (pid ${next.child.pid}) is using ${dataDir}`), second.output);
      next.child.kill('SIGKILL');
      await next.exited;
    }
  } finally {
    for (const stop of parents) stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a pid file naming a live process that is not a Herald server (a reused pid) does not keep a server out', async () => {
  const dataDir = tempDir();
  try {
    writeFileSync(path.join(dataDir, 'herald.pid'), String(process.pid));
    const server = await spawnHerald([], { HERALD_DATA_DIR: dataDir, HERALD_PORT: '0', HERALD_ADMIN_TOKEN: TOKEN });
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
