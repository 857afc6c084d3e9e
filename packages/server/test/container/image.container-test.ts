/**
 * The container image (Containerfile), built and run with podman the way docs/deploy.md tells a self-hoster to, on a
 * stand-in for node:24-bookworm-slim (build-base.sh: no registry is reachable here). It proves the image starts and
 * answers health (its own HEALTHCHECK included), delivers a signed webhook to a receiver on the host, drains on
 * `podman stop` (an attempt in flight finishes and is recorded before Herald exits 0), keeps its data on the /data
 * volume for the next container, runs as `--role api` plus `--role worker` on PostgreSQL after a one-shot `migrate`,
 * and runs from compose.sqlite.yaml (podman-compose, its own network). Each phase is timed. Not part of `npm test`
 * (minutes, and root with podman): `npm run test:container`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { ADMIN_TOKEN, api } from '../helpers/herald.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, postgresUnavailable } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';
import { composeFolder } from './compose.ts';
import {
  BASE_IMAGE, IMAGE, buildImage, command, ensureBase, freePort, imageExists, missingTools, podman, poll, removeAll, runAttached, seconds,
  track, type Running,
} from './podman.ts';

const needsBase = process.env['HERALD_CONTAINER_REBUILD_BASE'] !== undefined || !(await imageExists(BASE_IMAGE));
const skip = await missingTools([
  { name: 'podman', probe: ['--version'] },
  ...(needsBase ? [{ name: 'debootstrap', probe: ['--version'] }] : []),
], 'the container image tests');

/** How long the slow receiver holds a request: long enough to stop Herald while the attempt is in flight. */
const HOLD_MS = 2_000;
const run = randomBytes(4).toString('hex');
const timings: [string, string][] = [];
const startedAt = Date.now();
let built = false;

/** Times a test's body for the summary, and says the figure in the TAP output. */
async function timed(t: TestContext, phase: string, body: () => Promise<string | void>): Promise<void> {
  const started = Date.now();
  const note = await body();
  const took = seconds(started);
  timings.push([phase, note ? `${took} (${note})` : took]);
  t.diagnostic(`${phase}: ${took}${note ? ` (${note})` : ''}`);
}

function needImage(): void {
  if (!built) throw new Error(`${IMAGE} was not built (see the build test)`);
}

/** What every Herald container here is given: loopback only, a known token, and the receiver allowed. */
function heraldEnv(port: number, extra: Record<string, string> = {}): string[] {
  const env = {
    HERALD_HOST: '127.0.0.1', HERALD_PORT: String(port), HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_ALLOW_PRIVATE_TARGETS: 'true', ...extra,
  };
  return Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
}

async function startHerald(name: string, runArgs: string[], imageArgs = ['serve']): Promise<Running & { base: string }> {
  const container = runAttached(`herald-test-${run}-${name}`, runArgs, imageArgs);
  return { ...container, base: await container.url() };
}

/** `podman stop -t 30`, as docs/deploy.md says to stop Herald (SIGTERM; SIGKILL only after 30 s): its exit code. */
async function stop(container: Running): Promise<number | null> {
  await podman(['stop', '--time', '30', container.name], 60_000);
  return container.exited;
}

/** The container's HEALTHCHECK, run now, as podman's timer would: podman says healthy (exit 0) or not. */
async function healthcheck(container: Running): Promise<void> {
  const ran = await command('podman', ['healthcheck', 'run', container.name], 60_000);
  assert.equal(ran.code, 0, `podman healthcheck run ${container.name}: ${ran.stdout}${ran.stderr}`);
  assert.equal(await podman(['inspect', '--format', '{{.State.Health.Status}}', container.name]), 'healthy\n');
}

/** An API call that must succeed: the JSON it answered. */
async function ok(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await api(base, method, path, body);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
  return res.json;
}

/** Sets up an application with an endpoint at the receiver, publishes one message to it: its id. */
async function publish(base: string, app: string, url: string, payload: Record<string, unknown>): Promise<string> {
  await ok(base, 'POST', '/api/v1/app', { name: app, uid: app });
  await ok(base, 'POST', `/api/v1/app/${app}/endpoint`, { url, uid: 'hook' });
  return (await ok(base, 'POST', `/api/v1/app/${app}/msg`, { eventType: 'invoice.paid', payload })).id;
}

/** The webhook the receiver got on `path` carries the payload, signed with the endpoint's secret. */
async function assertSigned(base: string, app: string, receiver: Receiver, path: string, payload: Record<string, unknown>): Promise<string> {
  await receiver.waitFor((received) => received.some((r) => r.path === path), 60_000, `the webhook on ${path}`);
  const [delivered] = receiver.on(path);
  const { key } = await ok(base, 'GET', `/api/v1/app/${app}/endpoint/hook/secret`);
  assert.deepEqual(new Webhook(key).verify(delivered!.body.toString(), delivered!.headers as Record<string, string>), payload);
  return key;
}

describe('the container image', { skip }, () => {
  let receiver: Receiver;
  /** When the slow receiver answered the request it held. */
  let slowAnsweredAt: number | undefined;
  const volume = `herald-test-${run}-data`;
  const database = `herald_container_${run}`;
  let databaseMade = false;
  let signingSecret = '';

  before(async () => {
    receiver = await Receiver.start();
    receiver.responder = (req, res) => {
      if (req.path !== '/slow') return res.writeHead(200).end('ok');
      setTimeout(() => {
        res.writeHead(200).end('ok');
        slowAnsweredAt = Date.now();
      }, HOLD_MS);
    };
  });

  after(async () => {
    await removeAll();
    if (databaseMade) {
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).finally(() => client.end());
    }
    await receiver?.close();
    timings.push(['total', seconds(startedAt)]);
    console.log(`timings:\n${timings.map(([phase, took]) => `  ${phase}: ${took}`).join('\n')}`);
  });

  it('has its base image: Debian bookworm with Node 24 and npm where the official image has them', { timeout: 30 * 60_000 }, async (t) => {
    await timed(t, 'base', async () => {
      const how = await ensureBase();
      const versions = await podman(['run', '--rm', '--network', 'host', BASE_IMAGE, 'sh', '-c',
        'node -v && npm -v && ls /usr/local/include/node/node.h && . /etc/os-release && echo $VERSION_CODENAME']);
      assert.match(versions, /^v24\.\d+\.\d+\n\d+\.\d+\.\d+\n\/usr\/local\/include\/node\/node.h\nbookworm\n$/);
      return how;
    });
  });

  it('builds from the Containerfile with BASE set to it', { timeout: 60 * 60_000 }, async (t) => {
    await timed(t, 'build', async () => {
      await buildImage();
      built = true;
      const size = Number(await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE]));
      return `image ${(size / 1e6).toFixed(0)} MB${process.env['HERALD_CONTAINER_NO_CACHE'] ? ', no layer cache' : ''}`;
    });
  });

  it('runs as uid 10001 without the build toolchain, and declares /data, port 8800, its HEALTHCHECK and herald serve', async (t) => {
    await timed(t, 'image config', async () => {
      needImage();
      const [{ Config: config, Healthcheck: probe }] = JSON.parse(await podman(['image', 'inspect', IMAGE]));
      assert.equal(config.User, 'herald');
      assert.deepEqual(Object.keys(config.Volumes ?? {}), ['/data']);
      assert.deepEqual(Object.keys(config.ExposedPorts ?? {}), ['8800/tcp']);
      assert.deepEqual([config.Entrypoint, config.Cmd, config.StopSignal], [['herald'], ['serve'], 'SIGTERM']);
      assert.equal(probe?.Test?.[0], 'CMD', 'a HEALTHCHECK (built in docker format: the OCI format drops it)');
      assert.match(probe.Test.join(' '), /\/api\/v1\/health/);
      assert.ok(config.Env.includes('HERALD_DATA_DIR=/data') && config.Env.includes('HERALD_HOST=0.0.0.0'), config.Env.join(' '));
      const inside = await podman(['run', '--rm', '--network', 'host', '--entrypoint', 'sh', IMAGE, '-c',
        'id -u; for tool in cc gcc g++ make python3; do command -v $tool || true; done']);
      assert.equal(inside, '10001\n', 'runs as 10001, and no compiler, make or python is left in the image');
    });
  });

  let first: Running & { base: string };
  let slowMessage = '';

  it('starts on a fresh volume and answers health, to the API and to its own HEALTHCHECK', { timeout: 5 * 60_000 }, async (t) => {
    await timed(t, 'start and health', async () => {
      needImage();
      await podman(['volume', 'create', track('volumes', volume)]);
      first = await startHerald('first', ['--volume', `${volume}:/data`, ...heraldEnv(await freePort())]);
      assert.equal((await fetch(`${first.base}/api/v1/health`)).status, 204);
      await healthcheck(first);
    });
  });

  it('delivers a signed webhook to a receiver on the host', { timeout: 2 * 60_000 }, async (t) => {
    await timed(t, 'signed delivery', async () => {
      assert.ok(first, 'the container started');
      await publish(first.base, 'acme', receiver.url('/hook'), { id: 'inv_1' });
      signingSecret = await assertSigned(first.base, 'acme', receiver, '/hook', { id: 'inv_1' });
    });
  });

  it('drains on podman stop: the attempt in flight finishes, then Herald exits 0', { timeout: 2 * 60_000 }, async (t) => {
    await timed(t, 'stop drains', async () => {
      assert.ok(first, 'the container started');
      slowMessage = await publish(first.base, 'slowco', receiver.url('/slow'), { id: 'inv_slow' });
      await receiver.waitFor((received) => received.some((r) => r.path === '/slow'), 60_000, 'the attempt to the slow receiver');
      const stopping = Date.now();
      const code = await stop(first);
      const stopped = Date.now();
      assert.equal(code, 0, `exit code 0 (143 or 137 would be a kill):\n${first.output()}`);
      assert.ok(slowAnsweredAt !== undefined && slowAnsweredAt <= stopped, 'podman stop returned only after the receiver answered');
      assert.match(first.output(), /"signal":"SIGTERM","msg":"shutting down"/);
      assert.match(first.output(), /"msg":"Herald stopped"/);
      return `stop took ${((stopped - stopping) / 1000).toFixed(1)} s with the receiver holding the attempt ${HOLD_MS / 1000} s`;
    });
  });

  it('keeps its data on the volume: a new container has the messages, the attempt recorded, and the same secrets', { timeout: 5 * 60_000 }, async (t) => {
    await timed(t, 'data across containers', async () => {
      assert.ok(slowMessage, 'the slow message was published');
      const second = await startHerald('second', ['--volume', `${volume}:/data`, ...heraldEnv(await freePort())]);
      const attempts = (await ok(second.base, 'GET', `/api/v1/app/slowco/attempt/msg/${slowMessage}`)).data;
      assert.equal(attempts.length, 1, JSON.stringify(attempts));
      assert.deepEqual([attempts[0].status, attempts[0].responseStatusCode], [0, 200], 'the drained attempt was recorded as delivered');
      assert.equal(receiver.on('/slow').length, 1, 'and it is not sent again');
      const messages = (await ok(second.base, 'GET', '/api/v1/app/acme/msg')).data;
      assert.deepEqual(messages.map((m: { payload: unknown }) => m.payload), [{ id: 'inv_1' }]);
      // Readable only with the encryption key Herald created in /data on its first start.
      assert.equal((await ok(second.base, 'GET', '/api/v1/app/acme/endpoint/hook/secret')).key, signingSecret);
      assert.equal(await stop(second), 0);
    });
  });

  it('runs as --role api plus --role worker on PostgreSQL, after a one-shot migrate', { timeout: 5 * 60_000 }, async (t) => {
    const unavailable = await postgresUnavailable();
    if (unavailable) return t.skip(unavailable);
    await timed(t, 'api + worker on PostgreSQL', async () => {
      needImage();
      const admin = new pg.Client({ connectionString: PG_TEST_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${database}"`).finally(() => admin.end());
      databaseMade = true;
      const url = new URL(PG_TEST_URL);
      url.pathname = `/${database}`;
      const shared = { HERALD_DATABASE_URL: url.toString(), HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY };

      const migrate = runAttached(`herald-test-${run}-migrate`, heraldEnv(await freePort(), shared), ['migrate']);
      assert.equal(await migrate.exited, 0, migrate.output());
      assert.match(migrate.output(), /applied \d+ migrations? to the postgres schema/);

      const apiOnly = await startHerald('api', heraldEnv(await freePort(), shared), ['serve', '--role', 'api']);
      const worker = await startHerald('worker', heraldEnv(await freePort(), shared), ['serve', '--role', 'worker']);
      assert.match(apiOnly.output(), /"role":"api","store":"postgres"/);
      assert.match(worker.output(), /"role":"worker","store":"postgres"/);
      await healthcheck(apiOnly);
      await healthcheck(worker);

      // The API process runs no delivery engine: the webhook arriving is the worker's doing.
      await publish(apiOnly.base, 'pgco', receiver.url('/pg'), { id: 'inv_pg' });
      await assertSigned(apiOnly.base, 'pgco', receiver, '/pg', { id: 'inv_pg' });
      assert.deepEqual([await stop(apiOnly), await stop(worker)], [0, 0]);
    });
  });

  it('runs from compose.sqlite.yaml: healthy by the file\'s healthcheck, the env file\'s token, the database on its volume', { timeout: 5 * 60_000 }, async (t) => {
    const noCompose = await missingTools([{ name: 'podman-compose', probe: ['version'] }], 'the compose.sqlite.yaml run');
    if (noCompose) return t.skip(noCompose);
    await timed(t, 'compose.sqlite.yaml up and down', async () => {
      needImage();
      const folder = composeFolder();
      const project = `herald-test-${run}-compose`;
      try {
        const port = await freePort();
        // Its own bridge network, as compose makes one: the published port is the way in.
        await folder.compose(project, 'compose.sqlite.yaml', ['up', '-d'], { HERALD_IMAGE: IMAGE, HERALD_PUBLISH: `127.0.0.1:${port}` });
        const container = `${project}_herald_1`;
        const base = `http://127.0.0.1:${port}`;
        await poll('Herald to answer on the published port', () => fetch(`${base}/api/v1/health`).then((r) => r.status === 204, () => false), 120_000);
        const probe = await command('podman', ['healthcheck', 'run', container], 60_000);
        assert.equal(probe.code, 0, `the compose file's healthcheck: ${probe.stdout}${probe.stderr}`);
        const apps = await fetch(`${base}/api/v1/app`, { headers: { authorization: `Bearer ${folder.values['HERALD_ADMIN_TOKEN']}` } });
        assert.equal(apps.status, 200, 'the admin token is the env file\'s');
        const mounts = await podman(['inspect', '--format', '{{range .Mounts}}{{.Name}}:{{.Destination}} {{end}}', container]);
        assert.equal(mounts.trim(), `${project}_herald-data:/data`);
        assert.match(await podman(['exec', container, 'ls', '/data']), /\.db\n/, 'the database is in /data');
        await folder.compose(project, 'compose.sqlite.yaml', ['down']);
      } finally {
        await folder.remove([{ project, volumes: ['herald-data'] }]);
      }
    });
  });
});
