/**
 * The published package, as a self-hoster gets it: `npm pack` in packages/server (which runs the build), the tarball
 * installed into an empty folder with npm (its dependencies from the registry, better-sqlite3 built for this Node),
 * and Herald run from there with plain node: `herald serve` delivers a signed webhook through a delivery thread and a
 * transformation, serves the dashboard, and every CLI command group answers. About a minute and a half, most of it
 * npm installing and better-sqlite3 compiling: `npm test` runs it with the rest, `npm run test:package` alone.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { ADMIN_TOKEN, api, tempDir } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/**
 * This environment without what `npm test` adds (npm_*), so the npm commands below run as from a terminal. Kept: a
 * nodedir the caller chose, which is how scripts/test-on-node.sh has better-sqlite3 built for the Node under test.
 */
const plainEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => (!/^npm_/i.test(name) || name === 'npm_config_nodedir') && name !== 'INIT_CWD'));

const root = tempDir('herald-package-');
const folder = path.join(root, 'install');
const bin = path.join(folder, 'node_modules/.bin/herald');
let tarball: string;
let server: ChildProcess;
let serverUrl: string;
let cliEnv: Record<string, string>;
let receiver: Receiver;

async function herald(...args: string[]): Promise<string> {
  const { stdout } = await run(bin, args, { cwd: folder, env: cliEnv });
  return stdout;
}

/** Children still running when the file ends are killed: a failed assertion leaves no server behind. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A command that runs until stopped (serve, tail, listen), with what it has printed so far. */
function start(args: string[], env = cliEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(bin, args, { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function untilPrinted(command: ReturnType<typeof start>, text: string, what: string): Promise<void> {
  await until(what, () => command.output().includes(text), 20_000).catch((err: Error) => {
    throw new Error(`${err.message}; it printed:\n${command.output()}`);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

describe('the published package', () => {
  before(async () => {
    await run('npm', ['pack', '--pack-destination', root], { cwd: SERVER_DIR, env: plainEnv, maxBuffer: 64 * 1024 * 1024 });
    tarball = path.join(root, readdirSync(root).find((f) => f.endsWith('.tgz'))!);
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'package.json'), '{ "private": true }\n');
    await run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: folder, env: plainEnv, maxBuffer: 64 * 1024 * 1024 });
    receiver = await Receiver.start();
  });

  after(async () => {
    if (server) await stop(server);
    await receiver?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('holds the compiled build, its migrations, the dashboard and wire, and no TypeScript', async () => {
    const files = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const file of ['bin/herald.js', 'dist/cli/index.js', 'dist/delivery/transports/http-thread.js', 'dist/transform/sandbox-thread.js',
      'dist/dashboard/index.html', 'dist/node_modules/@herald/wire/package.json', 'dist/node_modules/@herald/wire/index.js']) {
      assert.ok(files.includes(file), `${file} is in the package`);
    }
    for (const dialect of ['sqlite', 'postgres']) {
      const migrations = readdirSync(path.join(SERVER_DIR, 'src/store', dialect, 'migrations'));
      for (const file of migrations) assert.ok(files.includes(`dist/store/${dialect}/migrations/${file}`), `${dialect} migration ${file} is in the package`);
    }
    assert.deepEqual(files.filter((f) => f.endsWith('.ts') || f.startsWith('src/') || f.startsWith('test/')), []);
  });

  it('installs without tsx or the workspace', () => {
    assert.equal(existsSync(path.join(folder, 'node_modules/tsx')), false, 'tsx is a development tool only');
    assert.equal(existsSync(path.join(folder, 'node_modules/@herald/wire')), false, 'wire comes inside the package');
  });

  it('serves, and delivers a published message signed, through a delivery thread and a transformation', async () => {
    const env = {
      ...plainEnv, HERALD_DATA_DIR: path.join(root, 'data'), HERALD_PORT: '0', HERALD_ADMIN_TOKEN: ADMIN_TOKEN,
      HERALD_ALLOW_PRIVATE_TARGETS: 'true', HERALD_DELIVERY_THREADS: '1', HERALD_LOG_LEVEL: 'info',
    };
    const serve = start(['serve'], env);
    server = serve.child;
    serverUrl = await until('herald serve to start', () => {
      assert.equal(server.exitCode, null, `herald serve exited:\n${serve.output()}`);
      const started = serve.output().split('\n').find((line) => line.includes('"Herald started"'));
      return started && (JSON.parse(started) as { url: string }).url;
    }, 60_000);
    cliEnv = { ...plainEnv, HERALD_URL: serverUrl, HERALD_TOKEN: ADMIN_TOKEN, XDG_CONFIG_HOME: path.join(root, 'config') };

    await herald('app', 'create', '--name', 'Acme', '--uid', 'acme');
    await herald('endpoint', 'create', receiver.url('/hook'), '--app', 'acme', '--uid', 'hook');
    const code = 'function handler(webhook) { webhook.payload = { ...webhook.payload, transformed: true }; return webhook; }';
    const patched = await api(serverUrl, 'PATCH', '/api/v1/app/acme/endpoint/hook/transformation', { code, enabled: true });
    assert.equal(patched.status, 204, patched.text);
    await herald('send', '--app', 'acme', '--event-type', 'invoice.paid', '--data', '{"id": "inv_1"}');

    await receiver.waitFor((received) => received.some((r) => r.path === '/hook'), 30_000, 'the webhook');
    const [delivered] = receiver.on('/hook');
    const secret = (await herald('endpoint', 'secret', 'hook', '--app', 'acme')).trim();
    const headers = delivered!.headers as Record<string, string>;
    assert.deepEqual(new Webhook(secret).verify(delivered!.body.toString(), headers), { id: 'inv_1', transformed: true });
    const bodyFile = path.join(root, 'body.json');
    writeFileSync(bodyFile, delivered!.body);
    await herald('verify', '--secret', secret, '--id', headers['webhook-id']!, '--timestamp', headers['webhook-timestamp']!,
      '--signature', headers['webhook-signature']!, '--body-file', bodyFile);
  });

  it('serves the dashboard at /ui', async () => {
    const page = await fetch(`${serverUrl}/ui/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
  });

  it('runs every CLI command group: --help, and a real call against the server', async () => {
    assert.match((await run('npx', ['herald', '--help'], { cwd: folder, env: cliEnv })).stdout, /Usage: herald/);
    for (const group of ['app', 'endpoint', 'destination', 'send', 'poll', 'tail', 'listen', 'verify']) {
      assert.match(await herald(group, '--help'), new RegExp(`Usage: herald ${group}`));
    }
    assert.match(await herald('app', 'list'), /acme/);
    assert.match(await herald('endpoint', 'list', '--app', 'acme'), /hook/);
    await herald('destination', 'create', 'pollingEndpoint', '--app', 'acme', '--uid', 'feed');
    assert.match(await herald('destination', 'list', '--app', 'acme'), /feed/);

    const tail = start(['tail', '--app', 'acme', '--json']);
    const listen = start(['listen', '--app', 'acme', '--name', 'package', '--forward-to', receiver.url('/listened')]);
    try {
      await untilPrinted(listen, 'whsec_', 'herald listen to connect and print its signing secret');
      await herald('send', '--app', 'acme', '--event-type', 'invoice.refunded', '--data', '{"id": "inv_2"}');
      await receiver.waitFor((received) => received.some((r) => r.path === '/listened'), 20_000, 'the webhook forwarded by listen');
      await untilPrinted(tail, 'invoice.refunded', 'herald tail to show the attempt');
    } finally {
      await stop(tail.child);
      await stop(listen.child);
    }
    // A poll returns a message once it has existed for a second (POLL_SETTLE_MS).
    await until('herald poll to read the message', async () => /inv_2/.test(await herald('poll', 'feed', '--app', 'acme')), 10_000);
  });
});
