import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { docBlocks } from '../helpers/doc-blocks.ts';
import { missingTools } from '../helpers/tools.ts';

const page = docBlocks('deploy.md');
const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const noSystemdAnalyze = await missingTools([{ name: 'systemd-analyze', probe: ['--version'] }], 'the systemd unit check');

test('docs/deploy.md: the systemd unit passes systemd-analyze verify', { skip: noSystemdAnalyze }, () => {
  const unit = page.block('file', 'herald.service');
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-unit-'));
  try {
    writeFileSync(path.join(dir, 'herald.service'), `${unit}\n`);
    const verify = spawnSync('systemd-analyze', ['verify', path.join(dir, 'herald.service')], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    // systemd-analyze only warns about a setting it cannot parse ("ignoring"), so any output is a fault.
    assert.equal(`${verify.stdout}${verify.stderr}`.trim(), '', 'no warnings');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docs/deploy.md: the unit runs the bin an npm install of the package puts there', () => {
  const unit = page.block('file', 'herald.service');
  const pkg = JSON.parse(readFileSync(path.join(serverDir, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
  const execStart = /^ExecStart=\S+ (\S+) serve$/m.exec(unit);
  assert.ok(execStart, 'ExecStart runs node on the bin with serve');
  assert.equal(execStart[1], `/opt/herald/node_modules/${pkg.name}/${pkg.bin['herald']}`);
});

test('docs/deploy.md names only settings Herald, its compose files and its container test have', () => {
  const settings = readFileSync(path.join(serverDir, 'src/config/config.ts'), 'utf8');
  // The compose files' own variables (HERALD_IMAGE, HERALD_PUBLISH) and the container test's switches.
  const elsewhere = ['../../compose.yaml', '../../compose.sqlite.yaml', 'test/container/image.container-test.ts', 'test/container/podman.ts']
    .map((file) => readFileSync(path.join(serverDir, file), 'utf8')).join('\n');
  const named = new Set(page.text.match(/\bHERALD_[A-Z][A-Z_]*[A-Z]\b/g));
  assert.ok(named.size >= 10, 'the page names the settings it relies on');
  for (const name of named) {
    assert.ok(settings.includes(`env: '${name}'`) || new RegExp(`\\b${name}\\b`).test(elsewhere), `${name} is a setting in src/config/config.ts, a compose file or the container test`);
  }
});
