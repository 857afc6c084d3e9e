import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHAT_KINDS, type ChatMessage, type ChatVerdict, jsonBytes, retryAfterHeader, truncate, truncateUtf8, utf8Bytes } from '../../src/chat/kind.ts';
import { chatKind } from '../../src/chat/kinds/index.ts';

/**
 * Each chat kind against its provider's documentation: the body it renders (and cuts to the documented limits), the
 * signature it adds (checked against an independent WebCrypto computation and against vectors computed with the
 * providers' own Python samples), and how it reads every documented answer.
 */

const MESSAGE: ChatMessage = {
  title: 'Invoice paid',
  text: 'Invoice **INV-7** was paid.\nSee [the invoice](https://billing.example/inv/7).',
  fields: [
    { name: 'Amount', value: '€12.00' },
    { name: 'Customer', value: 'ACME' },
  ],
  link: { label: 'Open in Herald', url: 'https://herald.example/app/app_1/msg/msg_1' },
  severity: 'success',
};

const LONG: ChatMessage = {
  ...MESSAGE,
  title: 'Title '.repeat(200),
  text: '长文本'.repeat(20_000),
  fields: Array.from({ length: 60 }, (_, i) => ({ name: `field ${i} `.repeat(40), value: '值'.repeat(3000) })),
};

const NOW = 1_700_000_000_000;
const noHeaders = {};

/** HMAC-SHA256 → base64 by WebCrypto: an implementation independent of the node:crypto one under test. */
async function webCryptoHmac(key: string, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(message));
  return Buffer.from(mac).toString('base64');
}

const obj = (value: unknown): Record<string, unknown> => {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `expected an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
};
const arr = (value: unknown): unknown[] => {
  assert.ok(Array.isArray(value), `expected an array, got ${JSON.stringify(value)}`);
  return value;
};
const str = (value: unknown): string => {
  assert.equal(typeof value, 'string');
  return value as string;
};
const length = (value: unknown) => Array.from(str(value)).length;

function failure(verdict: ChatVerdict): Extract<ChatVerdict, { ok: false }> {
  assert.equal(verdict.ok, false, 'expected a failure');
  return verdict as Extract<ChatVerdict, { ok: false }>;
}
function assertVerdict(verdict: ChatVerdict, expected: { retry: boolean; disable: boolean; retryAfterSeconds?: number; reason?: string | RegExp }) {
  const failed = failure(verdict);
  assert.equal(failed.retry, expected.retry, `retry for ${failed.reason}`);
  assert.equal(failed.disable, expected.disable, `disable for ${failed.reason}`);
  if (expected.retryAfterSeconds !== undefined) assert.equal(failed.retryAfterSeconds, expected.retryAfterSeconds, failed.reason);
  if (typeof expected.reason === 'string') assert.equal(failed.reason, expected.reason);
  else if (expected.reason) assert.match(failed.reason, expected.reason);
}

describe('shared helpers', () => {
  test('truncate counts characters, never splits an emoji, and marks the cut', () => {
    assert.equal(truncate('short', 10), 'short');
    assert.equal(truncate('🚨🚨🚨🚨', 3), '🚨🚨…');
    assert.equal(Array.from(truncate('x'.repeat(50), 10)).length, 10);
  });
  test('truncateUtf8 counts bytes', () => {
    const cut = truncateUtf8('长'.repeat(100), 31);
    assert.ok(utf8Bytes(cut) <= 31);
    assert.ok(cut.endsWith('…'));
    assert.equal(truncateUtf8('abc', 3), 'abc');
  });
  test('Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterHeader({ 'retry-after': '7' }), 7);
    assert.equal(retryAfterHeader({ 'retry-after': new Date(NOW + 30_000).toUTCString() }, NOW), 30);
    assert.equal(retryAfterHeader({}), undefined);
  });
});

describe('registry', () => {
  test('every kind is registered under its name, with its documented rate; only Feishu and DingTalk sign', () => {
    const rates = Object.fromEntries(CHAT_KINDS.map((name) => [name, chatKind(name).ratePerMinute]));
    assert.deepEqual(rates, { slack: 60, teams: 60, discord: 30, feishu: 100, dingtalk: 20, wecom: 20 });
    for (const name of CHAT_KINDS) assert.equal(chatKind(name).name, name);
    assert.deepEqual(CHAT_KINDS.filter((name) => chatKind(name).signs), ['feishu', 'dingtalk']);
  });
  test('the kinds without a signature send the body as JSON to the URL as given, whatever secret is passed', () => {
    for (const name of ['slack', 'teams', 'discord', 'wecom'] as const) {
      const kind = chatKind(name);
      const body = kind.render(MESSAGE);
      assert.deepEqual(kind.prepare('https://hooks.example/x?k=1', body, 'ignored', NOW), { url: 'https://hooks.example/x?k=1', body: JSON.stringify(body) });
    }
  });
});

describe('slack', () => {
  const slack = chatKind('slack');
  test('text and blocks: header, mrkdwn section, fields, a button for the link', () => {
    const body = slack.render(MESSAGE);
    const blocks = arr(body.blocks).map(obj);
    assert.deepEqual(blocks.map((block) => block.type), ['header', 'section', 'section', 'actions']);
    assert.equal(obj(blocks[0]!.text).text, '✅ Invoice paid');
    assert.equal(obj(blocks[1]!.text).type, 'mrkdwn');
    assert.equal(obj(blocks[1]!.text).text, 'Invoice *INV-7* was paid.\nSee <https://billing.example/inv/7|the invoice>.');
    assert.deepEqual(arr(blocks[2]!.fields).map((field) => obj(field).text), ['*Amount*\n€12.00', '*Customer*\nACME']);
    const button = obj(arr(blocks[3]!.elements)[0]);
    assert.equal(button.url, MESSAGE.link!.url);
    assert.equal(obj(button.text).text, 'Open in Herald');
    assert.match(str(body.text), /^✅ Invoice paid\nInvoice \*INV-7\*/);
  });
  test("Slack's control characters are escaped", () => {
    const body = slack.render({ ...MESSAGE, text: 'a < b & c > d' });
    assert.equal(obj(obj(arr(body.blocks)[1]).text).text, 'a &lt; b &amp; c &gt; d');
  });
  test('over-long input is cut to the Block Kit limits', () => {
    const body = slack.render(LONG);
    const blocks = arr(body.blocks).map(obj);
    assert.ok(blocks.length <= 50);
    assert.ok(length(obj(blocks[0]!.text).text) <= 150);
    assert.ok(length(obj(blocks[1]!.text).text) <= 3000);
    assert.ok(str(obj(blocks[1]!.text).text).endsWith('…'));
    for (const section of blocks.filter((block) => block.fields)) {
      assert.ok(arr(section.fields).length <= 10);
      for (const field of arr(section.fields)) assert.ok(length(obj(field).text) <= 2000);
    }
    assert.equal(blocks.at(-1)!.type, 'actions', 'the link survives');
    assert.ok(length(body.text) <= 40_000);
  });
  test('answers: 200 ok; documented errors by their plain-text body', () => {
    assert.deepEqual(slack.judge(200, noHeaders, 'ok'), { ok: true });
    assertVerdict(slack.judge(429, { 'retry-after': '7' }, 'rate_limited'), { retry: true, disable: false, retryAfterSeconds: 7 });
    for (const [status, error] of [[404, 'no_service'], [404, 'no_team'], [410, 'team_disabled'], [403, 'invalid_token'], [404, 'channel_not_found'], [410, 'channel_is_archived'], [403, 'action_prohibited']] as const) {
      assertVerdict(slack.judge(status, noHeaders, error), { retry: false, disable: true, reason: `Slack error ${status}: ${error}` });
    }
    assertVerdict(slack.judge(400, noHeaders, 'invalid_payload'), { retry: false, disable: false, reason: 'Slack error 400: invalid_payload' });
    assertVerdict(slack.judge(400, noHeaders, 'user_not_found'), { retry: false, disable: false });
    assertVerdict(slack.judge(500, noHeaders, 'rollup_error'), { retry: true, disable: false });
    assertVerdict(slack.judge(418, noHeaders, 'something new'), { retry: false, disable: false });
  });
});

describe('teams', () => {
  const teams = chatKind('teams');
  test('a message with one Adaptive Card attachment: coloured title, wrapped text, facts, an OpenUrl action', () => {
    const body = teams.render(MESSAGE);
    assert.equal(body.type, 'message');
    const attachment = obj(arr(body.attachments)[0]);
    assert.equal(attachment.contentType, 'application/vnd.microsoft.card.adaptive');
    const card = obj(attachment.content);
    assert.equal(card.type, 'AdaptiveCard');
    assert.equal(card.version, '1.4');
    const [title, text, facts] = arr(card.body).map(obj);
    assert.deepEqual({ type: title!.type, text: title!.text, color: title!.color, weight: title!.weight }, { type: 'TextBlock', text: 'Invoice paid', color: 'Good', weight: 'Bolder' });
    assert.deepEqual({ text: text!.text, wrap: text!.wrap }, { text: MESSAGE.text, wrap: true });
    assert.deepEqual(facts, { type: 'FactSet', facts: [{ title: 'Amount', value: '€12.00' }, { title: 'Customer', value: 'ACME' }] });
    assert.deepEqual(arr(card.actions), [{ type: 'Action.OpenUrl', title: 'Open in Herald', url: MESSAGE.link!.url }]);
    assert.equal(obj(arr(obj(obj(arr(teams.render({ ...MESSAGE, severity: 'error' }).attachments)[0]).content).body)[0]).color, 'Attention');
  });
  test('over-long input stays under the 28 KB message limit', () => {
    const body = teams.render(LONG);
    assert.ok(jsonBytes(body) <= 28_000, `${jsonBytes(body)} bytes`);
    const card = obj(obj(arr(body.attachments)[0]).content);
    assert.ok(arr(card.actions).length === 1, 'the link survives');
  });
  test("answers: 202 accepted; the flow trigger's error codes", () => {
    assert.deepEqual(teams.judge(202, noHeaders, ''), { ok: true });
    const error = (code: string) => JSON.stringify({ error: { code, message: `${code} happened` } });
    assertVerdict(teams.judge(400, noHeaders, error('WorkflowTriggerIsNotEnabled')), { retry: false, disable: true, reason: 'Teams error 400 WorkflowTriggerIsNotEnabled: WorkflowTriggerIsNotEnabled happened' });
    assertVerdict(teams.judge(404, noHeaders, error('WorkflowNotFound')), { retry: false, disable: true });
    assertVerdict(teams.judge(401, noHeaders, error('DirectApiInvalidAuthorizationSignature')), { retry: false, disable: true });
    assertVerdict(teams.judge(401, noHeaders, error('DirectApiAuthorizationRequired')), { retry: false, disable: true });
    assertVerdict(teams.judge(400, noHeaders, error('TriggerInputSchemaMismatch')), { retry: false, disable: false });
    assertVerdict(teams.judge(429, { 'retry-after': '3' }, error('TooManyRequests')), { retry: true, disable: false, retryAfterSeconds: 3 });
    assertVerdict(teams.judge(502, noHeaders, '<html>Bad gateway</html>'), { retry: true, disable: false, reason: /^Teams error 502/ });
  });
});

describe('discord', () => {
  const discord = chatKind('discord');
  test('one embed: title, description with the link, inline fields, colour by severity, no pings', () => {
    const body = discord.render(MESSAGE);
    assert.equal(body.content, undefined);
    assert.deepEqual(body.allowed_mentions, { parse: [] });
    const embed = obj(arr(body.embeds)[0]);
    assert.equal(embed.title, 'Invoice paid');
    assert.equal(embed.color, 0x2ecc71);
    assert.equal(embed.url, MESSAGE.link!.url);
    assert.equal(embed.description, `${MESSAGE.text}\n\n[Open in Herald](${MESSAGE.link!.url})`);
    assert.deepEqual(embed.fields, [{ name: 'Amount', value: '€12.00', inline: true }, { name: 'Customer', value: 'ACME', inline: true }]);
    assert.equal(obj(arr(discord.render({ ...MESSAGE, severity: 'error' }).embeds)[0]).color, 0xe74c3c);
  });
  test('empty field values are filled, since Discord refuses them', () => {
    const embed = obj(arr(discord.render({ ...MESSAGE, fields: [{ name: 'Note', value: '' }] }).embeds)[0]);
    assert.deepEqual(embed.fields, [{ name: 'Note', value: '—', inline: true }]);
  });
  test('over-long input keeps to the embed limits, the 6000 total included; a long text is cut before the link', () => {
    const embed = obj(arr(discord.render(LONG).embeds)[0]);
    const fields = arr(embed.fields ?? []).map(obj);
    assert.ok(length(embed.title) <= 256);
    assert.ok(fields.length <= 25);
    for (const field of fields) assert.ok(length(field.name) <= 256 && length(field.value) <= 1024);
    const total = length(embed.title) + (embed.description ? length(embed.description) : 0) + fields.reduce((sum, field) => sum + length(field.name) + length(field.value), 0);
    assert.ok(total <= 6000, `${total} characters`);
    const textOnly = obj(arr(discord.render({ ...LONG, title: 'Short', fields: [] }).embeds)[0]);
    assert.ok(length(textOnly.description) <= 4096);
    assert.ok(str(textOnly.description).endsWith(`…\n\n[Open in Herald](${MESSAGE.link!.url})`));
  });
  test('answers: 204 (and 200 with ?wait=true) ok; 429 retry_after; Unknown Webhook / Invalid Webhook Token disable', () => {
    assert.deepEqual(discord.judge(204, noHeaders, ''), { ok: true });
    assert.deepEqual(discord.judge(200, noHeaders, '{"id":"1"}'), { ok: true });
    assertVerdict(discord.judge(429, { 'retry-after': '9' }, '{"message":"You are being rate limited.","retry_after":2.3,"global":false}'), { retry: true, disable: false, retryAfterSeconds: 3 });
    assertVerdict(discord.judge(429, { 'retry-after': '5' }, ''), { retry: true, disable: false, retryAfterSeconds: 5 });
    assertVerdict(discord.judge(404, noHeaders, '{"message":"Unknown Webhook","code":10015}'), { retry: false, disable: true, reason: 'Discord error 10015: Unknown Webhook (HTTP 404)' });
    assertVerdict(discord.judge(401, noHeaders, '{"message":"Invalid Webhook Token","code":50027}'), { retry: false, disable: true });
    assertVerdict(discord.judge(400, noHeaders, '{"message":"Invalid Form Body","code":50035,"errors":{}}'), { retry: false, disable: false });
    assertVerdict(discord.judge(400, noHeaders, '{"message":"Cannot send an empty message","code":50006}'), { retry: false, disable: false });
    assertVerdict(discord.judge(503, noHeaders, 'upstream connect error'), { retry: true, disable: false });
  });
});

describe('feishu', () => {
  const feishu = chatKind('feishu');
  test('an interactive card: header with template colour, markdown, fields, a button for the link', () => {
    const body = feishu.render(MESSAGE);
    assert.equal(body.msg_type, 'interactive');
    const card = obj(body.card);
    assert.deepEqual(card.header, { title: { tag: 'plain_text', content: 'Invoice paid' }, template: 'green' });
    const [markdown, fields, action] = arr(card.elements).map(obj);
    assert.deepEqual(markdown, { tag: 'markdown', content: MESSAGE.text });
    assert.deepEqual(arr(fields!.fields)[0], { is_short: true, text: { tag: 'lark_md', content: '**Amount**\n€12.00' } });
    assert.deepEqual(arr(action!.actions)[0], { tag: 'button', text: { tag: 'plain_text', content: 'Open in Herald' }, type: 'primary', url: MESSAGE.link!.url });
    assert.equal(obj(obj(feishu.render({ ...MESSAGE, severity: 'warning' }).card).header).template, 'orange');
  });
  test('over-long input keeps the signed request under the 20 KB body limit', () => {
    const prepared = feishu.prepare('https://open.feishu.cn/open-apis/bot/v2/hook/t', feishu.render(LONG), 'secret', NOW);
    assert.ok(utf8Bytes(prepared.body) <= 20_000, `${utf8Bytes(prepared.body)} bytes`);
    assert.ok(arr(obj(obj(JSON.parse(prepared.body)).card).elements).some((element) => obj(element).tag === 'action'), 'the link survives');
  });
  test('signs as documented: timestamp (seconds) and sign in the body; sign = base64(HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing)', async () => {
    const body = feishu.render(MESSAGE);
    const prepared = feishu.prepare('https://open.feishu.cn/open-apis/bot/v2/hook/t', body, 'feishu-test-secret', NOW + 999);
    const sent = obj(JSON.parse(prepared.body));
    assert.equal(prepared.url, 'https://open.feishu.cn/open-apis/bot/v2/hook/t');
    assert.equal(sent.timestamp, '1700000000');
    assert.equal(sent.sign, await webCryptoHmac('1700000000\nfeishu-test-secret', ''));
    // Computed with the guide's Python sample (hmac.new(string_to_sign, digestmod=sha256), base64).
    assert.equal(sent.sign, 'e3MJ8Q5llVxGJ8pVkGPBhexDAgjvYqpjPP1GkY9XceI=');
    assert.deepEqual({ msg_type: sent.msg_type, card: sent.card }, body);
    assert.deepEqual(JSON.parse(feishu.prepare('https://x', body, null, NOW).body), body);
  });
  test('answers: {code: 0} ok; documented codes', () => {
    assert.deepEqual(feishu.judge(200, noHeaders, '{"code":0,"data":{},"msg":"success"}'), { ok: true });
    assert.deepEqual(feishu.judge(200, noHeaders, '{"Extra":null,"StatusCode":0,"StatusMessage":"success"}'), { ok: true });
    assertVerdict(feishu.judge(200, noHeaders, '{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}'), {
      retry: false,
      disable: true,
      reason: 'Feishu error 19021: sign match fail or timestamp is not within one hour from current time',
    });
    assertVerdict(feishu.judge(200, noHeaders, '{"code":19022,"msg":"Ip Not Allowed"}'), { retry: false, disable: true });
    assertVerdict(feishu.judge(200, noHeaders, '{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}'), { retry: false, disable: true });
    assertVerdict(feishu.judge(200, noHeaders, '{"code":11232,"msg":"frequency limited"}'), { retry: true, disable: false, retryAfterSeconds: 60 });
    assertVerdict(feishu.judge(429, noHeaders, '{"code":11232,"msg":"frequency limited"}'), { retry: true, disable: false });
    assertVerdict(feishu.judge(200, noHeaders, '{"code":19024,"msg":"Key Words Not Found"}'), { retry: false, disable: false });
    assertVerdict(feishu.judge(200, noHeaders, '{"code":9499,"msg":"Bad Request"}'), { retry: false, disable: false });
    assertVerdict(feishu.judge(200, noHeaders, '{"code":12345,"msg":"new"}'), { retry: false, disable: false });
    assertVerdict(feishu.judge(502, noHeaders, '<html>502</html>'), { retry: true, disable: false });
  });
});

describe('dingtalk', () => {
  const dingtalk = chatKind('dingtalk');
  test('an actionCard when there is a link (the button), markdown otherwise', () => {
    const card = obj(dingtalk.render(MESSAGE).actionCard);
    assert.equal(dingtalk.render(MESSAGE).msgtype, 'actionCard');
    assert.deepEqual({ title: card.title, singleTitle: card.singleTitle, singleURL: card.singleURL }, { title: '✅ Invoice paid', singleTitle: 'Open in Herald', singleURL: MESSAGE.link!.url });
    assert.equal(card.text, `### ✅ Invoice paid\n\n${MESSAGE.text}\n\n- **Amount**: €12.00\n- **Customer**: ACME`);
    const plain = dingtalk.render({ ...MESSAGE, link: null });
    assert.equal(plain.msgtype, 'markdown');
    assert.equal(obj(plain.markdown).title, '✅ Invoice paid');
    assert.match(str(obj(plain.markdown).text), /^### ✅ Invoice paid\n\n/);
  });
  test('over-long input stays under 20,000 bytes', () => {
    const body = dingtalk.render(LONG);
    assert.ok(jsonBytes(body) <= 20_000, `${jsonBytes(body)} bytes`);
    assert.equal(obj(body.actionCard).singleURL, MESSAGE.link!.url);
  });
  test('signs as documented: timestamp (ms) and sign in the query; sign = urlencode(base64(HMAC-SHA256 keyed with the secret over "timestamp\\nsecret"))', async () => {
    const secret = 'SEC0123456789abcdefSECRET';
    const prepared = dingtalk.prepare('https://oapi.dingtalk.com/robot/send?access_token=abc', { msgtype: 'text', text: { content: 'hi' } }, secret, NOW + 4);
    const url = new URL(prepared.url);
    assert.equal(url.searchParams.get('access_token'), 'abc');
    assert.equal(url.searchParams.get('timestamp'), '1700000000004');
    assert.equal(url.searchParams.get('sign'), await webCryptoHmac(secret, `1700000000004\n${secret}`));
    // Computed with the page's Python sample (hmac.new(secret, string_to_sign, sha256), base64, quote_plus): this sign
    // holds "+", "/" and "=", so it also shows they go out URL-encoded.
    assert.ok(prepared.url.endsWith('&timestamp=1700000000004&sign=3ekgLL%2Fr%2F6%2BxOhdvxCTvWwb5v0FqlRn9B97K0uXG%2FNw%3D'), prepared.url);
    assert.equal(prepared.body, '{"msgtype":"text","text":{"content":"hi"}}');
    assert.equal(dingtalk.prepare('https://oapi.dingtalk.com/robot/send?access_token=abc', {}, null, NOW).url, 'https://oapi.dingtalk.com/robot/send?access_token=abc');
  });
  test('answers: {errcode: 0} ok; documented codes; the 10-minute throttle', () => {
    assert.deepEqual(dingtalk.judge(200, noHeaders, '{"errcode":0,"errmsg":"ok"}'), { ok: true });
    for (const errmsg of ['sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]', 'invalid timestamp', 'ip 1.2.3.4 not in whitelist']) {
      assertVerdict(dingtalk.judge(200, noHeaders, JSON.stringify({ errcode: 310000, errmsg })), { retry: false, disable: true, reason: `DingTalk error 310000: ${errmsg}` });
    }
    assertVerdict(dingtalk.judge(200, noHeaders, '{"errcode":310000,"errmsg":"keywords not in content"}'), { retry: false, disable: false });
    assertVerdict(dingtalk.judge(200, noHeaders, '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}'), { retry: true, disable: false, retryAfterSeconds: 600 });
    assertVerdict(dingtalk.judge(200, noHeaders, '{"errcode":660026,"errmsg":"sending too many messages per minute"}'), { retry: true, disable: false, retryAfterSeconds: 600 });
    assertVerdict(dingtalk.judge(200, noHeaders, '{"errcode":300001,"errmsg":"token is not exist"}'), { retry: false, disable: true });
    assertVerdict(dingtalk.judge(200, noHeaders, '{"errcode":300005,"errmsg":"token is not exist"}'), { retry: false, disable: true });
    assertVerdict(dingtalk.judge(200, noHeaders, '{"errcode":400013,"errmsg":"群已被解散"}'), { retry: false, disable: true });
    assertVerdict(dingtalk.judge(200, noHeaders, '{"errcode":-1,"errmsg":"系统繁忙"}'), { retry: true, disable: false });
    assertVerdict(dingtalk.judge(200, noHeaders, '{"errcode":40035,"errmsg":"缺少参数 json"}'), { retry: false, disable: false });
    assertVerdict(dingtalk.judge(503, noHeaders, ''), { retry: true, disable: false });
  });
});

describe('wecom', () => {
  const wecom = chatKind('wecom');
  test('markdown: bold coloured title, text, field lines, the link', () => {
    const body = wecom.render(MESSAGE);
    assert.equal(body.msgtype, 'markdown');
    assert.equal(
      obj(body.markdown).content,
      `<font color="info">**Invoice paid**</font>\n${MESSAGE.text}\n> Amount: <font color="comment">€12.00</font>\n> Customer: <font color="comment">ACME</font>\n[Open in Herald](${MESSAGE.link!.url})`,
    );
    assert.match(str(obj(wecom.render({ ...MESSAGE, severity: 'error' }).markdown).content), /^<font color="warning">/);
  });
  test('over-long input keeps the content within 4096 bytes of UTF-8, link included', () => {
    const content = str(obj(wecom.render(LONG).markdown).content);
    assert.ok(utf8Bytes(content) <= 4096, `${utf8Bytes(content)} bytes`);
    assert.ok(content.endsWith(`[Open in Herald](${MESSAGE.link!.url})`));
    assert.ok(content.includes('…'));
  });
  test('answers: {errcode: 0} ok; documented codes', () => {
    assert.deepEqual(wecom.judge(200, noHeaders, '{"errcode":0,"errmsg":"ok"}'), { ok: true });
    assertVerdict(wecom.judge(200, noHeaders, '{"errcode":45009,"errmsg":"api freq out of limit"}'), { retry: true, disable: false, retryAfterSeconds: 60 });
    assertVerdict(wecom.judge(200, noHeaders, '{"errcode":93000,"errmsg":"invalid webhook url"}'), { retry: false, disable: true, reason: 'WeCom error 93000: invalid webhook url' });
    assertVerdict(wecom.judge(200, noHeaders, '{"errcode":93004,"errmsg":"robot disabled"}'), { retry: false, disable: true });
    assertVerdict(wecom.judge(200, noHeaders, '{"errcode":40008,"errmsg":"invalid message type"}'), { retry: false, disable: false });
    assertVerdict(wecom.judge(200, noHeaders, '{"errcode":44004,"errmsg":"empty content"}'), { retry: false, disable: false });
    assertVerdict(wecom.judge(200, noHeaders, '{"errcode":-1,"errmsg":"system busy"}'), { retry: true, disable: false });
    assertVerdict(wecom.judge(502, noHeaders, 'Bad Gateway'), { retry: true, disable: false });
  });
});
