import type { EndpointKind } from '@herald/wire';

export type ChatKind = Exclude<EndpointKind, 'webhook'>;

interface KindSpec {
  /** For people, as the chat tool calls itself. */
  label: string;
  /** Which URL to paste, and where the tool hands it out. */
  urlHint: string;
  urlPlaceholder: string;
  /** Whether the tool has an optional signing secret (the API refuses one for the others). */
  signs: boolean;
}

/** Every kind in the order the Kind select offers them; the server's chat/kinds/ are the source of truth. */
export const ENDPOINT_KINDS: Record<EndpointKind, KindSpec> = {
  webhook: {
    label: 'Webhook',
    urlHint: 'Any HTTPS receiver: it gets Herald’s signed JSON (webhook-id, webhook-timestamp, webhook-signature).',
    urlPlaceholder: 'https://example.com/webhooks',
    signs: false,
  },
  slack: {
    label: 'Slack',
    urlHint: 'An incoming webhook URL (Slack app → Incoming Webhooks), like https://hooks.slack.com/services/…',
    urlPlaceholder: 'https://hooks.slack.com/services/…',
    signs: false,
  },
  teams: {
    label: 'Microsoft Teams',
    urlHint: 'The HTTP POST URL of a Teams workflow “Post to a channel when a webhook request is received”.',
    urlPlaceholder: 'https://…/workflows/…/triggers/manual/paths/invoke?…',
    signs: false,
  },
  discord: {
    label: 'Discord',
    urlHint: 'A channel’s webhook URL (Channel settings → Integrations → Webhooks), like https://discord.com/api/webhooks/…',
    urlPlaceholder: 'https://discord.com/api/webhooks/…',
    signs: false,
  },
  feishu: {
    label: 'Feishu / Lark',
    urlHint: 'A custom bot’s webhook address, like https://open.feishu.cn/open-apis/bot/v2/hook/…',
    urlPlaceholder: 'https://open.feishu.cn/open-apis/bot/v2/hook/…',
    signs: true,
  },
  dingtalk: {
    label: 'DingTalk',
    urlHint: 'A custom robot’s webhook, like https://oapi.dingtalk.com/robot/send?access_token=…',
    urlPlaceholder: 'https://oapi.dingtalk.com/robot/send?access_token=…',
    signs: true,
  },
  wecom: {
    label: 'WeCom',
    urlHint: 'A group robot’s webhook address, like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
    urlPlaceholder: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
    signs: false,
  },
};

export const kindsInOrder = Object.keys(ENDPOINT_KINDS) as EndpointKind[];

export const isChatKind = (kind: EndpointKind): kind is ChatKind => kind !== 'webhook';
