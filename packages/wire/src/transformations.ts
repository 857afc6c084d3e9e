import { Type, type Static } from 'typebox';
import { Channel, DateTime, EventTypeName, Nullable } from './common.ts';

/** A transformation's JavaScript: it declares `function handler(webhook)` and returns the webhook, changed. */
const Code = Type.String({ minLength: 1, maxLength: 256 * 1024 });

export const EndpointTransformationOut = Type.Object({
  code: Nullable(Type.String()),
  enabled: Type.Boolean(),
  updatedAt: Nullable(DateTime),
});
export type EndpointTransformationOut = Static<typeof EndpointTransformationOut>;

export const EndpointTransformationPatch = Type.Object({
  /** null removes the code. */
  code: Type.Optional(Nullable(Code)),
  enabled: Type.Optional(Type.Boolean()),
  /** Svix Cloud's transformation variables are not supported: only null (or leaving it out) is accepted. */
  variables: Type.Optional(Type.Null()),
});
export type EndpointTransformationPatch = Static<typeof EndpointTransformationPatch>;

export const EndpointTransformationSimulateIn = Type.Object({
  code: Code,
  eventType: EventTypeName,
  /** The example message's payload. */
  payload: Type.Record(Type.String(), Type.Unknown()),
  channels: Type.Optional(Nullable(Type.Array(Channel, { maxItems: 10 }))),
});
export type EndpointTransformationSimulateIn = Static<typeof EndpointTransformationSimulateIn>;

/** The webhook the endpoint would receive: its method, URL and payload, or that the attempt would be cancelled. */
export const EndpointTransformationSimulateOut = Type.Object({
  method: Type.Union([Type.Literal('POST'), Type.Literal('PUT')]),
  url: Type.String(),
  payload: Type.Unknown(),
  cancel: Type.Boolean(),
  /** How long the run took, in milliseconds. */
  durationMs: Type.Number(),
});
export type EndpointTransformationSimulateOut = Static<typeof EndpointTransformationSimulateOut>;
