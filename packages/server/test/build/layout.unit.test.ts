/**
 * The rule that lets one set of modules run both as sources (src/, through tsx) and compiled (dist/, plain node): a
 * module finds what it needs at run time beside itself, in its own layout, told by its own extension.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dashboardDirFrom } from '../../src/api/dashboard.ts';
import { isCompiled } from '../../src/lib/layout.ts';
import { startThreadBeside, threadEntry } from '../../src/lib/thread.ts';

const SERVER = 'file:///opt/herald/packages/server';

describe('the source and compiled layouts', () => {
  it('tells a compiled module by its .js', () => {
    assert.equal(isCompiled(`${SERVER}/dist/lib/thread.js`), true);
    assert.equal(isCompiled(`${SERVER}/src/lib/thread.ts`), false);
  });

  it('starts a thread from the .js beside a compiled caller and the .ts beside a source one', () => {
    assert.equal(threadEntry(`${SERVER}/dist/transform/threaded-sandbox.js`, 'sandbox-thread').href, `${SERVER}/dist/transform/sandbox-thread.js`);
    assert.equal(threadEntry(`${SERVER}/src/transform/threaded-sandbox.ts`, 'sandbox-thread').href, `${SERVER}/src/transform/sandbox-thread.ts`);
  });

  it('finds the dashboard in dist/dashboard when compiled, and in the dashboard package when run from source', () => {
    assert.equal(dashboardDirFrom(`${SERVER}/dist/api/dashboard.js`), fileURLToPath(`${SERVER}/dist/dashboard/`));
    assert.equal(dashboardDirFrom(`${SERVER}/src/api/dashboard.ts`), fileURLToPath('file:///opt/herald/packages/dashboard/dist/'));
  });

  it('starts the compiled thread module beside a compiled caller, from its own file (the package test runs it where tsx is not installed)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-layout-'));
    try {
      writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}');
      writeFileSync(path.join(dir, 'echo-thread.js'), "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage(import.meta.url);\n");
      const thread = startThreadBeside(pathToFileURL(path.join(dir, 'caller.js')).href, 'echo-thread', {});
      const ranFrom = await new Promise((resolve, reject) => thread.once('message', resolve).once('error', reject));
      assert.equal(ranFrom, pathToFileURL(path.join(dir, 'echo-thread.js')).href);
      await thread.terminate();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
