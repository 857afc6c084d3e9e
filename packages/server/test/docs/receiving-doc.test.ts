import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { api, startTestHerald } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';

/**
 * docs/receiving.md promises that its Fastify example works as written: this runs that very code block against a real
 * Herald, and checks that genuine deliveries are accepted, forged or re-serialized ones refused, and resends recognised.
 */

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = path.resolve(SERVER_DIR, '../../docs/receiving.md');
const MARKER = '<!-- receiving-doc-test: fastify -->';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;
type LogLine = { msg?: string; webhookId?: string; [key: string]: unknown };

function fastifySnippet(): string {
  const doc = readFileSync(DOC, 'utf8');
  const at = doc.indexOf(MARKER);
  assert.ok(at >= 0, `${MARKER} not found in docs/receiving.md`);
  const block = /^```js\n([\s\S]*?)\n```$/m.exec(doc.slice(at + MARKER.length));
  assert.ok(block?.[1], 'no ```js block after the marker');
  return block[1];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let herald: Herald;
let dir: string;
let child: ChildProcess | undefined;
let output = '';
const killChild = () => child?.kill('SIGKILL');
process.on('exit', killChild);

const logLines = (): LogLine[] =>
  output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });

before(async () => {
  herald = await startTestHerald();
  // Inside packages/server, so that `fastify` and `standardwebhooks` resolve from the workspace's node_modules.
  dir = mkdtempSync(path.join(SERVER_DIR, '.tmp-receiving-doc-'));
});

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    killChild();
  }
  process.off('exit', killChild);
  rmSync(dir, { recursive: true, force: true });
  await herald.cleanup();
});

test('the Fastify receiver in docs/receiving.md verifies, acknowledges and de-duplicates real deliveries', async () => {
  const file = path.join(dir, 'receiver.mjs');
  writeFileSync(file, fastifySnippet());
  const port = await freePort();

  const app = await api(herald.url, 'POST', '/api/v1/app', { name: 'receiving-doc' });
  assert.equal(app.status, 201, app.text);
  const ep = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: `http://127.0.0.1:${port}/webhooks` });
  assert.equal(ep.status, 201, ep.text);
  const secretRes = await api(herald.url, 'GET', `/api/v1/app/${app.json.id}/endpoint/${ep.json.id}/secret`);
  assert.equal(secretRes.status, 200, secretRes.text);
  const secret = secretRes.json.key as string;
  assert.match(secret, /^whsec_/);

  child = spawn(process.execPath, [file], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', PORT: String(port), WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await until('the snippet to listen', () => {
    assert.equal(child!.exitCode, null, `the snippet exited:\n${output}`);
    return logLines().some((l) => l.msg?.startsWith('Server listening at'));
  }, 15_000);

  // A real delivery from Herald is verified and answered 2xx.
  const payload = { type: 'invoice.paid', data: { id: 'inv_1', amount: 4200, note: 'über ✓' } };
  const msg = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/msg`, { eventType: 'invoice.paid', payload });
  assert.equal(msg.status, 202, msg.text);
  const attemptsPath = `/api/v1/app/${app.json.id}/attempt/msg/${msg.json.id}?order=ascending`;
  const attempts = async () => (await api(herald.url, 'GET', attemptsPath)).json.data as { status: number; responseStatusCode: number; response: string }[];
  const [first] = await until('the first attempt', async () => {
    const list = await attempts();
    return list.length >= 1 && list;
  });
  assert.equal(first!.status, 0, `attempt failed: ${first!.responseStatusCode} ${first!.response}\n${output}`);
  assert.ok(first!.responseStatusCode >= 200 && first!.responseStatusCode < 300, String(first!.responseStatusCode));
  await until('the snippet to process the event', () =>
    logLines().some((l) => l.msg === 'processing webhook' && l.webhookId === msg.json.id && l['type'] === 'invoice.paid'));

  // A forged request, and a genuine signature over a re-serialized body, are both refused with a 4xx.
  const url = `http://127.0.0.1:${port}/webhooks`;
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_2' } });
  const forged = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_forged', 'webhook-timestamp': String(now), 'webhook-signature': `v1,${Buffer.alloc(32, 1).toString('base64')}` },
    body,
  });
  assert.ok(forged.status >= 400 && forged.status < 500, `forged request got ${forged.status}`);
  const signature = new Webhook(secret).sign('msg_reserialized', new Date(now * 1000), body);
  const reserialized = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_reserialized', 'webhook-timestamp': String(now), 'webhook-signature': signature },
    body: JSON.stringify(JSON.parse(body), null, 2),
  });
  assert.ok(reserialized.status >= 400 && reserialized.status < 500, `re-serialized body got ${reserialized.status}`);
  const rejected = await until('the snippet to log both rejections', () => {
    const lines = logLines().filter((l) => l.msg === 'webhook rejected');
    return lines.length === 2 && lines;
  });
  assert.deepEqual(rejected.map((l) => l['reason']), ['No matching signature found', 'No matching signature found']);

  // A resend carries the same webhook-id: acknowledged (so Herald records a success) but recognised as a duplicate.
  const resend = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/msg/${msg.json.id}/endpoint/${ep.json.id}/resend`);
  assert.equal(resend.status, 202, resend.text);
  await until('the snippet to report the duplicate', () =>
    logLines().some((l) => l.msg === 'duplicate webhook, already accepted' && l.webhookId === msg.json.id));
  const both = await until('the second attempt', async () => {
    const list = await attempts();
    return list.length >= 2 && list;
  });
  assert.deepEqual(both.map((a) => a.status), [0, 0]);
  assert.equal(logLines().filter((l) => l.msg === 'processing webhook').length, 1, 'processed once');
});
