/**
 * docs/inbound.md promises that its worked examples work as written. This test reads the doc, takes the `herald` and
 * `curl` lines of every block marked `<!-- example: NAME -->`, fills in the environment variables the doc uses with
 * test values, splits each line into words as a POSIX shell would (and, where `sh` exists, checks that a real shell
 * splits it the same way), and runs it: `herald` lines with the real CLI, `curl` lines as HTTP requests. Then it sends
 * requests exactly as each provider would (signed with the test secrets; the payloads the doc shows) to the ingest
 * URL, and checks with real receivers what each destination got, byte for byte, and what it did not get.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { VERIFICATION_TYPES } from '../../src/inbound/verification-input.ts';
import type { InboundStatus } from '../../src/store/inbound-types.ts';
import { api, deliveriesSettled, runCli, startTestHerald } from '../helpers/herald.ts';
import { startCli, type CliProcess } from '../helpers/cli-process.ts';
import { Receiver, type Received } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const DOC_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/inbound.md');
const DOC = readFileSync(DOC_PATH, 'utf8');
/** Where the doc says Herald is reachable from the internet; the test's server stands in for it. */
const PUBLIC_BASE = 'https://herald.example.com';
/** Where the doc's `listen` forwards to; the test's local receiver stands in for it. */
const LOCAL_DEV = 'http://localhost:3000';

type Herald = Awaited<ReturnType<typeof startTestHerald>>;

// ---------------------------------------------------------------------------------------------------------------
// Reading the doc
// ---------------------------------------------------------------------------------------------------------------

interface Block {
  lang: string;
  text: string;
}

/** Every fenced block preceded by `<!-- KIND: NAME -->`, by name. */
function markedBlocks(kind: 'example' | 'payload' | 'config'): Map<string, Block> {
  const found = new Map<string, Block>();
  const re = new RegExp(`^<!-- ${kind}: ([\\w-]+) -->\\n\`\`\`(\\w+)\\n([\\s\\S]*?)\\n\`\`\`$`, 'gm');
  for (const m of DOC.matchAll(re)) {
    assert.ok(!found.has(m[1]!), `two blocks marked ${kind}: ${m[1]}`);
    found.set(m[1]!, { lang: m[2]!, text: m[3]! });
  }
  return found;
}

const EXAMPLES = markedBlocks('example');
const PAYLOADS = markedBlocks('payload');
const CONFIGS = markedBlocks('config');

function example(name: string): Block {
  const block = EXAMPLES.get(name);
  assert.ok(block, `docs/inbound.md has no block marked <!-- example: ${name} -->`);
  assert.equal(block.lang, 'sh', `example ${name} is a sh block`);
  return block;
}

function payload(name: string): string {
  const block = PAYLOADS.get(name);
  assert.ok(block, `docs/inbound.md has no block marked <!-- payload: ${name} -->`);
  assert.equal(block.lang, 'json');
  JSON.parse(block.text);
  return block.text;
}

/** The rows of the markdown table right after a marker, as lists of cells. */
function tableAfter(marker: string): string[][] {
  const at = DOC.indexOf(`<!-- ${marker} -->`);
  assert.ok(at >= 0, `<!-- ${marker} --> not found in docs/inbound.md`);
  const lines = DOC.slice(at).split('\n').slice(1);
  const rows: string[][] = [];
  for (const line of lines) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  }
  return rows.slice(2); // the header and the |---| line
}

/** The commands of a sh block: continuation lines joined, blank and comment-only lines dropped. */
function commandLines(block: Block): string[] {
  const lines = block.text.replace(/\\\n/g, ' ').split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  for (const line of lines) assert.match(line, /^(herald|curl) /, `an example runs herald and curl only, so that all of it is tested: ${line}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// A small shell: words as a POSIX shell makes them, with the doc's variables
// ---------------------------------------------------------------------------------------------------------------

const VARIABLE = /^(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/;

/**
 * Splits a command line into words the way sh does for the constructs the doc uses: single quotes (literal),
 * double quotes (with \" \\ \$ escapes and $VAR expansion), backslash escapes, $VAR and ${VAR}, and # comments.
 * Anything else a shell would treat specially (pipes, redirections, command substitution) is refused, so an example
 * never depends on more than this.
 */
function shellWords(line: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const expand = (rest: string, quoted: boolean): [string, number] => {
    const m = VARIABLE.exec(rest);
    assert.ok(m, `a lone $ in: ${line}`);
    const name = (m[1] ?? m[2])!;
    const value = env[name];
    assert.ok(value !== undefined, `the doc uses $${name}, which the test gives no value: ${line}`);
    if (!quoted) assert.doesNotMatch(value, /\s/, `unquoted $${name} would be split by the shell`);
    return [value, m[0].length];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      assert.ok(end > i, `unterminated ' in: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      for (i++; ; i++) {
        assert.ok(i < line.length, `unterminated " in: ${line}`);
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && '$`"\\'.includes(line[i + 1] ?? '')) word += line[++i];
        else if (d === '$') {
          const [value, length] = expand(line.slice(i + 1), true);
          word += value;
          i += length;
        } else {
          assert.notEqual(d, '`', `command substitution in: ${line}`);
          word += d;
        }
      }
    } else if (c === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (c === '$') {
      assert.notEqual(line[i + 1], '(', `command substitution in: ${line}`);
      const [value, length] = expand(line.slice(i + 1), false);
      word += value;
      i += length;
      inWord = true;
    } else {
      assert.ok(!'|&;<>()`'.includes(c), `"${c}" is more shell than the examples may use: ${line}`);
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The words a real sh makes of the line (its first word replaced by printf), or null without sh. */
function shWords(line: string, env: Record<string, string>): string[] | null {
  const rest = line.replace(/^\S+/, '');
  const out = spawnSync('sh', ['-c', `printf '%s\\0'${rest}`], { env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8' });
  if (out.error) return null;
  assert.equal(out.status, 0, `sh could not run: ${line}\n${out.stderr}`);
  return out.stdout.split('\0').slice(0, -1);
}

interface Ran {
  line: string;
  code: number | null;
  output: string;
  stdout: string;
  /** curl lines: the HTTP status. */
  status?: number;
}

/**
 * One line of an example: `herald …` with the real CLI (HERALD_URL and HERALD_TOKEN name the server, as the doc
 * says), `curl …` as the HTTP request it makes (-s, -X, -H and -d, which is all the doc uses).
 */
async function runLine(line: string, env: Record<string, string>): Promise<Ran> {
  const words = shellWords(line, env);
  const viaSh = shWords(line, env);
  if (viaSh) assert.deepEqual(words.slice(1), viaSh, `a real shell splits this line differently: ${line}`);
  const cliEnv = { HERALD_URL: env['HERALD_URL']!, HERALD_TOKEN: env['HERALD_TOKEN']! };
  if (words[0] === 'herald') return { line, ...(await runCli(words.slice(1), cliEnv)) };
  let method = 'GET';
  let url = '';
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-s') continue;
    else if (w === '-X') method = words[++i]!;
    else if (w === '-H') {
      const h = words[++i]!;
      headers[h.slice(0, h.indexOf(':'))] = h.slice(h.indexOf(':') + 1).trim();
    } else if (w === '-d') {
      body = words[++i]!;
      if (method === 'GET') method = 'POST';
    } else if (!w.startsWith('-') && url === '') url = w;
    else assert.fail(`curl option the test does not know: ${w} in ${line}`);
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  return { line, code: 0, output: text, stdout: text, status: res.status };
}

async function runExample(name: string, env: Record<string, string>): Promise<Ran[]> {
  const ran: Ran[] = [];
  for (const line of commandLines(example(name))) {
    const r = await runLine(line, env);
    ran.push(r);
    if (r.code !== 0 || (r.status !== undefined && (r.status < 200 || r.status > 299))) break;
  }
  return ran;
}

function assertRan(name: string, ran: Ran[] | Error | undefined): Ran[] {
  assert.ok(ran, `example ${name} did not run`);
  if (ran instanceof Error) throw ran;
  const expected = commandLines(example(name)).length;
  for (const r of ran) {
    assert.equal(r.code, 0, `${r.line}\n${r.output}`);
    if (r.status !== undefined) assert.ok(r.status >= 200 && r.status < 300, `${r.line}\n${r.status} ${r.output}`);
  }
  assert.equal(ran.length, expected, `example ${name} stopped early`);
  return ran;
}

// ---------------------------------------------------------------------------------------------------------------
// Providers, as they send
// ---------------------------------------------------------------------------------------------------------------

const whsec = () => `whsec_${randomBytes(32).toString('base64')}`;
const hex = (n: number) => randomBytes(n).toString('hex');
const stripe = new Stripe('sk_test_unused');
const nowS = () => Math.floor(Date.now() / 1000);

const SECRETS = {
  GITHUB_WEBHOOK_SECRET: hex(20),
  STRIPE_WEBHOOK_SECRET: `whsec_${hex(16)}`,
  SHOPIFY_WEBHOOK_SECRET: `shpss_${hex(16)}`,
  SLACK_SIGNING_SECRET: hex(16),
  CLERK_WEBHOOK_SECRET: whsec(),
  CARRIER_WEBHOOK_SECRET: hex(24),
  ALERTMANAGER_TOKEN: hex(32),
  ALERTMANAGER_PASSWORD: hex(16),
  GITLAB_WEBHOOK_SECRET: hex(20),
  GRAFANA_HMAC_SECRET: hex(24),
  ONCALL_API_TOKEN: `oncall_${hex(12)}`,
  DEPLOY_WEBHOOK_SECRET: whsec(),
  FULFILMENT_WEBHOOK_SECRET: whsec(),
};

const hmacHex = (algorithm: string, key: string, body: string) => createHmac(algorithm, key).update(body).digest('hex');

function githubHeaders(event: string, body: string, delivery = randomUUID(), secret = SECRETS.GITHUB_WEBHOOK_SECRET) {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/044aadd',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-github-hook-id': '292430182',
    'x-github-hook-installation-target-id': '79929171',
    'x-github-hook-installation-target-type': 'repository',
    'x-hub-signature': `sha1=${hmacHex('sha1', secret, body)}`,
    'x-hub-signature-256': `sha256=${hmacHex('sha256', secret, body)}`,
  };
}

function stripeHeaders(body: string, timestamp = nowS()) {
  return {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRETS.STRIPE_WEBHOOK_SECRET, timestamp }),
  };
}

/** Stripe sends its events pretty-printed. */
function stripeEvent(type: string, id = `evt_${hex(12)}`, object: object = { id: `in_${hex(12)}`, object: 'invoice', amount_paid: 4200, currency: 'usd', status: 'paid' }) {
  return JSON.stringify({
    id, object: 'event', api_version: '2024-06-20', created: nowS(), data: { object }, livemode: false, pending_webhooks: 1,
    request: { id: null, idempotency_key: null }, type,
  }, null, 2);
}

function shopifyHeaders(topic: string, body: string, secret = SECRETS.SHOPIFY_WEBHOOK_SECRET) {
  return {
    'content-type': 'application/json',
    'user-agent': 'Shopify-Captain-Hook',
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    'x-shopify-shop-domain': 'acme.myshopify.com',
    'x-shopify-api-version': '2025-01',
    'x-shopify-webhook-id': randomUUID(),
    'x-shopify-event-id': randomUUID(),
    'x-shopify-triggered-at': new Date().toISOString(),
  };
}

function slackHeaders(body: string, timestamp = nowS(), extra: Record<string, string> = {}) {
  return {
    'content-type': 'application/json',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${hmacHex('sha256', SECRETS.SLACK_SIGNING_SECRET, `v0:${timestamp}:${body}`)}`,
    ...extra,
  };
}

function slackEvent(type: string, text: string, eventId = `Ev${hex(5).toUpperCase()}`) {
  return JSON.stringify({
    token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', team_id: 'T0001', api_app_id: 'A0001',
    event: { type, user: 'U0001', text, ts: '1515449522.000016', channel: 'C0001', event_ts: '1515449522.000016' },
    type: 'event_callback', event_id: eventId, event_time: 1515449522, authorizations: [{ team_id: 'T0001', user_id: 'U0002', is_bot: true }],
  });
}

function svixHeaders(body: string, id = `msg_${hex(12)}`) {
  const now = new Date();
  return {
    'content-type': 'application/json',
    'user-agent': 'Svix-Webhooks/1.62.0',
    'svix-id': id,
    'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
    'svix-signature': new SvixWebhook(SECRETS.CLERK_WEBHOOK_SECRET).sign(id, now, body),
  };
}

const clerkEvent = (type: string, userId = `user_${hex(10)}`) =>
  JSON.stringify({ data: { id: userId, first_name: 'Ada', email_addresses: [{ email_address: 'ada@example.com' }] }, object: 'event', type, timestamp: Date.now(), instance_id: 'ins_123' });

function carrierHeaders(event: string, body: string, secret = SECRETS.CARRIER_WEBHOOK_SECRET, delivery = randomUUID()) {
  return { 'content-type': 'application/json', 'x-event-type': event, 'x-delivery-id': delivery, 'x-signature': `sha256=${hmacHex('sha256', secret, body)}` };
}

function alertmanagerHeaders(token = SECRETS.ALERTMANAGER_TOKEN) {
  return { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.27.0', authorization: `Bearer ${token}` };
}

/** Alertmanager writes its payload with Go's json.Encoder: compact, with a newline after it. */
const alertmanagerWire = (value: unknown) => `${JSON.stringify(value)}\n`;

// ---------------------------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------------------------

const ALL_STATUSES = ['received', 'accepted', 'rejected', 'duplicate', 'inspected', 'handshake'] as const satisfies readonly InboundStatus[];
// Compile-time: the list above names every status the store knows.
const everyStatusListed: Exclude<InboundStatus, (typeof ALL_STATUSES)[number]> extends never ? true : never = true;

const SETUP_EXAMPLES = ['github-deploy', 'alertmanager-oncall', 'stripe', 'shopify', 'slack', 'svix', 'generic-hmac'] as const;

describe('docs/inbound.md, run as written', () => {
  let herald: Herald;
  /** A second server, for the examples that create sources of the same uids as the worked examples. */
  let spare: Herald;
  let receiver: Receiver;
  let local: Receiver;
  let env: Record<string, string>;
  let spareEnv: Record<string, string>;
  const setup = new Map<string, Ran[] | Error>();
  /** What must never reach a destination: checked in each test and once more at the end. */
  const forbidden: { path: string; body: string; why: string }[] = [];
  const processes: CliProcess[] = [];

  const post = async (ingestPath: string, body: string, headers: Record<string, string>) => {
    const res = await fetch(herald.url + ingestPath, { method: 'POST', headers, body });
    return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
  };
  const bodiesAt = (p: string) => receiver.on(p).map((r) => r.body.toString('utf8'));
  const forbid = (p: string, body: string, why: string) => forbidden.push({ path: p, body, why });
  /** At the given destinations (all when none is given), so that one failing example does not fail the others. */
  const checkForbidden = (...paths: string[]) => {
    for (const f of forbidden) {
      if (paths.length === 0 || paths.includes(f.path)) assert.ok(!bodiesAt(f.path).includes(f.body), `${f.path} received what it must not: ${f.why}`);
    }
  };
  const waitAt = (p: string, body: string, count = 1) =>
    receiver.waitFor(() => bodiesAt(p).filter((b) => b === body).length >= count, 10_000, `${count} × ${body.slice(0, 60)}… at ${p}`);
  const one = (p: string, body: string): Received => {
    const got = receiver.on(p).filter((r) => r.body.toString('utf8') === body);
    assert.equal(got.length, 1, `${p} received it once`);
    return got[0]!;
  };
  const requests = async (source: string, query = '') =>
    (await api(herald.url, 'GET', `/api/v1/source/${source}/request?limit=250${query}`)).json.data as {
      id: string; status: string; reason: string | null; body: string; providerId: string | null; eventType: string | null; messageId: string | null;
      headers: Record<string, string>; query: string;
    }[];
  const storedFor = async (source: string, body: string) => {
    const found = (await requests(source)).filter((r) => r.body === body);
    assert.ok(found.length > 0, `a stored request of ${source} with that body`);
    return found;
  };

  before(async () => {
    receiver = await Receiver.start();
    local = await Receiver.start();
    [herald, spare] = await Promise.all([startTestHerald({ HERALD_RETRY_SCHEDULE: '1,1,1' }), startTestHerald()]);
    const urls = {
      DEPLOY_URL: '/deploy', AUDIT_URL: '/audit', ONCALL_URL: '/oncall', TIMELINE_URL: '/timeline', BILLING_URL: '/billing',
      FULFILMENT_URL: '/fulfilment', CHATOPS_URL: '/chatops', USERS_URL: '/users', SHIPMENTS_URL: '/shipments',
    };
    env = {
      ...SECRETS,
      ...Object.fromEntries(Object.entries(urls).map(([name, p]) => [name, receiver.url(p)])),
      HERALD_URL: herald.url,
      HERALD_TOKEN: herald.token,
    };
    spareEnv = { ...env, HERALD_URL: spare.url, HERALD_TOKEN: spare.token };
    // The examples are independent of each other (one source each): set them up side by side.
    await Promise.all([
      ...SETUP_EXAMPLES.map(async (name) => setup.set(name, await runExample(name, env).catch((err: Error) => err))),
      (async () => setup.set('create', await runExample('create', spareEnv).catch((err: Error) => err)))(),
    ]);
  });

  after(async () => {
    for (const p of processes) await p.stop('SIGKILL');
    await Promise.all([herald?.cleanup(), spare?.cleanup(), receiver?.close(), local?.close()]);
  });

  it('the doc is well formed: every sh block that runs something is a marked example, every JSON block parses', () => {
    assert.ok(everyStatusListed);
    const unmarked = [...DOC.matchAll(/(?:^(<!-- [^\n]* -->)\n)?^```sh\n([\s\S]*?)\n```$/gm)].filter(
      (m) => /^(herald|curl) /m.test(m[2]!) && !m[1]?.startsWith('<!-- example: '),
    );
    assert.deepEqual(unmarked.map((m) => m[2]), [], 'a sh block with commands but no <!-- example: … --> marker is not tested');
    for (const m of DOC.matchAll(/^```json\n([\s\S]*?)\n```$/gm)) JSON.parse(m[1]!);
    for (const name of ['github-push', 'alertmanager-firing', 'slack-url-verification']) payload(name);
    // Every status a stored request can have is explained.
    assert.deepEqual(tableAfter('statuses').map((row) => row[0]), ALL_STATUSES.map((s) => `\`${s}\``));
  });

  it('the create section: a source, a destination, and the secret never shown again', async () => {
    const ran = assertRan('create', setup.get('create'));
    assert.match(ran[0]!.output, /providers send to \/in\/github/);
    const get = ran.find((r) => r.line.startsWith('herald source get'))!;
    assert.match(get.output, /\[redacted\]/);
    assert.ok(!ran.some((r) => r.output.includes(SECRETS.GITHUB_WEBHOOK_SECRET)), 'the secret is never printed');
    const endpoint = await api(spare.url, 'GET', '/api/v1/app/source-github/endpoint');
    assert.deepEqual(endpoint.json.data.map((e: { eventTypes: string[] }) => e.eventTypes), [['push']]);
  });

  it('every verification example in the table is accepted, and every scheme has one', async () => {
    const rows = tableAfter('verification-examples');
    const types = new Set<string>();
    let hmacForms = 0;
    for (const [label, cell] of rows) {
      const json = /^`(.*)`$/.exec(cell ?? '')?.[1];
      assert.ok(json, `row ${label}: the JSON in backticks`);
      const verification = JSON.parse(json.replace(/\$([A-Z_]+)/g, (_, name: string) => {
        assert.ok(env[name], `the table uses $${name}, which the test gives no value`);
        return env[name]!;
      })) as { type: string };
      const res = await api(spare.url, 'POST', '/api/v1/source', { name: `table: ${label}`, verification });
      assert.equal(res.status, 201, `${label}: ${res.text}`);
      types.add(verification.type);
      if (verification.type === 'hmac') hmacForms++;
    }
    assert.deepEqual([...types].sort(), [...VERIFICATION_TYPES].sort(), 'one example per scheme');
    assert.equal(hmacForms, 2, 'both forms of hmac');
  });

  it('GitHub push → deploy: only pushes to main reach the deploy service, re-signed; everything reaches the audit log', async () => {
    const ran = assertRan('github-deploy', setup.get('github-deploy'));
    assert.match(ran[0]!.output, /providers send to \/in\/github/);

    // GitHub's ping when the webhook is added: answered with the default response, stored as a handshake.
    const ping = JSON.stringify({ zen: 'Design for failure.', hook_id: 292430182, hook: { type: 'Repository', events: ['push'] } });
    const pinged = await post('/in/github', ping, githubHeaders('ping', ping));
    assert.deepEqual([pinged.status, pinged.text], [200, '']);
    forbid('/deploy', ping, 'ping');
    forbid('/audit', ping, 'ping');

    // The "Responses" section's PATCH, as written, changes what GitHub is answered from now on.
    const response = assertRan('response', [await runLine(commandLines(example('response'))[0]!, env)]);
    assert.deepEqual(JSON.parse(response[0]!.output).response, { status: 202, body: '{"ok":true}', contentType: 'application/json' });

    const main = payload('github-push');
    const push = JSON.parse(main) as { ref: string; after: string; head_commit: { id: string } };
    const feature = JSON.stringify({ ...push, ref: 'refs/heads/feature/rounding' });
    const pullRequest = JSON.stringify({ action: 'opened', number: 7, pull_request: { base: { ref: 'main' }, head: { ref: 'feature/rounding' } }, repository: { full_name: 'acme/api' } });
    for (const [event, body] of [['push', feature], ['pull_request', pullRequest]] as const) {
      const res = await post('/in/github', body, githubHeaders(event, body));
      assert.equal(res.status, 202);
      assert.equal(res.text, '{"ok":true}');
      assert.match(res.contentType ?? '', /application\/json/);
      forbid('/deploy', body, `${event} that is not a push to main`);
    }
    // Forged: signed with another secret. 401, and it goes nowhere.
    const forged = JSON.stringify({ ...push, after: 'f0f0f0f0' });
    const refused = await post('/in/github', forged, githubHeaders('push', forged, randomUUID(), 'not the secret at all'));
    assert.equal(refused.status, 401);
    assert.deepEqual(JSON.parse(refused.text), { code: 'verification_failed', detail: 'The request could not be verified' });
    forbid('/deploy', forged, 'forged');
    forbid('/audit', forged, 'forged');

    // The push to main, as the doc shows it.
    const delivery = randomUUID();
    const headers = githubHeaders('push', main, delivery);
    assert.equal((await post('/in/github', main, headers)).status, 202);
    await waitAt('/deploy', main);
    await receiver.waitFor(() => [feature, pullRequest, main].every((b) => bodiesAt('/audit').includes(b)), 10_000, 'the audit log');
    const got = one('/deploy', main);
    assert.equal(got.headers['x-github-event'], 'push');
    assert.equal(got.headers['x-github-delivery'], delivery);
    assert.equal(got.headers['x-hub-signature-256'], headers['x-hub-signature-256'], "GitHub's signature still verifies");
    assert.equal(`sha256=${hmacHex('sha256', SECRETS.GITHUB_WEBHOOK_SECRET, got.body.toString())}`, got.headers['x-hub-signature-256']);
    assert.equal(got.headers['user-agent'], 'GitHub-Hookshot/044aadd');
    assert.equal(got.headers['authorization'], undefined);
    const verified = new StandardWebhook(SECRETS.DEPLOY_WEBHOOK_SECRET).verify(got.body.toString(), got.headers as Record<string, string>) as typeof push;
    assert.equal(verified.after, push.head_commit.id, 'the deploy service reads the commit from a request it verified with its own secret');
    assert.match(String(got.headers['webhook-id']), /^msg_/);

    // "Redeliver" in GitHub: same X-GitHub-Delivery, answered, stored as a duplicate, not forwarded again.
    assert.equal((await post('/in/github', main, githubHeaders('push', main, delivery))).status, 202);
    const next = JSON.stringify({ ...push, before: push.after, after: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0' });
    assert.equal((await post('/in/github', next, githubHeaders('push', next))).status, 202);
    await waitAt('/deploy', next);
    assert.equal(bodiesAt('/deploy').filter((b) => b === main).length, 1, 'the redelivery was not forwarded');
    checkForbidden('/deploy', '/audit');

    const stored = await requests('github');
    const count = (status: string) => stored.filter((r) => r.status === status).length;
    assert.deepEqual(ALL_STATUSES.map(count), [0, 4, 1, 1, 0, 1], 'received, accepted, rejected, duplicate, inspected, handshake');
    const duplicate = stored.find((r) => r.status === 'duplicate')!;
    assert.match(duplicate.reason!, /^duplicate of inreq_/);
    assert.equal(duplicate.providerId, delivery);
    assert.match(stored.find((r) => r.status === 'rejected')!.reason!, /signature mismatch \(X-Hub-Signature-256\)/);
    assert.deepEqual(stored.find((r) => r.body === pullRequest)!.eventType, 'pull_request');
  });

  it('replay: one request, then a range; they go through the filters again, and a rejected request never goes', async () => {
    const accepted = await storedFor('github', payload('github-push')).then((all) => all.find((r) => r.status === 'accepted')!);
    const acceptedNow = (await requests('github', '&status=accepted')).map((r) => r.body);
    const toDeploy = acceptedNow.filter((b) => (JSON.parse(b) as { ref?: string }).ref === 'refs/heads/main');
    const deployBefore = receiver.on('/deploy').length;
    const auditBefore = receiver.on('/audit').length;
    const ran = assertRan('replay', await runExample('replay', { ...env, REQUEST_ID: accepted.id }));
    assert.ok(ran[0]!.output.includes(accepted.id), 'requests --status accepted lists it');
    assert.match(ran[1]!.output, new RegExp(`replayed ${accepted.id} as msg_`));
    assert.match(ran[2]!.output, new RegExp(`replayed ${acceptedNow.length} requests`));
    await receiver.waitFor(() => receiver.on('/deploy').length >= deployBefore + 1 + toDeploy.length && receiver.on('/audit').length >= auditBefore + 1 + acceptedNow.length);
    await deliveriesSettled(herald);
    assert.equal(receiver.on('/deploy').length, deployBefore + 1 + toDeploy.length, 'the deploy filter held for the replays');
    assert.equal(receiver.on('/audit').length, auditBefore + 1 + acceptedNow.length);
    const replayed = receiver.on('/deploy').slice(deployBefore);
    assert.ok(replayed.every((r) => r.headers['webhook-id'] !== undefined && r.headers['x-github-event'] === 'push'));
    checkForbidden('/deploy', '/audit');

    for (const status of ['rejected', 'handshake']) {
      const [request] = await requests('github', `&status=${status}`);
      const refused = await runLine(`herald source replay github ${request!.id}`, env);
      assert.equal(refused.code, 6, `a ${status} request: ${refused.output}`);
      assert.match(refused.output, /never forwarded/);
    }
  });

  it('tail --source and listen --source: attempts live, and the provider request on localhost as it came', async () => {
    const [tailLine, listenLine] = commandLines(example('tail-listen'));
    const words = (line: string) => shellWords(line.replace(LOCAL_DEV, local.url('').replace(/\/$/, '')), env);
    const cliEnv = { HERALD_URL: herald.url, HERALD_TOKEN: herald.token };
    const tail = startCli(words(tailLine!).slice(1), cliEnv);
    processes.push(tail);
    await tail.waitFor('stderr', /watching attempts of app_/);
    const listen = startCli(words(listenLine!).slice(1), cliEnv);
    processes.push(listen);
    await listen.waitFor('stderr', /ready: forwarding webhooks of app_/);

    const body = JSON.stringify({ ...(JSON.parse(payload('github-push')) as object), after: 'cafe'.repeat(10) });
    const headers = githubHeaders('push', body);
    assert.equal((await post('/in/github', body, headers)).status, 202);
    await local.waitFor((all) => all.some((r) => r.body.toString() === body), 10_000, 'the push on localhost');
    const got = local.received.find((r) => r.body.toString() === body)!;
    assert.equal(got.path, '/webhooks/github');
    assert.equal(got.headers['x-hub-signature-256'], `sha256=${hmacHex('sha256', SECRETS.GITHUB_WEBHOOK_SECRET, got.body.toString())}`, 'verifiable with the real secret');
    await waitAt('/deploy', body);
    await tail.waitFor('stdout', /push\s+(deploy|audit|listen-\S+)\s+✔ 200/); // every endpoint here has a uid: tail shows it
    await listen.waitFor('stdout', /push\s+msg_\w+\s+#1\s+-> 200/);

    assert.equal(await listen.stop(), 0);
    await tail.stop();
    const remove = /herald (endpoint delete listen-\S+ --app app_\w+)/.exec(listen.stderr().replace(/\x1b\[[0-9;]*m/g, ''));
    assert.ok(remove, `listen prints how to delete its endpoint:\n${listen.stderr()}`);
    const deleted = await runCli(remove[1]!.split(' '), cliEnv);
    assert.equal(deleted.code, 0, deleted.output);
  });

  it('Alertmanager → on-call: a bearer-token source; only firing critical alerts page, the timeline gets everything', async () => {
    assertRan('alertmanager-oncall', setup.get('alertmanager-oncall'));
    const source = (await api(herald.url, 'GET', '/api/v1/source/alertmanager')).json;

    // alertmanager.yml: sends to this source, with the bearer token from a file, resolved notifications included.
    const config = CONFIGS.get('alertmanager');
    assert.ok(config && config.lang === 'yaml');
    assert.match(config.text, new RegExp(`^\\s+- url: ${PUBLIC_BASE.replace(/\./g, '\\.')}${source.ingestPath}$`, 'm'));
    assert.match(config.text, /^\s+send_resolved: true$/m);
    assert.match(config.text, /^( +)http_config:\n\1 +authorization:\n\1 +( +)type: Bearer\n\1 +\2credentials_file: \S+$/m);
    assert.match(config.text, /^receivers:\n {2}- name: herald\n {4}webhook_configs:$/m);
    assert.match(config.text, /^ {2}receiver: herald$/m);

    const firing = JSON.parse(payload('alertmanager-firing')) as {
      status: string; groupKey: string; commonLabels: Record<string, string>; alerts: { status: string; endsAt: string; labels: Record<string, string> }[];
    };
    assert.equal(firing.status, 'firing');
    assert.equal(firing.commonLabels['severity'], 'critical');
    assert.ok(Array.isArray(firing.alerts) && firing.alerts.length > 0 && typeof firing.groupKey === 'string');
    const critical = alertmanagerWire(firing);
    const resolved = alertmanagerWire({ ...firing, status: 'resolved', alerts: firing.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: '2026-03-02T09:41:05.123Z' })) });
    const warningLabels = { ...firing.commonLabels, alertname: 'SlowCheckout', severity: 'warning' };
    const warning = alertmanagerWire({
      ...firing, groupKey: '{}:{alertname="SlowCheckout", service="checkout"}', groupLabels: { alertname: 'SlowCheckout', service: 'checkout' },
      commonLabels: warningLabels, alerts: firing.alerts.map((a) => ({ ...a, labels: { ...a.labels, ...warningLabels } })),
    });

    for (const [headers, why] of [[alertmanagerHeaders('wrong-token-0123456789abcdef'), 'a wrong token'], [{ 'content-type': 'application/json' }, 'no token']] as const) {
      const body = alertmanagerWire({ ...firing, receiver: `forged: ${why}` });
      assert.equal((await post(source.ingestPath, body, headers)).status, 401, why);
      forbid('/oncall', body, why);
      forbid('/timeline', body, why);
    }
    for (const body of [resolved, warning]) {
      assert.equal((await post(source.ingestPath, body, alertmanagerHeaders())).status, 200);
      forbid('/oncall', body, 'a resolved or warning notification');
    }
    assert.equal((await post(source.ingestPath, critical, alertmanagerHeaders())).status, 200);
    await waitAt('/oncall', critical);
    await receiver.waitFor(() => [resolved, warning, critical].every((b) => bodiesAt('/timeline').includes(b)), 10_000, 'the timeline');
    checkForbidden('/oncall', '/timeline');

    const paged = one('/oncall', critical);
    assert.equal(paged.headers['authorization'], `Bearer ${SECRETS.ONCALL_API_TOKEN}`, "the on-call service gets its own credentials, not Alertmanager's");
    assert.equal(paged.headers['user-agent'], 'Alertmanager/0.27.0');
    assert.equal(one('/timeline', critical).headers['authorization'], undefined, "Alertmanager's credential for Herald is not passed on");
    const [stored] = await storedFor('alertmanager', critical);
    assert.equal(stored!.eventType, null, 'Alertmanager names no event type');
    const message = await api(herald.url, 'GET', `/api/v1/app/source-alertmanager/msg/${stored!.messageId}`);
    assert.equal(message.json.eventType, 'inbound', 'so the message forwarding it has the event type inbound');
    assert.equal(stored!.providerId, null, 'no delivery id: no de-duplication');
  });

  it('Stripe: verified with the whsec_ secret, only subscribed event types reach billing, retries are duplicates', async () => {
    assertRan('stripe', setup.get('stripe'));
    assert.equal((await api(herald.url, 'GET', '/api/v1/source/stripe')).json.dedupeWindow, 259200);
    const charge = stripeEvent('charge.succeeded', undefined, { id: `ch_${hex(12)}`, object: 'charge', amount: 4200 });
    assert.equal((await post('/in/stripe', charge, stripeHeaders(charge))).status, 200);
    forbid('/billing', charge, 'an event type billing does not take');

    const eventId = `evt_${hex(12)}`;
    const paid = stripeEvent('invoice.paid', eventId);
    assert.equal((await post('/in/stripe', paid, stripeHeaders(paid))).status, 200);
    await waitAt('/billing', paid);
    const got = one('/billing', paid);
    const event = stripe.webhooks.constructEvent(got.body, String(got.headers['stripe-signature']), SECRETS.STRIPE_WEBHOOK_SECRET);
    assert.equal(event.id, eventId, 'billing can keep verifying with the Stripe library');
    assert.equal(event.type, 'invoice.paid');

    // Stripe's retry: the same event, signed again later.
    assert.equal((await post('/in/stripe', paid, stripeHeaders(paid, nowS() + 1))).status, 200);
    const stale = stripeEvent('invoice.paid');
    assert.equal((await post('/in/stripe', stale, stripeHeaders(stale, nowS() - 600))).status, 401, 'outside the 300 s tolerance');
    forbid('/billing', stale, 'a stale signature');
    const deleted = stripeEvent('customer.subscription.deleted', undefined, { id: `sub_${hex(12)}`, object: 'subscription', status: 'canceled' });
    assert.equal((await post('/in/stripe', deleted, stripeHeaders(deleted))).status, 200);
    await waitAt('/billing', deleted);
    assert.equal(bodiesAt('/billing').filter((b) => b === paid).length, 1, 'the retry was not forwarded');
    checkForbidden('/billing');
    const stored = await storedFor('stripe', paid);
    assert.deepEqual(stored.map((r) => r.status).sort(), ['accepted', 'duplicate']);
    assert.ok(stored.every((r) => r.providerId === eventId && r.eventType === 'invoice.paid'));
    assert.match((await storedFor('stripe', stale))[0]!.reason!, /^timestamp is \d+ s old \(tolerance 300 s\)$/);
  });

  it("Shopify: the topic becomes the event type, and fulfilment verifies Herald's signature with its own secret", async () => {
    assertRan('shopify', setup.get('shopify'));
    const product = '{"id":788032119674292922,"title":"Example T-Shirt","updated_at":"2026-03-02T10:12:44-05:00"}';
    assert.equal((await post('/in/shopify', product, shopifyHeaders('products/update', product))).status, 200);
    forbid('/fulfilment', product, 'a topic fulfilment does not take');
    const order = '{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508","email":"jon@example.com","total_price":"199.65","currency":"USD","financial_status":"paid"}';
    const headers = shopifyHeaders('orders/create', order);
    assert.equal((await post('/in/shopify', order, headers)).status, 200);
    const tampered = order.replace('199.65', '1.00');
    assert.equal((await post('/in/shopify', tampered, headers)).status, 401);
    forbid('/fulfilment', tampered, 'a tampered body');
    await waitAt('/fulfilment', order);
    const got = one('/fulfilment', order);
    assert.ok(got.body.toString().includes('820982911946154508'), 'the 64-bit id arrives unrounded');
    assert.equal(got.headers['x-shopify-topic'], 'orders/create');
    assert.equal(got.headers['x-shopify-hmac-sha256'], headers['x-shopify-hmac-sha256']);
    new StandardWebhook(SECRETS.FULFILMENT_WEBHOOK_SECRET).verify(got.body.toString(), got.headers as Record<string, string>);
    const [stored] = await storedFor('shopify', order);
    assert.deepEqual([stored!.status, stored!.eventType, stored!.providerId], ['accepted', 'orders.create', headers['x-shopify-webhook-id']]);
    checkForbidden('/fulfilment');
  });

  it("Slack: url_verification is answered with the challenge; app_mention reaches the bot once, whatever Slack's retries", async () => {
    assertRan('slack', setup.get('slack'));
    const challenge = payload('slack-url-verification');
    const answered = await post('/in/slack', challenge, slackHeaders(challenge));
    assert.equal(answered.status, 200);
    assert.match(answered.contentType ?? '', /application\/json/);
    assert.deepEqual(JSON.parse(answered.text), { challenge: (JSON.parse(challenge) as { challenge: string }).challenge });
    forbid('/chatops', challenge, 'the url_verification');
    assert.equal((await storedFor('slack', challenge))[0]!.status, 'handshake');
    // With a wrong secret Slack would show the URL as unverified: 401, no challenge.
    const wrong = { ...slackHeaders(challenge), 'x-slack-signature': `v0=${hmacHex('sha256', 'not-the-signing-secret', `v0:${nowS()}:${challenge}`)}` };
    assert.equal((await post('/in/slack', challenge, wrong)).status, 401);

    const message = slackEvent('message', 'lunch?');
    assert.equal((await post('/in/slack', message, slackHeaders(message))).status, 200);
    forbid('/chatops', message, 'an event type the bot does not take');
    const mention = slackEvent('app_mention', '<@U0002> deploy api');
    assert.equal((await post('/in/slack', mention, slackHeaders(mention))).status, 200);
    await waitAt('/chatops', mention);
    assert.equal((await post('/in/slack', mention, slackHeaders(mention, nowS(), { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }))).status, 200);
    const old = slackEvent('app_mention', '<@U0002> replayed');
    assert.equal((await post('/in/slack', old, slackHeaders(old, nowS() - 400))).status, 401);
    forbid('/chatops', old, 'a replayed request');
    const second = slackEvent('app_mention', '<@U0002> status');
    assert.equal((await post('/in/slack', second, slackHeaders(second))).status, 200);
    await waitAt('/chatops', second);
    assert.equal(bodiesAt('/chatops').filter((b) => b === mention).length, 1, "Slack's retry was not forwarded");
    assert.deepEqual((await storedFor('slack', mention)).map((r) => r.status).sort(), ['accepted', 'duplicate']);
    assert.equal((await storedFor('slack', mention))[0]!.eventType, 'app_mention');
    checkForbidden('/chatops');
  });

  it('Standard Webhooks / Svix (Clerk): svix-* headers verified, forwarded unchanged, repeats dropped', async () => {
    assertRan('svix', setup.get('svix'));
    const session = clerkEvent('session.created');
    assert.equal((await post('/in/clerk', session, svixHeaders(session))).status, 200);
    forbid('/users', session, 'an event type the users service does not take');
    const created = clerkEvent('user.created');
    const headers = svixHeaders(created);
    assert.equal((await post('/in/clerk', created, headers)).status, 200);
    await waitAt('/users', created);
    const got = one('/users', created);
    new SvixWebhook(SECRETS.CLERK_WEBHOOK_SECRET).verify(got.body.toString(), got.headers as Record<string, string>);
    assert.equal(got.headers['svix-id'], headers['svix-id']);
    assert.equal((await post('/in/clerk', created, headers)).status, 200);
    const deleted = clerkEvent('user.deleted');
    assert.equal((await post('/in/clerk', deleted, svixHeaders(deleted))).status, 200);
    await waitAt('/users', deleted);
    assert.equal(bodiesAt('/users').filter((b) => b === created).length, 1);
    assert.deepEqual((await storedFor('clerk', created)).map((r) => [r.status, r.providerId, r.eventType]).sort(), [
      ['accepted', headers['svix-id'], 'user.created'], ['duplicate', headers['svix-id'], 'user.created'],
    ]);
    checkForbidden('/users');
  });

  it('a generic HMAC sender: signature, event type and delivery id from the configured headers', async () => {
    assertRan('generic-hmac', setup.get('generic-hmac'));
    const shipment = (status: string) => JSON.stringify({ shipment: `shp_${hex(6)}`, status, at: new Date().toISOString() });
    const transit = shipment('in_transit');
    assert.equal((await post('/in/carrier', transit, carrierHeaders('shipment.in_transit', transit))).status, 200);
    forbid('/shipments', transit, 'an event type the service does not take');
    const delivered = shipment('delivered');
    const headers = carrierHeaders('shipment.delivered', delivered);
    assert.equal((await post('/in/carrier', delivered, headers)).status, 200);
    const sha1Only = shipment('delivered');
    assert.equal((await post('/in/carrier', sha1Only, { ...headers, 'x-signature': `sha1=${hmacHex('sha1', SECRETS.CARRIER_WEBHOOK_SECRET, sha1Only)}` })).status, 401);
    const unsigned = shipment('delivered');
    assert.equal((await post('/in/carrier', unsigned, { 'content-type': 'application/json', 'x-event-type': 'shipment.delivered' })).status, 401);
    forbid('/shipments', sha1Only, 'a weaker signature');
    forbid('/shipments', unsigned, 'an unsigned request');
    const exception = shipment('exception');
    assert.equal((await post('/in/carrier', exception, carrierHeaders('shipment.exception', exception))).status, 200);
    await waitAt('/shipments', delivered);
    await waitAt('/shipments', exception);
    assert.equal(one('/shipments', delivered).headers['x-delivery-id'], headers['x-delivery-id']);
    const [stored] = await storedFor('carrier', delivered);
    assert.deepEqual([stored!.status, stored!.eventType, stored!.providerId], ['accepted', 'shipment.delivered', headers['x-delivery-id']]);
    checkForbidden('/shipments');
  });

  it('inspect mode: captures what a sender sends; then verification is turned on and inspect mode off, as the doc shows', async () => {
    const [create, read] = commandLines(example('inspect'));
    const created = await runLine(create!, env);
    assert.equal(created.code, 0, created.output);
    assert.match(created.output, /providers send to \/in\/carrier-probe/);
    const body = 'shipment=shp_1&status=delivered';
    const signature = `sha256=${hmacHex('sha256', SECRETS.CARRIER_WEBHOOK_SECRET, body)}`;
    const res = await fetch(`${herald.url}/in/carrier-probe?account=42`, {
      method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-signature': signature, 'x-event-type': 'shipment.delivered' }, body,
    });
    assert.equal(res.status, 200, 'answered with the configured response');
    const shown = await runLine(read!, env);
    assert.equal(shown.code, 0, shown.output);
    const captured = (JSON.parse(shown.stdout) as { data: { status: string; method: string; query: string; body: string; headers: Record<string, string> }[] }).data[0]!;
    assert.deepEqual([captured.status, captured.method, captured.query, captured.body], ['inspected', 'PUT', 'account=42', body]);
    assert.equal(captured.headers['x-signature'], signature);
    assert.equal(captured.headers['x-event-type'], 'shipment.delivered');

    assertRan('inspect-done', await runExample('inspect-done', env));
    const source = (await api(herald.url, 'GET', '/api/v1/source/carrier-probe')).json;
    assert.deepEqual([source.inspect, source.verification.type, source.verification.secret], [false, 'hmac', '[redacted]']);
    const json = '{"shipment":"shp_2","status":"delivered"}';
    assert.equal((await post('/in/carrier-probe', json, carrierHeaders('shipment.delivered', json))).status, 200);
    assert.equal((await post('/in/carrier-probe', json, { 'content-type': 'application/json' })).status, 401);
    assert.deepEqual((await storedFor('carrier-probe', json)).map((r) => r.status).sort(), ['accepted', 'rejected']);
  });

  it('nothing reached a destination it must not', async () => {
    await deliveriesSettled(herald);
    checkForbidden();
    const known = new Set(['/deploy', '/audit', '/oncall', '/timeline', '/billing', '/fulfilment', '/chatops', '/users', '/shipments']);
    assert.deepEqual(receiver.received.filter((r) => !known.has(r.path)).map((r) => r.path), []);
  });
});
