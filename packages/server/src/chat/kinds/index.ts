import type { ChatKind, ChatKindName } from '../kind.ts';
import { dingtalk } from './dingtalk.ts';
import { discord } from './discord.ts';
import { feishu } from './feishu.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import { wecom } from './wecom.ts';

/** Every chat kind by name. Kept here, not in kind.ts, because the kinds import kind.ts: the registry over them must not. */
const KINDS: Record<ChatKindName, ChatKind> = { slack, teams, discord, feishu, dingtalk, wecom };

export function chatKind(name: ChatKindName): ChatKind {
  return KINDS[name];
}
