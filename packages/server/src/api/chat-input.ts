import type { ChatTemplate, EndpointKind } from '@herald/wire';
import { chatKind } from '../chat/kinds/index.ts';
import { HeraldError } from '../lib/errors.ts';
import type { EndpointChat } from '../store/types.ts';

/**
 * An endpoint's chat settings after a create, PUT or PATCH: `kind` left out keeps the endpoint's kind (Svix clients
 * never send it), `webhook` makes it a plain endpoint again; the secret and template left out are kept. A signing
 * secret is refused for a chat tool that does not sign (it would silently do nothing).
 */
export function chatOf(current: EndpointChat | null, b: { kind?: EndpointKind; chatSecret?: string | null; chatTemplate?: ChatTemplate | null }): EndpointChat | null {
  const kind = b.kind ?? current?.kind ?? 'webhook';
  if (kind === 'webhook') {
    if (b.chatSecret != null || b.chatTemplate != null) throw HeraldError.validation(['body', 'kind'], 'a chat secret or template needs a chat kind (slack, teams, discord, feishu, dingtalk or wecom)');
    return null;
  }
  const same = current?.kind === kind;
  const secret = b.chatSecret !== undefined ? b.chatSecret : same ? current.secret : null;
  if (secret !== null && !chatKind(kind).signs) {
    throw HeraldError.validation(['body', 'chatSecret'], `${chatKind(kind).label} webhooks are not signed: only Feishu and DingTalk take a secret`);
  }
  return { kind, secret, template: b.chatTemplate !== undefined ? b.chatTemplate : same ? current.template : null };
}
