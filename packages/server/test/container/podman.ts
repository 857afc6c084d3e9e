/**
 * Podman as the container tests drive it. This sandbox refuses crun and podman's default ulimits, so every podman
 * (and podman-compose's, which runs podman itself) reads a containers.conf made here: runc, no default ulimits.
 * Containers use the host's network, so Herald and the test's receiver meet on 127.0.0.1.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTools as missingToolsIn, type Tool } from '../helpers/tools.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const BASE_IMAGE = 'localhost/herald-test-base:node24';
export const IMAGE = 'localhost/herald-test:latest';

const confDir = mkdtempSync(path.join(tmpdir(), 'herald-podman-'));
writeFileSync(path.join(confDir, 'containers.conf'), '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n');
export const PODMAN_ENV = { ...process.env, CONTAINERS_CONF: path.join(confDir, 'containers.conf') };
process.on('exit', () => rmSync(confDir, { recursive: true, force: true }));

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; `code` is its exit code (127 when it could not start), never a throw. */
export function command(file: string, args: string[], timeoutMs = 120_000, cwd = REPO, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...PODMAN_ENV, ...env }, cwd, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127;
      resolve({ code, stdout, stderr: err && code === 127 ? `${stderr}${err.message}` : stderr });
    });
  });
}

/** podman with these arguments, which must succeed: its standard output, or an error carrying what it printed. */
export async function podman(args: string[], timeoutMs?: number): Promise<string> {
  const ran = await command('podman', args, timeoutMs);
  if (ran.code !== 0) throw new Error(`podman ${args.join(' ')} exited with ${ran.code}:\n${ran.stderr}${ran.stdout}`);
  return ran.stdout;
}

/** missingTools with podman's containers.conf in the probes' environment, as every podman call here has it. */
export function missingTools(tools: Tool[], what: string): Promise<string | false> {
  return missingToolsIn(tools, what, PODMAN_ENV);
}

export async function imageExists(image: string): Promise<boolean> {
  return (await command('podman', ['image', 'exists', image])).code === 0;
}

/** A port free on 127.0.0.1 now, for a container on the host's network to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls (at most twice a second: each look may start a podman) until the probe gives a value, or fails naming it. */
export async function poll<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A container run attached (`podman run` without -d): its output as it comes, and its exit code when it ends. */
export interface Running {
  name: string;
  child: ChildProcess;
  output: () => string;
  /** The container's exit code, which the attached podman run exits with. */
  exited: Promise<number | null>;
  /** The URL of the "Herald started" log line. */
  url: () => Promise<string>;
}

/** Names of the containers and volumes made, removed by `removeAll` (and left to it when a test fails midway). */
const made = { containers: new Set<string>(), volumes: new Set<string>() };

export function track(kind: 'containers' | 'volumes', name: string): string {
  made[kind].add(name);
  return name;
}

export async function removeAll(): Promise<void> {
  for (const name of made.containers) await command('podman', ['rm', '--force', '--time', '0', name]);
  for (const name of made.volumes) await command('podman', ['volume', 'rm', '--force', name]);
  made.containers.clear();
  made.volumes.clear();
}

export function runAttached(name: string, runArgs: string[], imageArgs: string[]): Running {
  track('containers', name);
  const child = spawn('podman', ['run', '--rm', '--name', name, '--network', 'host', ...runArgs, IMAGE, ...imageArgs], {
    env: PODMAN_ENV, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const url = () => poll(`${name} to log "Herald started"`, async () => {
    const line = out.split('\n').find((l) => l.includes('"Herald started"'));
    if (line) return (JSON.parse(line) as { url: string }).url;
    if (ended) throw new Error(`${name} exited before it started:\n${out}`);
    return undefined;
  }, 120_000);
  return { name, child, output: () => out, exited, url };
}

/**
 * The stand-in for node:24-bookworm-slim (build-base.sh): kept once built, since debootstrap takes a minute or more;
 * HERALD_CONTAINER_REBUILD_BASE=1 builds it again.
 */
export async function ensureBase(): Promise<'cached' | 'built'> {
  if (!process.env['HERALD_CONTAINER_REBUILD_BASE'] && (await imageExists(BASE_IMAGE))) return 'cached';
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build-base.sh');
  const ran = await command(script, [BASE_IMAGE], 30 * 60_000);
  if (ran.code !== 0) throw new Error(`build-base.sh exited with ${ran.code}:\n${ran.stderr}${ran.stdout}`);
  return 'built';
}

/**
 * Builds the image from the repository's Containerfile on the stand-in base, as docs/deploy.md says to (docker
 * format, for the HEALTHCHECK). npm here reaches the registry through a TLS-intercepting proxy: the CA file npm is
 * configured with goes in as the npm_ca build secret, as it would for a user behind one. Podman's layer cache is
 * used unless HERALD_CONTAINER_NO_CACHE=1. The image the tag named before is removed once replaced.
 */
export async function buildImage(): Promise<void> {
  const before = (await command('podman', ['image', 'inspect', '--format', '{{.Id}}', IMAGE])).stdout.trim();
  const args = ['build', '--format', 'docker', '--network', 'host', '--build-arg', `BASE=${BASE_IMAGE}`, '--tag', IMAGE];
  const cafile = (await command('npm', ['config', 'get', 'cafile'])).stdout.trim();
  if (cafile.startsWith('/') && existsSync(cafile)) args.push('--secret', `id=npm_ca,src=${cafile}`);
  if (process.env['HERALD_CONTAINER_NO_CACHE']) args.push('--no-cache');
  await podman([...args, REPO], 60 * 60_000);
  const after = await podman(['image', 'inspect', '--format', '{{.Id}}', IMAGE]);
  if (before && before !== after.trim()) await command('podman', ['rmi', before]);
}

/** Seconds, to one decimal, since `started` (a Date.now()). */
export const seconds = (started: number): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
