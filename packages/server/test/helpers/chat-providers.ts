import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatKindName } from '../../src/chat/kind.ts';

/**
 * Local stand-ins for the chat providers, each behaving as its documentation says: the webhook URL's shape, the body
 * it requires, the signature it checks (Feishu, DingTalk: within an hour of its clock, computed here independently of
 * src/chat), and its own success and error answers. Written from the providers' docs, not from Herald's kinds, so a
 * kind and its fake agreeing means both agree with the docs.
 */

export interface ChatProviderOptions {
  /** Feishu, DingTalk: the bot's signing secret; every request must then carry a fresh, valid signature. */
  secret?: string;
  /** Answer this many rate-limit errors before taking messages. */
  rateLimitFirst?: number;
  /** Answer as a removed or disabled bot. */
  disabled?: boolean;
  /** The bot's clock in ms, for the signature's one-hour window. */
  now?: () => number;
}

export interface ReceivedChatRequest {
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or the text when it is not JSON. */
  body: unknown;
}

export interface FakeChatProvider {
  /** The webhook URL; its credential (token, key or sig) is always its last part, so a test can spoil it. */
  url: string;
  received: ReceivedChatRequest[];
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body?: string | Record<string, unknown>;
  headers?: Record<string, string>;
}

interface Incoming {
  url: URL;
  raw: string;
  /** The body as JSON, undefined when it is not JSON. */
  json: unknown;
}

/** What a provider needs of the request and the fake's state to answer it. */
interface Bot {
  credential: string;
  credentialOf(url: URL): string | null;
  /** The provider's answer to a wrong credential or a removed/disabled bot. */
  gone(wrongCredential: boolean): Answer;
  /** The provider's answer to a bad signature, or null when the request is signed well (only Feishu, DingTalk). */
  signatureProblem?(request: Incoming, secret: string, nowMs: number): Answer | null;
  rateLimited(): Answer;
  /** The provider's answer to a body it does not take, or null when it takes it. */
  bodyProblem(request: Incoming): Answer | null;
  accepted(request: Incoming): Answer;
}

const HOUR_MS = 3_600_000;
const obj = (value: unknown): Record<string, unknown> | null => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null);
const nonEmptyString = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';
const chars = (value: unknown): number => (typeof value === 'string' ? Array.from(value).length : 0);

// Slack (https://api.slack.com/messaging/webhooks): plain-text answers; text or blocks required; Block Kit limits.
function slackBot(token: string): Bot {
  const plain = (status: number, text: string, headers?: Record<string, string>): Answer => ({ status, body: text, headers: { 'content-type': 'text/html', ...headers } });
  const blocksValid = (blocks: unknown[]): boolean =>
    blocks.length <= 50 &&
    blocks.every((block) => {
      const b = obj(block);
      const text = obj(b?.text)?.text;
      if (b?.type === 'header') return nonEmptyString(text) && chars(text) <= 150;
      if (b?.type === 'section') {
        const fields = Array.isArray(b.fields) ? b.fields : [];
        return (text === undefined || chars(text) <= 3000) && fields.length <= 10 && fields.every((field) => chars(obj(field)?.text) <= 2000);
      }
      if (b?.type === 'actions') return Array.isArray(b.elements) && b.elements.every((element) => chars(obj(obj(element)?.text)?.text) <= 75);
      return typeof b?.type === 'string';
    });
  return {
    credential: token,
    credentialOf: (url) => url.pathname.match(/^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/([^/]+)$/)?.[1] ?? null,
    gone: () => plain(404, 'no_service'),
    rateLimited: () => plain(429, 'rate_limited', { 'retry-after': '1' }),
    bodyProblem: ({ json }) => {
      const body = obj(json);
      if (!body) return plain(400, 'invalid_payload');
      const blocks = Array.isArray(body.blocks) ? body.blocks : null;
      if (!nonEmptyString(body.text) && !blocks?.length) return plain(400, 'no_text');
      return blocks && !blocksValid(blocks) ? plain(400, 'invalid_blocks') : null;
    },
    accepted: () => plain(200, 'ok'),
  };
}

// Teams workflows: the flow trigger's Logic Apps answers; the body the "Send webhook alerts to a channel" flow reads.
function teamsBot(sig: string): Bot {
  const error = (status: number, code: string, message: string, headers?: Record<string, string>): Answer => ({ status, body: { error: { code, message } }, headers });
  return {
    credential: sig,
    credentialOf: (url) => (/^\/powerautomate\/automations\/direct\/workflows\/[0-9a-f]+\/triggers\/manual\/paths\/invoke$/.test(url.pathname) ? url.searchParams.get('sig') : null),
    gone: (wrongCredential) =>
      wrongCredential
        ? error(401, 'DirectApiInvalidAuthorizationSignature', 'The provided authorization signature is not valid.')
        : error(400, 'WorkflowTriggerIsNotEnabled', "The workflow trigger 'manual' is not enabled."),
    rateLimited: () => error(429, 'TooManyRequests', 'Rate limit is exceeded. Try again in 1 seconds.', { 'retry-after': '1' }),
    bodyProblem: ({ json }) => {
      const body = obj(json);
      const attachments = Array.isArray(body?.attachments) ? body.attachments : [];
      const cardsValid =
        attachments.length > 0 &&
        attachments.every((attachment) => {
          const card = obj(obj(attachment)?.content);
          return obj(attachment)?.contentType === 'application/vnd.microsoft.card.adaptive' && card?.type === 'AdaptiveCard' && typeof card.version === 'string' && Array.isArray(card.body);
        });
      return body?.type === 'message' && cardsValid ? null : error(400, 'TriggerInputSchemaMismatch', "The input body for trigger 'manual' of type 'Request' did not match its schema definition.");
    },
    accepted: () => ({ status: 202 }),
  };
}

// Discord (https://discord.com/developers/docs/resources/webhook#execute-webhook, embed limits, JSON error codes).
function discordBot(token: string): Bot {
  const error = (status: number, code: number, message: string, extra: Record<string, unknown> = {}): Answer => ({ status, body: { message, code, ...extra } });
  const embedValid = (embed: unknown): boolean => {
    const e = obj(embed);
    const fields = Array.isArray(e?.fields) ? e.fields.map(obj) : [];
    const total = chars(e?.title) + chars(e?.description) + fields.reduce((sum, field) => sum + chars(field?.name) + chars(field?.value), 0);
    return (
      e !== null && chars(e.title) <= 256 && chars(e.description) <= 4096 && (e.description === undefined || nonEmptyString(e.description)) &&
      fields.length <= 25 && fields.every((field) => nonEmptyString(field?.name) && chars(field?.name) <= 256 && nonEmptyString(field?.value) && chars(field?.value) <= 1024) &&
      total <= 6000
    );
  };
  return {
    credential: token,
    credentialOf: (url) => url.pathname.match(/^\/api\/webhooks\/\d+\/([^/]+)$/)?.[1] ?? null,
    gone: (wrongCredential) => (wrongCredential ? error(401, 50027, 'Invalid Webhook Token') : error(404, 10015, 'Unknown Webhook')),
    rateLimited: () => ({ status: 429, body: { message: 'You are being rate limited.', retry_after: 1.5, global: false }, headers: { 'retry-after': '2' } }),
    bodyProblem: ({ json }) => {
      const body = obj(json);
      if (!body) return error(400, 50109, 'The request body contains invalid JSON.');
      const embeds = Array.isArray(body.embeds) ? body.embeds : [];
      if (!nonEmptyString(body.content) && embeds.length === 0) return error(400, 50006, 'Cannot send an empty message');
      const valid = chars(body.content) <= 2000 && embeds.length <= 10 && embeds.every(embedValid);
      return valid ? null : error(400, 50035, 'Invalid Form Body', { errors: { embeds: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be within the embed limits.' }] } } });
    },
    accepted: ({ url, json }) => (url.searchParams.get('wait') === 'true' ? { status: 200, body: { id: '1', type: 0, ...obj(json) } } : { status: 204 }),
  };
}

// Feishu / Lark custom bots (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): HTTP 200, {code, msg}.
function feishuBot(token: string): Bot {
  const answer = (code: number, msg: string): Answer => ({ status: 200, body: { code, data: {}, msg } });
  const contentValid: Record<string, (body: Record<string, unknown>) => boolean> = {
    text: (body) => nonEmptyString(obj(body.content)?.text),
    post: (body) => obj(obj(body.content)?.post) !== null,
    image: (body) => nonEmptyString(obj(body.content)?.image_key),
    share_chat: (body) => nonEmptyString(obj(body.content)?.share_chat_id),
    interactive: (body) => obj(body.card) !== null || obj(obj(body.content)?.card) !== null,
  };
  return {
    credential: token,
    credentialOf: (url) => url.pathname.match(/^\/open-apis\/bot\/v2\/hook\/([^/]+)$/)?.[1] ?? null,
    gone: () => answer(19001, 'param invalid: incoming webhook access token invalid'),
    signatureProblem: ({ json }, secret, nowMs) => {
      const body = obj(json);
      const timestamp = typeof body?.timestamp === 'number' ? String(body.timestamp) : body?.timestamp;
      const expected = typeof timestamp === 'string' ? createHmac('sha256', Buffer.from(`${timestamp}\n${secret}`, 'utf8')).update(Buffer.alloc(0)).digest('base64') : null;
      const fresh = typeof timestamp === 'string' && /^\d+$/.test(timestamp) && Math.abs(nowMs - Number(timestamp) * 1000) <= HOUR_MS;
      return fresh && body?.sign === expected ? null : answer(19021, 'sign match fail or timestamp is not within one hour from current time');
    },
    rateLimited: () => answer(11232, 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]'),
    bodyProblem: ({ json, raw }) => {
      const body = obj(json);
      if (!body) return answer(9499, 'Bad Request');
      // The guide's 20 KB body limit; the bot's exact answer to it is not documented, this is the fake's stand-in.
      if (Buffer.byteLength(raw) > 20 * 1024) return answer(9499, 'Bad Request: request body too large');
      const valid = typeof body.msg_type === 'string' ? contentValid[body.msg_type] : undefined;
      if (!valid) return answer(19002, 'param invalid: msg_type');
      return valid(body) ? null : answer(9499, 'Bad Request: fail to parse content');
    },
    accepted: () => answer(0, 'success'),
  };
}

// DingTalk custom robots (custom-robot-access, customize-robot-security-settings): HTTP 200, {errcode, errmsg}.
function dingtalkBot(token: string): Bot {
  const answer = (errcode: number, errmsg: string): Answer => ({ status: 200, body: { errcode, errmsg } });
  const has = (value: unknown, ...keys: string[]) => keys.every((key) => nonEmptyString(obj(value)?.[key]));
  const contentValid: Record<string, (body: Record<string, unknown>) => boolean> = {
    text: (body) => has(body.text, 'content'),
    markdown: (body) => has(body.markdown, 'title', 'text'),
    link: (body) => has(body.link, 'title', 'text', 'messageUrl'),
    actionCard: (body) => has(body.actionCard, 'title', 'text') && (has(body.actionCard, 'singleTitle', 'singleURL') || Array.isArray(obj(body.actionCard)?.btns)),
    feedCard: (body) => Array.isArray(obj(body.feedCard)?.links),
  };
  return {
    credential: token,
    credentialOf: (url) => (url.pathname === '/robot/send' ? url.searchParams.get('access_token') : null),
    gone: () => answer(300001, 'token is not exist'),
    signatureProblem: ({ url }, secret, nowMs) => {
      const timestamp = url.searchParams.get('timestamp');
      if (!timestamp || !/^\d+$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > HOUR_MS) return answer(310000, 'invalid timestamp');
      // searchParams.get undoes the URL-encoding: a sign sent with a raw "+" arrives as a space and does not match.
      const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${timestamp}\n${secret}`, 'utf8')).digest('base64');
      return url.searchParams.get('sign') === expected ? null : answer(310000, 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]');
    },
    rateLimited: () => answer(130101, 'send too fast, exceed 20 times per minute'),
    bodyProblem: ({ json }) => {
      const body = obj(json);
      const valid = typeof body?.msgtype === 'string' ? contentValid[body.msgtype] : undefined;
      return body && valid?.(body) ? null : answer(40035, '缺少参数 json');
    },
    accepted: () => answer(0, 'ok'),
  };
}

// WeCom group robots (https://developer.work.weixin.qq.com/document/path/91770, global codes path/90455).
function wecomBot(key: string): Bot {
  const answer = (errcode: number, errmsg: string): Answer => ({ status: 200, body: { errcode, errmsg } });
  return {
    credential: key,
    credentialOf: (url) => (url.pathname === '/cgi-bin/webhook/send' ? url.searchParams.get('key') : null),
    gone: () => answer(93000, 'invalid webhook url, hint: [1700000000_1_a], from ip: 127.0.0.1'),
    rateLimited: () => answer(45009, 'api freq out of limit'),
    bodyProblem: ({ json }) => {
      const body = obj(json);
      const type = body?.msgtype;
      if (type !== 'text' && type !== 'markdown') return answer(40008, 'invalid message type');
      const content = obj(body?.[type])?.content;
      if (!nonEmptyString(content)) return answer(44004, 'empty content');
      // "文本内容，最长不超过2048个字节" and "markdown内容，最长不超过4096个字节".
      const max = type === 'text' ? 2048 : 4096;
      return Buffer.byteLength(String(content)) <= max ? null : answer(40058, `${type}.content exceed max length ${max}`);
    },
    accepted: () => answer(0, 'ok'),
  };
}

const token = () => randomBytes(16).toString('hex');

function webhookPath(kind: ChatKindName, credential: string): string {
  switch (kind) {
    case 'slack':
      return `/services/T0HERALD/B0HERALD/${credential}`;
    case 'teams':
      return `/powerautomate/automations/direct/workflows/${token()}/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${credential}`;
    case 'discord':
      return `/api/webhooks/1234567890123456789/${credential}`;
    case 'feishu':
      return `/open-apis/bot/v2/hook/${credential}`;
    case 'dingtalk':
      return `/robot/send?access_token=${credential}`;
    case 'wecom':
      return `/cgi-bin/webhook/send?key=${credential}`;
  }
}

const BOTS: Record<ChatKindName, (credential: string) => Bot> = { slack: slackBot, teams: teamsBot, discord: discordBot, feishu: feishuBot, dingtalk: dingtalkBot, wecom: wecomBot };

function answerOf(bot: Bot, request: Incoming, options: ChatProviderOptions, state: { rateLimitsLeft: number }): Answer {
  const credential = bot.credentialOf(request.url);
  if (credential !== bot.credential || options.disabled) return bot.gone(credential !== bot.credential);
  if (options.secret && bot.signatureProblem) {
    const problem = bot.signatureProblem(request, options.secret, (options.now ?? Date.now)());
    if (problem) return problem;
  }
  if (state.rateLimitsLeft > 0) {
    state.rateLimitsLeft -= 1;
    return bot.rateLimited();
  }
  return bot.bodyProblem(request) ?? bot.accepted(request);
}

function send(res: ServerResponse, answer: Answer): void {
  const json = typeof answer.body === 'object';
  const text = answer.body === undefined ? '' : json ? JSON.stringify(answer.body) : String(answer.body);
  res.writeHead(answer.status, { ...(json ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...answer.headers });
  res.end(text);
}

export async function startChatProvider(kind: ChatKindName, options: ChatProviderOptions = {}): Promise<FakeChatProvider> {
  const bot = BOTS[kind](token());
  const state = { rateLimitsLeft: options.rateLimitFirst ?? 0 };
  const received: ReceivedChatRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      received.push({ url: req.url ?? '/', headers: req.headers, body: json === undefined ? raw : json });
      send(res, answerOf(bot, { url: new URL(req.url ?? '/', 'http://127.0.0.1'), raw, json }, options, state));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${webhookPath(kind, bot.credential)}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
