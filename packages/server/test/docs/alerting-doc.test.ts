/**
 * docs/alerting.md promises that its walkthroughs work as written. This test runs the `herald` lines of every block
 * marked `<!-- example: NAME -->` against a fresh Herald, with the doc's variables given test values, the chat tools'
 * hosts pointed at local fakes of DingTalk and Feishu (which check each tool's documented body and signature), and
 * herald.example.com at the test's server. Then it sends the doc's payloads as Alertmanager, Grafana, GitHub and GitLab
 * would, and checks that each chat received, signed, what the doc says it shows, and nothing the filters hold back.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startChatProvider, type FakeChatProvider } from '../helpers/chat-providers.ts';
import { docBlocks } from '../helpers/doc-blocks.ts';
import { api, deliveriesSettled, runCli, startTestHerald } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';

const DOC = docBlocks('alerting.md');
const EXAMPLES = ['alertmanager-dingtalk', 'grafana-dingtalk', 'github-feishu', 'gitlab-feishu'];
const HOSTS = { dingtalk: 'https://oapi.dingtalk.com', feishu: 'https://open.feishu.cn', herald: 'https://herald.example.com' };

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const SECRETS = {
  ALERTMANAGER_TOKEN: hex(32),
  DINGTALK_SECRET: `SEC${hex(32)}`,
  GRAFANA_HMAC_SECRET: hex(24),
  GITHUB_WEBHOOK_SECRET: hex(32),
  FEISHU_SECRET: hex(16),
  GITLAB_WEBHOOK_SECRET: hex(20),
};
const hmac = (key: string, text: string, encoding: 'hex' | 'base64' = 'hex') => createHmac('sha256', key).update(text).digest(encoding);

/** The commands of an example: continuation lines joined, comments dropped; each a `herald` line, so all of it runs. */
function commands(name: string): string[] {
  const lines = DOC.block('example', name).replace(/\\\n/g, ' ').split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  for (const line of lines) assert.match(line, /^herald /, `an example runs herald only: ${line}`);
  return lines;
}

/** Words as sh makes them of what the doc uses: '…', "…" with $VAR inside, and $VAR; anything more is refused. */
function shellWords(line: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | null = null;
  const variable = (at: number): [string, number] => {
    const name = /^[A-Za-z_]\w*/.exec(line.slice(at))?.[0];
    assert.ok(name && env[name] !== undefined, `the doc uses $${name ?? ''}, which the test gives no value: ${line}`);
    return [env[name]!, name.length];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      assert.ok(end > i, `unterminated ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; line[i] !== '"'; i++) {
        assert.ok(i < line.length && !'`\\'.includes(line[i]!), `more shell than the examples may use: ${line}`);
        if (line[i] !== '$') word += line[i];
        else {
          const [value, length] = variable(i + 1);
          word += value;
          i += length;
        }
      }
    } else if (c === '$') {
      const [value, length] = variable(i + 1);
      assert.doesNotMatch(value, /\s/, `an unquoted $ would be split by the shell: ${line}`);
      word = (word ?? '') + value;
      i += length;
    } else {
      assert.ok(!'|&;<>()`\\#'.includes(c), `"${c}" is more shell than the examples may use: ${line}`);
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  // Where a real shell is at hand, it must split the line the same way.
  const sh = spawnSync('sh', ['-c', `printf '%s\\0'${line.replace(/^\S+/, '')}`], { env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8' });
  if (!sh.error) assert.deepEqual(words.slice(1), sh.stdout.split('\0').slice(0, -1), `a real shell splits this differently: ${line}`);
  return words;
}

describe('docs/alerting.md, run as written', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let dingtalk: FakeChatProvider;
  let feishu: FakeChatProvider;
  let env: Record<string, string>;
  /** The doc's hosts as the test's servers. */
  let local: (text: string) => string;

  before(async () => {
    [herald, dingtalk, feishu] = await Promise.all([
      startTestHerald(), startChatProvider('dingtalk', { secret: SECRETS.DINGTALK_SECRET }), startChatProvider('feishu', { secret: SECRETS.FEISHU_SECRET }),
    ]);
    const [dingtalkUrl, feishuUrl] = [new URL(dingtalk.url), new URL(feishu.url)];
    env = {
      ...SECRETS, HERALD_URL: herald.url, HERALD_TOKEN: herald.token,
      DINGTALK_ACCESS_TOKEN: dingtalkUrl.searchParams.get('access_token')!, FEISHU_HOOK_TOKEN: feishuUrl.pathname.split('/').at(-1)!,
    };
    local = (text) => text.replaceAll(HOSTS.dingtalk, dingtalkUrl.origin).replaceAll(HOSTS.feishu, feishuUrl.origin).replaceAll(HOSTS.herald, herald.url);
  });
  after(async () => {
    await Promise.all([herald?.cleanup(), dingtalk?.close(), feishu?.close()]);
  });

  /** Runs an example's lines in order, each with the real CLI; returns what each printed. */
  const runExample = async (name: string) => {
    const outputs: string[] = [];
    for (const line of commands(name)) {
      const [program, ...args] = shellWords(line, env).map(local);
      assert.equal(program, 'herald');
      const ran = await runCli(args, { HERALD_URL: herald.url, HERALD_TOKEN: herald.token });
      assert.equal(ran.code, 0, `${line}\n${ran.output}`);
      outputs.push(ran.output);
    }
    return outputs;
  };
  const post = async (path: string, body: string, headers: Record<string, string>) =>
    (await fetch(herald.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })).status;
  const requests = async (source: string) =>
    ((await api(herald.url, 'GET', `/api/v1/source/${source}/request?limit=50`)).json.data as { body: string; status: string; eventType: string | null; messageId: string | null }[]).reverse();
  /** Waits for the chat tool to have taken the request forwarding this body: its attempt succeeded (signature and body as the tool wants). */
  const deliveredToChat = async (source: string, body: string) => {
    const accepted = (await requests(source)).find((r) => r.body === body && r.status === 'accepted');
    assert.ok(accepted?.messageId, `an accepted request of ${source} with that body`);
    await until(`the chat to take ${accepted.messageId}`, async () => {
      const attempts = (await api(herald.url, 'GET', `/api/v1/app/source-${source}/attempt/msg/${accepted.messageId}`)).json.data as { status: number; response: string }[];
      assert.ok(attempts.every((a) => a.status !== 2), `the chat refused it: ${attempts.map((a) => a.response).join(', ')}`);
      return attempts.some((a) => a.status === 0);
    }, 15_000);
  };
  type DingTalkBody = { msgtype: string; markdown: { title: string; text: string } };
  const dingtalkMessages = () => dingtalk.received.map((r) => ({ url: new URL(r.url, 'http://fake'), body: r.body as DingTalkBody }));

  it('is well formed: every sh block that runs herald is a marked example, every JSON block parses', () => {
    const unmarked = [...DOC.text.matchAll(/(?:^(<!-- [^\n]* -->)\n)?^```sh\n([\s\S]*?)\n```$/gm)].filter((m) => /^herald /m.test(m[2]!) && !m[1]?.startsWith('<!-- example: '));
    assert.deepEqual(unmarked.map((m) => m[2]), [], 'a sh block with commands but no <!-- example: … --> marker is not tested');
    assert.deepEqual([...DOC.text.matchAll(/^<!-- example: ([\w-]+) -->$/gm)].map((m) => m[1]), EXAMPLES);
    for (const m of DOC.text.matchAll(/^```json\n([\s\S]*?)\n```$/gm)) JSON.parse(m[1]!);
  });

  it('Alertmanager → DingTalk: one signed message per group, worded as the doc shows; a replica’s copy and a forgery send nothing', async () => {
    const [created] = await runExample('alertmanager-dingtalk');
    assert.match(created!, /providers send to \/in\/alertmanager/);
    const config = DOC.block('config', 'alertmanager-dingtalk');
    assert.match(config, /^ {12}type: Bearer$/m);
    const ingest = new URL(local(/^ {6}- url: (\S+)$/m.exec(config)![1]!));
    assert.equal(ingest.origin + ingest.pathname, `${herald.url}/in/alertmanager`, "alertmanager.yml's url is the source's ingest URL");

    // Alertmanager writes JSON compactly (Go's encoder), with a newline after it.
    const group = JSON.parse(DOC.block('payload', 'alertmanager-firing')) as { status: string; alerts: { status: string; endsAt: string }[] };
    const firing = `${JSON.stringify(group)}\n`;
    const resolved = `${JSON.stringify({ ...group, status: 'resolved', alerts: group.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: '2026-03-02T09:41:05.123Z' })) })}\n`;
    const headers = (token = SECRETS.ALERTMANAGER_TOKEN) => ({ 'user-agent': 'Alertmanager/0.27.0', authorization: `Bearer ${token}` });
    assert.equal(await post(ingest.pathname, firing, headers()), 200);
    assert.equal(await post(ingest.pathname, firing, headers()), 200, "the other replica's copy of the same notification");
    assert.equal(await post(ingest.pathname, firing, headers(hex(32))), 401);
    await deliveredToChat('alertmanager', firing);

    const [message] = dingtalkMessages();
    assert.deepEqual(message!.body, { msgtype: 'markdown', markdown: { title: '🚨 HighErrorRate is firing', text: DOC.block('dingtalk', 'alertmanager-firing') } });
    const timestamp = message!.url.searchParams.get('timestamp')!;
    assert.equal(message!.url.searchParams.get('sign'), hmac(SECRETS.DINGTALK_SECRET, `${timestamp}\n${SECRETS.DINGTALK_SECRET}`, 'base64'), 'signed as DingTalk documents');

    assert.equal(await post(ingest.pathname, resolved, headers()), 200);
    await deliveredToChat('alertmanager', resolved);
    assert.deepEqual(dingtalkMessages().map((m) => m.body.markdown.title), ['🚨 HighErrorRate is firing', '✅ HighErrorRate is resolved']);
    assert.deepEqual((await requests('alertmanager')).map((r) => [r.status, r.eventType]), [
      ['accepted', 'alertmanager.firing'], ['duplicate', 'alertmanager.firing'], ['rejected', 'alertmanager.firing'], ['accepted', 'alertmanager.resolved'],
    ]);
  });

  it('Grafana → DingTalk: its HMAC signature over timestamp:body is checked, and the group reads the same', async () => {
    await runExample('grafana-dingtalk');
    const group = JSON.parse(DOC.block('payload', 'alertmanager-firing')) as Record<string, unknown>;
    const body = JSON.stringify({
      ...group, version: '1', orgId: 1, externalURL: 'https://grafana.example.com/', state: 'alerting',
      title: '[FIRING:2] HighErrorRate checkout', message: '**Firing**\n\nValue: B=0.07',
    });
    const signed = (at: number, text = body) => ({
      'user-agent': 'Grafana', 'x-grafana-alerting-timestamp': String(at), 'x-grafana-alerting-signature': hmac(SECRETS.GRAFANA_HMAC_SECRET, `${at}:${text}`),
    });
    const now = Math.floor(Date.now() / 1000);
    assert.equal(await post('/in/grafana', body, signed(now - 600)), 401, 'a captured request replayed ten minutes later');
    assert.equal(await post('/in/grafana', body, { 'user-agent': 'Grafana' }), 401, 'unsigned');
    assert.equal(await post('/in/grafana', body, signed(now)), 200);
    await deliveredToChat('grafana', body);
    const fromGrafana = dingtalkMessages().filter((m) => m.body.markdown.text.includes('[Grafana](https://grafana.example.com/)'));
    assert.deepEqual(fromGrafana.map((m) => m.body.markdown.title), ['🚨 HighErrorRate is firing']);
    assert.deepEqual((await requests('grafana')).map((r) => [r.status, r.eventType]), [['rejected', 'grafana.firing'], ['rejected', 'grafana.firing'], ['accepted', 'grafana.firing']]);
  });

  it('GitHub Actions failed → Feishu: the failed run arrives as the doc’s card, signed; successes, runs in progress and check runs do not', async () => {
    const [created] = await runExample('github-feishu');
    assert.match(created!, /providers send to \/in\/github/);
    const failed = DOC.block('payload', 'github-workflow-run-failed');
    const run = JSON.parse(failed) as { action: string; workflow_run: Record<string, unknown>; repository: unknown };
    const variant = (action: string, status: string, conclusion: string | null) => JSON.stringify({ ...run, action, workflow_run: { ...run.workflow_run, status, conclusion } });
    const githubHeaders = (event: string, body: string, secret = SECRETS.GITHUB_WEBHOOK_SECRET) => ({
      'user-agent': 'GitHub-Hookshot/044aadd', 'x-github-event': event, 'x-github-delivery': randomUUID(), 'x-github-hook-id': '292430182',
      'x-hub-signature-256': `sha256=${hmac(secret, body)}`,
    });
    const checkRun = JSON.stringify({ action: 'completed', check_run: { id: 4, name: 'test', status: 'completed', conclusion: 'failure' }, repository: run.repository });
    const heldBack: [string, string][] = [
      ['workflow_run', variant('requested', 'queued', null)], ['workflow_run', variant('in_progress', 'in_progress', null)],
      ['workflow_run', variant('completed', 'completed', 'success')], ['check_run', checkRun],
    ];
    for (const [event, body] of heldBack) assert.equal(await post('/in/github', body, githubHeaders(event, body)), 200);
    assert.equal(await post('/in/github', failed, githubHeaders('workflow_run', failed, hex(32))), 401, 'signed with another secret');
    assert.equal(await post('/in/github', failed, githubHeaders('workflow_run', failed)), 200);
    await deliveredToChat('github', failed);
    await deliveriesSettled(herald);

    assert.equal(feishu.received.length, 1, 'only the failed run reached the group');
    const { timestamp, sign, ...card } = feishu.received[0]!.body as { timestamp: string; sign: string };
    assert.deepEqual(card, JSON.parse(DOC.block('feishu', 'github-workflow-run-failed')));
    assert.equal(sign, createHmac('sha256', `${timestamp}\n${SECRETS.FEISHU_SECRET}`).update('').digest('base64'), 'signed as Feishu documents');
    assert.deepEqual((await requests('github')).map((r) => r.eventType), ['workflow_run', 'workflow_run', 'workflow_run', 'check_run', 'workflow_run', 'workflow_run']);
  });

  it('GitLab → Feishu: a failed pipeline arrives once, other statuses and a wrong token do not', async () => {
    await runExample('gitlab-feishu');
    const pipeline = (status: string) => JSON.stringify({
      object_kind: 'pipeline',
      object_attributes: { id: 1187, iid: 214, ref: 'main', tag: false, sha: '59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5', source: 'push', status, url: 'https://gitlab.example.com/acme/api/-/pipelines/1187' },
      user: { name: 'Mona Lisa', username: 'monalisa' },
      project: { id: 42, path_with_namespace: 'acme/api', web_url: 'https://gitlab.example.com/acme/api' },
      commit: { id: '59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5', title: 'Fix rounding in checkout totals' },
    });
    const gitlabHeaders = (token = SECRETS.GITLAB_WEBHOOK_SECRET) => ({
      'user-agent': 'GitLab/17.6.0', 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-token': token, 'x-gitlab-instance': 'https://gitlab.example.com',
      'x-gitlab-event-uuid': randomUUID(), 'idempotency-key': randomUUID(),
    });
    for (const status of ['pending', 'running']) assert.equal(await post('/in/gitlab', pipeline(status), gitlabHeaders()), 200);
    assert.equal(await post('/in/gitlab', pipeline('failed'), gitlabHeaders(hex(20))), 401);
    assert.equal(await post('/in/gitlab', pipeline('failed'), gitlabHeaders()), 200);
    await deliveredToChat('gitlab', pipeline('failed'));
    await deliveriesSettled(herald);

    const cards = feishu.received.map((r) => (r.body as { card: { header: { title: { content: string } }; elements: { content?: string }[] } }).card);
    const fromGitLab = cards.filter((c) => c.header.title.content.startsWith('acme/api: '));
    assert.deepEqual(fromGitLab.map((c) => c.header.title.content), ['acme/api: pipeline failed on main']);
    assert.equal(fromGitLab[0]!.elements[0]!.content, '**Fix rounding in checkout totals**\n[Open the pipeline](https://gitlab.example.com/acme/api/-/pipelines/1187)');
  });

  it('nothing else reached the chats', async () => {
    await deliveriesSettled(herald);
    assert.equal(dingtalk.received.length, 3, 'DingTalk: the Alertmanager group firing and resolved, and the Grafana group');
    assert.equal(feishu.received.length, 2, 'Feishu: the failed workflow run and the failed pipeline');
  });
});
