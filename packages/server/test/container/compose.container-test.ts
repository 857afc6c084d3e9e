/**
 * compose.yaml and compose.sqlite.yaml, read by Debian's podman-compose (1.0.3) with an env file made from
 * herald.env.example. That version has no `config` command: `--dry-run up` prints the podman commands it would run,
 * which is the resolved file (variables, the shared x-herald block, env file, healthchecks, volumes, ports), though it
 * still creates the project's network and volumes, removed here after. It ignores depends_on conditions and
 * stop_grace_period, so those are checked in the file itself. image.container-test.ts brings compose.sqlite.yaml up
 * on the image it builds; compose.yaml is never brought up here: no PostgreSQL image can be fetched.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { EXAMPLE, composeFolder } from './compose.ts';
import { REPO, command, missingTools, seconds } from './podman.ts';

const skip = await missingTools([
  { name: 'podman', probe: ['--version'] },
  { name: 'podman-compose', probe: ['version'] },
], 'the compose tests');

const run = randomBytes(4).toString('hex');

describe('the compose files', { skip }, () => {
  const postgresProject = `herald-compose-${run}-pg`;
  const sqliteProject = `herald-compose-${run}-sqlite`;
  const folder = skip ? undefined : composeFolder();
  const envFile = folder?.envFile;

  after(() => folder?.remove([{ project: postgresProject, volumes: ['postgres-data'] }, { project: sqliteProject, volumes: ['herald-data'] }]));

  /** The `podman run` line podman-compose would run for each service, by service name, in the order it runs them. */
  async function dryRun(project: string, file: string): Promise<Map<string, string>> {
    const lines = (await folder!.compose(project, file, ['--dry-run', 'up', '-d'])).split('\n').filter((l) => l.startsWith('podman run '));
    return new Map(lines.map((line) => [new RegExp(`--name=${project}_(\\w+)_1 `).exec(line)?.[1] ?? line, line]));
  }

  it('herald.env.example lists each secret the files need, left for the user to fill in; git ignores herald.env', async () => {
    const settings = EXAMPLE.split('\n').filter((line) => /^[A-Z_]+=/.test(line));
    assert.deepEqual(settings, Object.keys(folder!.values).map((name) => `${name}=`));
    assert.equal((await command('git', ['check-ignore', '--quiet', 'herald.env'])).code, 0, 'herald.env is in .gitignore');
  });

  it('compose.yaml resolves to postgres, migrate, then api and worker: the env file, healthchecks and the volume', async (t) => {
    const started = Date.now();
    const services = await dryRun(postgresProject, 'compose.yaml');
    assert.deepEqual([...services.keys()], ['postgres', 'migrate', 'api', 'worker']);
    for (const line of services.values()) assert.ok(line.includes(` --env-file ${envFile} `), line);
    const postgres = services.get('postgres')!;
    assert.ok(postgres.includes(` -v ${postgresProject}_postgres-data:/var/lib/postgresql/data `), postgres);
    assert.match(postgres, /--healthcheck-command .*pg_isready/);
    assert.match(postgres, / docker\.io\/library\/postgres:16-bookworm$/);
    for (const [service, args] of [['migrate', 'migrate'], ['api', 'serve --role api'], ['worker', 'serve --role worker']] as const) {
      const line = services.get(service)!;
      assert.ok(line.endsWith(` localhost/herald:latest ${args}`), line);
      assert.ok(line.includes(' -e HERALD_DATABASE_URL=postgres://herald@postgres:5432/herald '), line);
      if (service !== 'migrate') assert.match(line, /--healthcheck-command .*127\.0\.0\.1:8800\/api\/v1\/health/);
    }
    assert.match(services.get('migrate')!, / --restart no /);
    assert.match(services.get('api')!, / -p 127\.0\.0\.1:8800:8800 /);
    assert.doesNotMatch(services.get('worker')!, / -p /, 'the worker publishes no port');
    t.diagnostic(`compose.yaml dry run: ${seconds(started)}`);
  });

  it('compose.yaml waits for healthy PostgreSQL and for migrate, and gives a stop 30 s (what podman-compose 1.0.3 ignores)', () => {
    const text = readFileSync(path.join(REPO, 'compose.yaml'), 'utf8');
    const service = (name: string) => new RegExp(`\\n  ${name}:\\n((?:    .*\\n|\\n)*)`).exec(text)?.[1] ?? '';
    assert.match(service('migrate'), /depends_on:\n {6}postgres:\n {8}condition: service_healthy\n/);
    for (const name of ['api', 'worker']) {
      assert.match(service(name), /depends_on:\n {6}migrate:\n {8}condition: service_completed_successfully\n/, name);
    }
    assert.match(text, /\nx-herald: &herald\n(?: {2}.*\n)* {2}stop_grace_period: 30s\n/);
  });

  it('compose.sqlite.yaml resolves to one service with SQLite on a named volume, the env file, a healthcheck and 30 s to stop', async () => {
    const services = await dryRun(sqliteProject, 'compose.sqlite.yaml');
    assert.deepEqual([...services.keys()], ['herald']);
    const line = services.get('herald')!;
    assert.ok(line.includes(` --env-file ${envFile} `) && line.includes(` -v ${sqliteProject}_herald-data:/data `), line);
    assert.match(line, /--healthcheck-command .*\/api\/v1\/health/);
    assert.doesNotMatch(line, /HERALD_DATABASE_URL/);
    assert.ok(line.endsWith(' localhost/herald:latest'), line);
    assert.match(readFileSync(path.join(REPO, 'compose.sqlite.yaml'), 'utf8'), /\n {4}stop_grace_period: 30s\n/);
  });
});
