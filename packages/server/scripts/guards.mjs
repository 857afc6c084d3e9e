#!/usr/bin/env node
/**
 * The checks `npm test` runs before the tests: the server, the dashboard, the wire types and the bench typecheck, none has an import cycle (madge, type
 * imports included: a cycle through types is still two modules that cannot be understood apart), and no source file
 * is over 400 lines. Every check runs, each says what it found, and any failure fails the run.
 *
 *   node scripts/guards.mjs
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const server = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dashboard = path.resolve(server, '../dashboard');
const wire = path.resolve(server, '../wire');
const bench = path.resolve(server, '../../bench');
const tsc = require.resolve('typescript/bin/tsc');
const madge = require.resolve('madge/bin/cli.js');

const checks = [
  { name: 'typecheck: server', args: [tsc, '--noEmit', '-p', server] },
  { name: 'typecheck: dashboard', args: [tsc, '--noEmit', '-p', dashboard] },
  { name: 'typecheck: wire', args: [tsc, '--noEmit', '-p', wire] },
  // The bench uses the server's types (a store filled directly): a server change must not break it unseen.
  { name: 'typecheck: bench', args: [tsc, '--noEmit', '-p', bench] },
  // .madgerc (here) gives the extensions; each package's tsconfig, how its imports resolve.
  { name: 'import cycles: server', args: [madge, '--circular', '--no-spinner', '--ts-config', path.join(server, 'tsconfig.json'), path.join(server, 'src')] },
  { name: 'import cycles: dashboard', args: [madge, '--circular', '--no-spinner', '--ts-config', path.join(dashboard, 'tsconfig.json'), path.join(dashboard, 'src')] },
  { name: 'import cycles: wire', args: [madge, '--circular', '--no-spinner', '--ts-config', path.join(wire, 'tsconfig.json'), path.join(wire, 'src')] },
  { name: 'file size', args: [path.join(server, 'scripts/check-file-size.mjs')] },
];

const failed = [];
for (const check of checks) {
  console.log(`\n== ${check.name}`);
  const result = spawnSync(process.execPath, check.args, { cwd: server, stdio: 'inherit' });
  if (result.status !== 0) failed.push(check.name);
  else if (check.name.startsWith('typecheck')) console.log('no type errors');
}

if (failed.length > 0) {
  console.error(`\nguards FAILED: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nguards passed');
