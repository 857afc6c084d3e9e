/**
 * Saved profiles: `herald login --profile NAME` adds a server without taking over from the current one,
 * `herald profile list|use|current` show and choose, and a refused token says which profile and server it came from.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, runCli, spawnHerald, tempDir, type HeraldProcess } from '../helpers/herald.ts';

let server: HeraldProcess;
let dataDir: string;

before(async () => {
  dataDir = tempDir('herald-cli-profiles-');
  server = await spawnHerald([], { HERALD_DATA_DIR: dataDir, HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_PORT: '0' });
});

after(async () => {
  server.child.kill('SIGKILL');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

test('login --profile saves without changing the current profile (unless there is none); profile list, use and current', async () => {
  const config = tempDir('herald-cli-config-');
  try {
    const env = { XDG_CONFIG_HOME: config };
    const file = path.join(config, 'herald', 'profiles.json');
    const herald = (...args: string[]) => runCli(args, env);
    const saved = () => JSON.parse(readFileSync(file, 'utf8')) as { current: string; profiles: Record<string, unknown> };

    const first = await herald('login', '--url', server.url, '--token', ADMIN_TOKEN, '--profile', 'pg');
    assert.equal(first.code, 0, first.output);
    assert.match(first.stdout, /saved as profile "pg" in .*; it is now the current profile \(there was none\)/);
    assert.equal(saved().current, 'pg');

    const second = await herald('login', '--url', server.url, '--token', ADMIN_TOKEN);
    assert.equal(second.code, 0, second.output);
    assert.match(second.stdout, /saved as profile "default" in .*; the current profile is still "pg".*herald profile use default/);
    assert.equal(saved().current, 'pg', 'a second login does not take over');
    const third = await herald('login', '--url', server.url, '--token', ADMIN_TOKEN, '--profile', 'staging');
    assert.equal(saved().current, 'pg', third.output);

    const list = await herald('profile', 'list');
    assert.equal(list.code, 0, list.output);
    assert.deepEqual(list.stdout.trimEnd().split('\n'), [`* pg       ${server.url}`, `  default  ${server.url}`, `  staging  ${server.url}`]);
    const listJson = await herald('profile', 'list', '--json');
    assert.deepEqual(JSON.parse(listJson.stdout), {
      current: 'pg', profiles: ['pg', 'default', 'staging'].map((name) => ({ name, url: server.url })),
    });
    assert.ok(!listJson.stdout.includes(ADMIN_TOKEN), 'tokens are never printed');
    assert.equal((await herald('profile', 'current')).stdout, `pg  ${server.url}\n`);

    const use = await herald('profile', 'use', 'staging');
    assert.equal(use.code, 0, use.output);
    assert.equal(saved().current, 'staging');
    assert.match((await herald('profile', 'list')).stdout, /^\* staging/m);
    assert.equal((await herald('profile', 'current')).stdout, `staging  ${server.url}\n`);
    const fromEnv = await runCli(['profile', 'current', '--json'], { ...env, HERALD_PROFILE: 'default' });
    assert.deepEqual(JSON.parse(fromEnv.stdout), { name: 'default', url: server.url, from: 'HERALD_PROFILE' });

    const missing = await herald('profile', 'use', 'prod');
    assert.equal(missing.code, 2);
    assert.match(missing.output, /no profile "prod"/);
    assert.equal(saved().current, 'staging', 'nothing changed');

    const logout = await herald('logout');
    assert.equal(logout.code, 0, logout.output);
    assert.match(logout.stdout, /forgot profile "staging"; the current profile is "pg"/, 'another server taking over is said');
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
});

test('a refused token names the profile (or variable) and the server it used', async () => {
  const config = tempDir('herald-cli-config-');
  try {
    const env = { XDG_CONFIG_HOME: config };
    const login = await runCli(['login', '--url', server.url, '--token', ADMIN_TOKEN, '--profile', 'pg'], env);
    assert.equal(login.code, 0, login.output);
    // The token of a saved profile stops working (an admin token replaced on the server, say).
    const file = path.join(config, 'herald', 'profiles.json');
    const profiles = JSON.parse(readFileSync(file, 'utf8'));
    profiles.profiles.pg.token = 'a-token-that-no-longer-works';
    writeFileSync(file, JSON.stringify(profiles));

    const viaProfile = await runCli(['app', 'list'], env);
    assert.equal(viaProfile.code, 4, viaProfile.output);
    assert.equal(viaProfile.output, `herald: Invalid token (server ${server.url}, token from profile "pg")\n`);
    const viaEnv = await runCli(['app', 'list'], { ...env, HERALD_TOKEN: 'wrong' });
    assert.equal(viaEnv.output, `herald: Invalid token (server ${server.url}, token from HERALD_TOKEN)\n`);
    const atLogin = await runCli(['login', '--url', server.url, '--token', 'wrong', '--profile', 'other'], env);
    assert.equal(atLogin.code, 4);
    assert.match(atLogin.output, new RegExp(`Invalid token \\(server ${server.url.replace(/\./g, '\\.')}, token from this login \\(nothing was saved as profile "other"\\)\\)`));
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
});
