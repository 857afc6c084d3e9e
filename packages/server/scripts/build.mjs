#!/usr/bin/env node
/**
 * The compiled build the published package runs with plain node (`npm run build`; `npm pack` runs it first):
 *
 *   dist/                                  the server and the CLI, compiled by tsc from src/ (tsconfig.build.json)
 *   dist/store/<dialect>/migrations/*.sql  beside the compiled store modules, which read them at run time
 *   dist/dashboard/                        the dashboard as Vite builds it, served at /ui
 *   dist/node_modules/@herald/wire/        the wire package compiled, its exports naming the .js files
 *
 * Wire is a private workspace package that no registry has, so the server lists it as a devDependency (an input of
 * the build) and ships it compiled under dist/node_modules, where Node's usual lookup finds it from every compiled
 * module: the sources keep importing `@herald/wire`, and no specifier is rewritten. (npm's bundleDependencies would
 * ship it too, but npm pack leaves a workspace's hoisted dependencies out of the tarball: npm/cli#3466.) Its typebox
 * import resolves to the server's own typebox, which the build checks is a dependency.
 *
 *   node scripts/build.mjs
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const server = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wire = path.resolve(server, '../wire');
const dashboard = path.resolve(server, '../dashboard');
const dist = path.join(server, 'dist');
const tsc = require.resolve('typescript/bin/tsc');

function run(name, command, args, cwd) {
  console.log(`== ${name}`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`build: ${name} failed`);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Wire's exports with each `./src/x.ts` named by its compiled `./x.js`, as they sit in its dist. */
function compiledExports(exports) {
  return Object.fromEntries(Object.entries(exports).map(([subpath, file]) => {
    const source = /^\.\/src\/(.+)\.ts$/.exec(file);
    if (!source) throw new Error(`build: wire exports ${subpath} as ${JSON.stringify(file)}, not as a ./src/*.ts file`);
    return [subpath, `./${source[1]}.js`];
  }));
}

/** Every module wire imports must resolve from the server's dependencies: nothing installs wire's own. */
function checkWireDependencies(wirePackage, serverPackage) {
  const missing = Object.keys(wirePackage.dependencies ?? {}).filter((name) => !(name in serverPackage.dependencies));
  if (missing.length > 0) throw new Error(`build: wire imports ${missing.join(', ')}, which the server does not depend on`);
}

const wirePackage = readJson(path.join(wire, 'package.json'));
checkWireDependencies(wirePackage, readJson(path.join(server, 'package.json')));

rmSync(dist, { recursive: true, force: true });
rmSync(path.join(wire, 'dist'), { recursive: true, force: true });
run('build: wire', 'npm', ['run', 'build'], wire);
run('build: dashboard', 'npm', ['run', 'build'], dashboard);
run('compile: server', process.execPath, [tsc, '-p', 'tsconfig.build.json'], server);

const wireOut = path.join(dist, 'node_modules/@herald/wire');
cpSync(path.join(wire, 'dist'), wireOut, { recursive: true });
const { name, version, type, sideEffects, license, dependencies } = wirePackage;
const packed = { name, version, private: true, type, sideEffects, license, exports: compiledExports(wirePackage.exports), dependencies };
writeFileSync(path.join(wireOut, 'package.json'), `${JSON.stringify(packed, null, 2)}\n`);

cpSync(path.join(dashboard, 'dist'), path.join(dist, 'dashboard'), { recursive: true });

for (const dialect of readdirSync(path.join(server, 'src/store'))) {
  const migrations = path.join(server, 'src/store', dialect, 'migrations');
  if (existsSync(migrations)) cpSync(migrations, path.join(dist, 'store', dialect, 'migrations'), { recursive: true });
}
console.log(`== built ${dist}`);
