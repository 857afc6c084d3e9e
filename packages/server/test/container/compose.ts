/**
 * The compose files as a user has them: copied into a folder of their own beside a herald.env filled in from
 * herald.env.example (the repository's own herald.env, if any, is the user's and stays untouched), and podman-compose
 * run there under a project name of its own, so nothing it makes collides with anything else.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/herald.ts';
import { REPO, command } from './podman.ts';

export const EXAMPLE = readFileSync(path.join(REPO, 'herald.env.example'), 'utf8');

export interface ComposeFolder {
  dir: string;
  envFile: string;
  /** What herald.env says, by setting. */
  values: Record<string, string>;
  /** podman-compose with this project and file, here: its output, which must be a success. */
  compose(project: string, file: string, args: string[], env?: Record<string, string>): Promise<string>;
  /** Removes what podman-compose made for these projects (containers, the named volumes, the network), and the folder. */
  remove(projects: { project: string; volumes: string[] }[]): Promise<void>;
}

export function composeFolder(): ComposeFolder {
  const dir = tempDir('herald-compose-');
  for (const file of ['compose.yaml', 'compose.sqlite.yaml']) copyFileSync(path.join(REPO, file), path.join(dir, file));
  const dbPassword = randomBytes(12).toString('hex');
  const values: Record<string, string> = {
    HERALD_ADMIN_TOKEN: randomBytes(16).toString('hex'),
    HERALD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    POSTGRES_PASSWORD: dbPassword,
    PGPASSWORD: dbPassword,
  };
  const envFile = path.join(dir, 'herald.env');
  writeFileSync(envFile, EXAMPLE.replace(/^([A-Z_]+)=$/gm, (_, name: string) => `${name}=${values[name] ?? ''}`), { mode: 0o600 });
  return {
    dir,
    envFile,
    values,
    async compose(project, file, args, env = {}) {
      const ran = await command('podman-compose', ['-p', project, '-f', file, ...args], 5 * 60_000, dir, env);
      assert.equal(ran.code, 0, `podman-compose ${args.join(' ')}:\n${ran.stderr}${ran.stdout}`);
      return ran.stdout;
    },
    async remove(projects) {
      for (const { project, volumes } of projects) {
        const listed = await command('podman', ['ps', '--all', '--quiet', '--filter', `label=io.podman.compose.project=${project}`]);
        for (const id of listed.stdout.split('\n').filter(Boolean)) await command('podman', ['rm', '--force', '--time', '0', id]);
        for (const volume of volumes) await command('podman', ['volume', 'rm', '--force', `${project}_${volume}`]);
        await command('podman', ['network', 'rm', '--force', `${project}_default`]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
