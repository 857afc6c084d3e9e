import type { ChatTemplate, EndpointKind } from '@herald/wire';
import type { Command } from 'commander';
import { UsageError } from '../client.ts';
import { defined } from './shared.ts';

/** The chat options of `herald endpoint create|update`: what the URL is, and how its messages are worded. */


export interface ChatOptions {
  kind?: string;
  chatSecret?: string;
  chatTemplate?: string;
}

export function withChatOptions(command: Command): Command {
  return command
    .option('--kind <kind>', "what the URL is: webhook (the default), or the chat tool whose incoming webhook it is: slack, teams, discord, feishu, dingtalk or wecom")
    .option('--chat-secret <secret>', 'the chat tool\'s signing secret (Feishu, DingTalk; "none" removes it)')
    .option('--chat-template <json>', 'how messages are worded, e.g. \'{"title":"Build {{payload.status}}","fields":["repo","branch"]}\' ("none": Herald\'s default)');
}

/** The chat fields of the API body; `secret` is --secret of create, which for a chat kind is the tool's own secret. */
export function chatBody(opts: ChatOptions, secret?: string) {
  // The server checks the kind (422, said as the API says it).
  const kind = opts.kind as EndpointKind | undefined;
  if (secret !== undefined && opts.chatSecret !== undefined) throw new UsageError('give --secret or --chat-secret, not both');
  const chatSecret = opts.chatSecret ?? secret;
  return defined({
    kind,
    chatSecret: chatSecret === undefined ? undefined : chatSecret === 'none' ? null : chatSecret,
    chatTemplate: templateOption(opts.chatTemplate),
  });
}

/** Whether `--kind` names a chat tool (its --secret is then the tool's, not a webhook signing secret). */
export const isChatKind = (opts: ChatOptions): boolean => opts.kind !== undefined && opts.kind !== 'webhook';

function templateOption(value: string | undefined): ChatTemplate | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new UsageError(`--chat-template must be JSON such as '{"title":"Deploy {{payload.status}}"}' or "none" (${(err as Error).message})`);
  }
}
