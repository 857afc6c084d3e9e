import type { TransportOutcome } from '../delivery/transport.ts';
import type { EndpointChat } from '../store/types.ts';
import type { ChatVerdict } from './kind.ts';
import { chatKind } from './kinds/index.ts';
import { chatMessageOf, type ChatSubject } from './template.ts';

/**
 * What a chat endpoint's attempt sends and how its answer is read: the chat tool's own body (Herald's wording or the
 * endpoint's template, rendered the tool's way; or, when the endpoint has a transformation, the object it returned,
 * as the tool's body), signed as the tool documents, and judged by the tool's own success and error answers.
 */

export interface ChatRequest {
  url: string;
  body: string;
}

/** `transformed`: the payload a transformation returned, which is then the tool's body as it is. */
export function chatRequest(chat: EndpointChat, subject: ChatSubject, transformed: unknown, url: string, publicUrl: string | undefined, nowMs: number): ChatRequest {
  const kind = chatKind(chat.kind);
  const body = isObject(transformed) ? transformed : kind.render(chatMessageOf(subject, chat.template, publicUrl));
  return kind.prepare(url, body, chat.secret, nowMs);
}

/**
 * The tool's verdict on an answer (several answer 200 with an error code in the body); null without an answer, where
 * the transport's reason (refused, timed out) stands and is retried like any.
 */
export function chatVerdict(chat: EndpointChat, outcome: TransportOutcome): ChatVerdict | null {
  if (outcome.statusCode === null) return null;
  return chatKind(chat.kind).judge(outcome.statusCode, { 'retry-after': outcome.retryAfter ?? undefined }, outcome.body);
}

/** A chat tool's documented limit as a token bucket: one message at a time, a whole minute's allowance never exceeded. */
export function chatRate(chat: EndpointChat): { ratePerSecond: number; burst: number } {
  // A bucket of one refilled at (n-1)/60 per second sends at most n in any sliding minute (the one in the bucket and
  // n-1 refilled), so a tool that counts per minute never sees more than its limit.
  const perMinute = chatKind(chat.kind).ratePerMinute;
  return { ratePerSecond: Math.max(1, perMinute - 1) / 60, burst: 1 };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
