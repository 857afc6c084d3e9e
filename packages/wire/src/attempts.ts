import { Type, type Static } from 'typebox';
import { DateTime, HeaderMap, ListQuery, Nullable, Uid } from './common.ts';
import { EndpointOut } from './endpoints.ts';
import { MessageFilters, MessageListQuery, MessageOut, MessageOutFields } from './messages.ts';

/** Svix's MessageStatus, of a delivery and of an attempt: 0 success, 1 pending, 2 fail, 3 sending, 4 canceled. */
export const DeliveryStatus = Type.Unsafe<0 | 1 | 2 | 3 | 4>(Type.Integer({ minimum: 0, maximum: 4, description: '0 success, 1 pending, 2 fail, 3 sending, 4 canceled (by the endpoint\'s transformation)' }));
export type DeliveryStatus = Static<typeof DeliveryStatus>;
/** 0 scheduled, 1 manual (a resend). */
export const TriggerType = Type.Unsafe<0 | 1>(Type.Integer({ minimum: 0, maximum: 1, description: '0 scheduled, 1 manual (a resend)' }));

/** A status filter, any of DeliveryStatus's values. */
const StatusFilter = Type.Integer({ minimum: 0, maximum: 4 });

export const AttemptListQuery = Type.Object({
  ...ListQuery.properties,
  ...MessageFilters,
  status: Type.Optional(StatusFilter),
  status_code_class: Type.Optional(Type.Union([0, 100, 200, 300, 400, 500].map((n) => Type.Literal(n)))),
  endpoint_id: Type.Optional(Uid),
  with_msg: Type.Optional(Type.Boolean()),
  expanded_statuses: Type.Optional(Type.Boolean()),
});
export const EndpointMessageListQuery = Type.Object({ ...MessageListQuery.properties, status: Type.Optional(StatusFilter) });
export const MessageEndpointListQuery = Type.Object({ limit: ListQuery.properties.limit, iterator: ListQuery.properties.iterator });
export const AttemptQuery = Type.Object({ expanded_statuses: Type.Optional(Type.Boolean()) });

export const AttemptParams = Type.Object({ app_id: Uid, msg_id: Uid, attempt_id: Uid });
export const ResendParams = Type.Object({ app_id: Uid, msg_id: Uid, endpoint_id: Uid });

/** A delivery's state, added to a message (an endpoint's messages) or to an endpoint (a message's endpoints). */
const StatusFields = {
  status: DeliveryStatus,
  statusText: Type.String(),
  nextAttempt: Type.Optional(Nullable(DateTime)),
};
export const EndpointMessageOut = Type.Object({ ...MessageOutFields, ...StatusFields });
export type EndpointMessageOut = Static<typeof EndpointMessageOut>;
export const MessageEndpointOut = Type.Object({ ...EndpointOut.properties, ...StatusFields });
export type MessageEndpointOut = Static<typeof MessageEndpointOut>;

export const MessageAttemptOut = Type.Object({
  id: Type.String(),
  url: Type.String(),
  response: Type.String(),
  responseStatusCode: Type.Integer(),
  responseDurationMs: Type.Integer(),
  status: DeliveryStatus,
  statusText: Type.String(),
  triggerType: TriggerType,
  msgId: Type.String(),
  endpointId: Type.String(),
  timestamp: DateTime,
  msg: Type.Optional(MessageOut),
});
export type MessageAttemptOut = Static<typeof MessageAttemptOut>;

/** `headers` is null when the attempt sent nothing, or was made before Herald recorded request headers. */
export const AttemptHeadersOut = Type.Object({ headers: Type.Union([HeaderMap, Type.Null()]), sensitive: Type.Array(Type.String()) });
export type AttemptHeadersOut = Static<typeof AttemptHeadersOut>;
