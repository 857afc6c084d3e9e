/**
 * The README is followed top to bottom, in one folder, by a new user. This test does the same: it runs every block
 * marked `<!-- readme-test: NAME -->` in the README's order with bash (and the Svix client block with node), from the
 * repository's root as the README says, against one real server, and checks that every command succeeds, that no
 * example collides with an earlier one, and that the webhooks they send arrive. Two substitutions are made: the
 * server's address (a free port instead of 8800) and `https://example.com/webhooks`, which becomes a local receiver so
 * that no test traffic leaves this machine. Commands that never exit by design (`tail`, `listen`) are left out.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateAsymmetricSecret } from '../../src/delivery/signing.ts';
import { api, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT = path.resolve(SERVER_DIR, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Block {
  name?: string;
  lang: string;
  text: string;
}

/** Every fenced block, in order, with the name of the `<!-- readme-test: NAME -->` marker right above it, if any. */
function blocks(): Block[] {
  const re = /^(?:<!-- readme-test: ([\w-]+) -->\n)?```(\w+)\n([\s\S]*?)\n```$/gm;
  return [...README.matchAll(re)].map((m) => ({ name: m[1], lang: m[2]!, text: m[3]! }));
}

/** A block's commands: continuation lines joined, comment-only lines dropped, trailing comments kept (bash skips them). */
function commands(block: Block): string[] {
  return block.text.replace(/\\\n/g, ' ').split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

/** What a reader has, or is told to get, before any block runs: the blocks run with these alone on the PATH. */
const TOOLS_A_READER_HAS = ['sh', 'env', 'npx', 'npm', 'node', 'curl', 'openssl'];
/** These stream until stopped: the README runs them in a terminal of their own. */
const NEVER_EXITS = /^npx herald (tail|listen)\b/;
const EXAMPLE_URL = 'https://example.com/webhooks';

describe('README', () => {
  it('runs the CLI as `npx herald` in every shell block, as it works in the folder of `npm ci`', () => {
    const bare = blocks().filter((b) => b.lang === 'sh').flatMap(commands).filter((line) => /(^|[;&|(]\s*)herald\s/.test(line));
    assert.deepEqual(bare, [], 'bare `herald` only works after a global install the README never asks for');
  });

  describe('followed top to bottom in one folder', () => {
    let herald: Awaited<ReturnType<typeof startTestHerald>>;
    let receiver: Receiver;
    let home: string;
    const marked = blocks().filter((b) => b.name !== undefined);

    before(async () => {
      receiver = await Receiver.start();
      herald = await startTestHerald();
      home = mkdtempSync(path.join(tmpdir(), 'herald-readme-'));
      // A PATH of the reader's tools alone: a block that needs anything else (jq, say) fails with "command not found".
      mkdirSync(path.join(home, 'bin'));
      for (const tool of TOOLS_A_READER_HAS) symlinkSync(which(tool), path.join(home, 'bin', tool));
    });
    after(async () => {
      await herald.cleanup();
      await receiver.close();
      rmSync(home, { recursive: true, force: true });
    });

    const localise = (text: string) => text.replaceAll('http://127.0.0.1:8800', herald.url).replaceAll(EXAMPLE_URL, receiver.url('/webhooks'));

    it('has the blocks this test follows', () => {
      assert.deepEqual(marked.map((b) => b.name), ['walkthrough', 'walkthrough-send', 'curl', 'svix', 'cli', 'inbound']);
    });

    for (const block of marked) {
      it(`runs the "${block.name}" block`, async () => {
        const env = { PATH: path.join(home, 'bin'), HOME: home, XDG_CONFIG_HOME: home, TOKEN: herald.token };
        if (block.lang === 'js') {
          // Inside packages/server, where `svix` resolves, as it would after the README's `npm install svix`.
          const script = path.join(SERVER_DIR, `.tmp-readme-${process.pid}.mjs`);
          writeFileSync(script, localise(block.text));
          try {
            const run = await runScript(process.execPath, [script], { ...env, HERALD_TOKEN: herald.token }, '');
            assert.equal(run.code, 0, run.output);
          } finally {
            rmSync(script, { force: true });
          }
          return;
        }
        assert.equal(block.lang, 'sh');
        const lines = commands(block).filter((line) => !NEVER_EXITS.test(line));
        // One bash for the whole block, so its variables carry from line to line; a marker after each line splits
        // the output per command. The token on standard input is what a reader pastes at `login`'s prompt.
        const script = ['set -eo pipefail', ...lines.flatMap((line) => [localise(line), 'echo; echo @@@'])].join('\n');
        const run = await runScript(which('bash'), ['-c', script], env, `${herald.token}\n`);
        assert.equal(run.code, 0, `the block failed:\n${run.output}`);
        const outputs = run.stdout.split('@@@\n');
        lines.forEach((line, i) => {
          if (!line.startsWith('curl ')) return;
          const body = JSON.parse(outputs[i]!.trim()) as Record<string, unknown>;
          assert.ok(!('code' in body && 'detail' in body), `${line}\nanswered an error: ${JSON.stringify(body)}`);
        });
      });
    }

    it('made one endpoint per example and delivered each example message', async () => {
      const endpoints = async (app: string) => {
        const res = await api(herald.url, 'GET', `/api/v1/app/${app}/endpoint`);
        assert.equal(res.status, 200, res.text);
        return (res.json.data as { uid: string | null }[]).map((e) => e.uid);
      };
      assert.deepEqual(await endpoints('acme'), ['main']);
      assert.deepEqual(await endpoints('globex'), ['orders']);
      assert.deepEqual(await endpoints('initech'), ['billing']);
      const ids = () => receiver.on('/webhooks').map((r) => (JSON.parse(r.body.toString()) as { id: string }).id).sort();
      await receiver.waitFor(() => ids().length >= 3, 15_000, 'the three example messages');
      assert.deepEqual(ids(), ['inv_1', 'inv_2', 'ord_1']);
    });
  });
});

function runScript(command: string, args: string[], env: Record<string, string>, input: string): Promise<{ code: number | null; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input);
    let output = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), (output += d.toString())));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not finish in 120 s:\n${output}`));
    }, 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout });
    });
  });
}

function which(tool: string): string {
  return tool === 'node' ? process.execPath : execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
}

describe('docs/api.md: the endpoint secrets it says are accepted', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  before(async () => {
    herald = await startTestHerald();
    await api(herald.url, 'POST', '/api/v1/app', { name: 'Secrets', uid: 'secrets' });
  });
  after(() => herald.cleanup());

  const create = (secret: string) => api(herald.url, 'POST', '/api/v1/app/secrets/endpoint', { url: 'https://example.com/hook', secret, disabled: true });
  const b64 = (bytes: number) => Buffer.alloc(bytes, 0xab).toString('base64');

  it('takes the command the doc gives to make one', async () => {
    const doc = readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
    const command = /Make one with `(echo "whsec_\$\(openssl [^`]+\)")`/.exec(doc)?.[1];
    assert.ok(command, 'docs/api.md says how to make a secret');
    const secret = execFileSync(which('sh'), ['-c', command], { encoding: 'utf8' }).trim();
    const res = await create(secret);
    assert.equal(res.status, 201, res.text);
  });

  it('takes whsec_ + base64 of 24 to 64 bytes, with or without the prefix, and a whsk_ key', async () => {
    for (const secret of [`whsec_${b64(24)}`, `whsec_${b64(64)}`, b64(32), generateAsymmetricSecret()]) {
      const res = await create(secret);
      assert.equal(res.status, 201, `${secret}: ${res.text}`);
    }
  });

  it('refuses fewer than 24 or more than 64 bytes', async () => {
    for (const secret of [`whsec_${b64(23)}`, `whsec_${b64(65)}`]) {
      const res = await create(secret);
      assert.equal(res.status, 422, `${secret}: ${res.text}`);
      assert.deepEqual(res.json.detail[0].loc, ['body', 'secret']);
    }
  });
});
