import type { Static, TSchema } from 'typebox';
import type { ApplicationIn, ApplicationOut, ApplicationPatch, CreateApplicationQuery } from './applications.ts';
import type { AttemptHeadersOut, AttemptListQuery, AttemptQuery, EndpointMessageListQuery, EndpointMessageOut, MessageAttemptOut, MessageEndpointListQuery, MessageEndpointOut } from './attempts.ts';
import type { AuditEntryOut, AuditListQuery } from './audit.ts';
import type { EmptyOut, ListQuery, ListResponse } from './common.ts';
import type { EndpointAuthIn, EndpointAuthOut } from './endpoint-auth.ts';
import type {
  ChatPreviewIn, ChatPreviewOut, EndpointHeadersIn, EndpointHeadersOut, EndpointHeadersPatchIn, EndpointIn, EndpointOut, EndpointPatch, EndpointSecretOut, EndpointSecretRotateIn,
  EndpointStatsOut, EndpointUpdate, EventExampleIn, StatsQuery,
} from './endpoints.ts';
import type { EventTypeDeleteQuery, EventTypeIn, EventTypeListQuery, EventTypeOut, EventTypePatch, EventTypeUpdate } from './event-types.ts';
import type { HealthOut, HealthQuery } from './health.ts';
import type { AttemptStreamQuery, ListenQuery, ListenReplyIn } from './live.ts';
import type { MessageIn, MessageListItemOut, MessageListWithStatusQuery, MessageOut, MessageQuery } from './messages.ts';
import type { InboundReplayOut, InboundRequestListQuery, InboundRequestOut, SourceIn, SourceOut, SourcePatch, SourceReplayIn, SourceReplayOut } from './sources.ts';
import type { SeriesOut, SeriesQuery } from './stats.ts';
import type { BulkReplayIn, TaskOut, TaskRangeIn, TaskStartedOut } from './tasks.ts';
import type {
  ConsumerPollQuery, DestinationIn, DestinationOut, DestinationPatch, DestinationSecretOut, PollingEndpointConsumerSeekIn, PollingEndpointConsumerSeekOut,
  PollingEndpointOut, PollQuery,
} from './destinations.ts';
import type { EndpointTransformationOut, EndpointTransformationPatch, EndpointTransformationSimulateIn, EndpointTransformationSimulateOut } from './transformations.ts';
import type { PortalAccessIn, PortalAccessOut, TokenCreatedOut, TokenIn, TokenListQuery, TokenOut, WhoAmIOut } from './tokens.ts';

/**
 * The API's routes, as "METHOD /path/:param", each with the query it takes (the names of its parameters), the body
 * it takes and what a success answers (void: 204, or a stream). The clients (the CLI's, the dashboard's) call by
 * route, so what a call sends and gets back is stated here once, from the same schemas the server validates with.
 */
export interface ApiRoutes {
  'GET /api/v1/health': { query: Q<typeof HealthQuery>; response: HealthOut | void };
  'GET /api/v1/auth/me': { response: WhoAmIOut };
  'POST /api/v1/auth/logout': { response: void };
  'POST /api/v1/auth/app-portal-access/:app_id': { body?: PortalAccessIn; response: PortalAccessOut };

  'GET /api/v1/app': { query: ListQuery; response: ListResponse<ApplicationOut> };
  'POST /api/v1/app': { query: Q<typeof CreateApplicationQuery>; body: ApplicationIn; response: ApplicationOut };
  'GET /api/v1/app/:app_id': { response: ApplicationOut };
  'PUT /api/v1/app/:app_id': { body: ApplicationIn; response: ApplicationOut };
  'PATCH /api/v1/app/:app_id': { body: ApplicationPatch; response: ApplicationOut };
  'DELETE /api/v1/app/:app_id': { response: void };

  'GET /api/v1/event-type': { query: Q<typeof EventTypeListQuery>; response: ListResponse<EventTypeOut> };
  'POST /api/v1/event-type': { body: EventTypeIn; response: EventTypeOut };
  'GET /api/v1/event-type/:event_type_name': { response: EventTypeOut };
  'PUT /api/v1/event-type/:event_type_name': { body: EventTypeUpdate; response: EventTypeOut };
  'PATCH /api/v1/event-type/:event_type_name': { body: EventTypePatch; response: EventTypeOut };
  'DELETE /api/v1/event-type/:event_type_name': { query: Q<typeof EventTypeDeleteQuery>; response: void };

  'GET /api/v1/app/:app_id/endpoint': { query: ListQuery; response: ListResponse<EndpointOut> };
  'POST /api/v1/app/:app_id/endpoint': { body: EndpointIn; response: EndpointOut };
  'GET /api/v1/app/:app_id/endpoint/:endpoint_id': { response: EndpointOut };
  'PUT /api/v1/app/:app_id/endpoint/:endpoint_id': { body: EndpointUpdate; response: EndpointOut };
  'PATCH /api/v1/app/:app_id/endpoint/:endpoint_id': { body: EndpointPatch; response: EndpointOut };
  'DELETE /api/v1/app/:app_id/endpoint/:endpoint_id': { response: void };
  'GET /api/v1/app/:app_id/endpoint/:endpoint_id/secret': { response: EndpointSecretOut };
  'GET /api/v1/app/:app_id/endpoint/:endpoint_id/public-key': { response: EndpointSecretOut };
  'POST /api/v1/app/:app_id/endpoint/:endpoint_id/secret/rotate': { body?: EndpointSecretRotateIn; response: void };
  'GET /api/v1/app/:app_id/endpoint/:endpoint_id/headers': { response: EndpointHeadersOut };
  'PUT /api/v1/app/:app_id/endpoint/:endpoint_id/headers': { body: EndpointHeadersIn; response: void };
  'PATCH /api/v1/app/:app_id/endpoint/:endpoint_id/headers': { body: EndpointHeadersPatchIn; response: void };
  'GET /api/v1/app/:app_id/endpoint/:endpoint_id/auth': { response: EndpointAuthOut };
  'PUT /api/v1/app/:app_id/endpoint/:endpoint_id/auth': { body: EndpointAuthIn; response: void };
  'DELETE /api/v1/app/:app_id/endpoint/:endpoint_id/auth': { response: void };
  'GET /api/v1/app/:app_id/endpoint/:endpoint_id/stats': { query: Q<typeof StatsQuery>; response: EndpointStatsOut };
  'POST /api/v1/app/:app_id/endpoint/:endpoint_id/send-example': { body: EventExampleIn; response: MessageOut };
  'POST /api/v1/app/:app_id/endpoint/:endpoint_id/send-test': { response: MessageOut };
  'POST /api/v1/app/:app_id/endpoint/:endpoint_id/chat-preview': { body: ChatPreviewIn; response: ChatPreviewOut };
  'GET /api/v1/app/:app_id/endpoint/:endpoint_id/transformation': { response: EndpointTransformationOut };
  'PATCH /api/v1/app/:app_id/endpoint/:endpoint_id/transformation': { body: EndpointTransformationPatch; response: void };
  'POST /api/v1/app/:app_id/endpoint/:endpoint_id/transformation/simulate': { body: EndpointTransformationSimulateIn; response: EndpointTransformationSimulateOut };
  'GET /api/v1/source/:source_id/transformation': { response: EndpointTransformationOut };
  'PATCH /api/v1/source/:source_id/transformation': { body: EndpointTransformationPatch; response: void };
  'POST /api/v1/source/:source_id/transformation/simulate': { body: EndpointTransformationSimulateIn; response: EndpointTransformationSimulateOut };
  'GET /api/v1/app/:app_id/destination': { query: Q<typeof ListQuery>; response: ListResponse<DestinationOut> };
  'POST /api/v1/app/:app_id/destination': { body: DestinationIn; response: DestinationOut };
  'GET /api/v1/app/:app_id/destination/:destination_id': { response: DestinationOut };
  'PUT /api/v1/app/:app_id/destination/:destination_id': { body: DestinationIn; response: DestinationOut };
  'PATCH /api/v1/app/:app_id/destination/:destination_id': { body: DestinationPatch; response: DestinationOut };
  'DELETE /api/v1/app/:app_id/destination/:destination_id': { response: void };
  'GET /api/v1/app/:app_id/destination/:destination_id/secret': { response: DestinationSecretOut };
  'GET /api/v1/app/:app_id/poller/:sink_id': { query: Q<typeof PollQuery>; response: PollingEndpointOut };
  'GET /api/v1/app/:app_id/poller/:sink_id/consumer/:consumer_id': { query: Q<typeof ConsumerPollQuery>; response: PollingEndpointOut };
  'POST /api/v1/app/:app_id/poller/:sink_id/consumer/:consumer_id/seek': { body: PollingEndpointConsumerSeekIn; response: PollingEndpointConsumerSeekOut };

  'POST /api/v1/app/:app_id/msg': { query: Q<typeof MessageQuery>; body: MessageIn; response: MessageOut };
  'GET /api/v1/app/:app_id/msg': { query: Q<typeof MessageListWithStatusQuery>; response: ListResponse<MessageListItemOut> };
  'GET /api/v1/app/:app_id/msg/:msg_id': { query: Q<typeof MessageQuery>; response: MessageOut };
  'DELETE /api/v1/app/:app_id/msg/:msg_id/content': { response: void };
  /** text/plain: the payload exactly as signed and sent, not JSON. */
  'GET /api/v1/app/:app_id/msg/:msg_id/content': { response: string };

  'GET /api/v1/app/:app_id/attempt/endpoint/:endpoint_id': { query: Q<typeof AttemptListQuery>; response: ListResponse<MessageAttemptOut> };
  'GET /api/v1/app/:app_id/attempt/msg/:msg_id': { query: Q<typeof AttemptListQuery>; response: ListResponse<MessageAttemptOut> };
  'GET /api/v1/app/:app_id/msg/:msg_id/attempt/:attempt_id': { query: Q<typeof AttemptQuery>; response: MessageAttemptOut };
  'GET /api/v1/app/:app_id/msg/:msg_id/attempt/:attempt_id/headers': { response: AttemptHeadersOut };
  'GET /api/v1/app/:app_id/endpoint/:endpoint_id/msg': { query: Q<typeof EndpointMessageListQuery>; response: ListResponse<EndpointMessageOut> };
  'GET /api/v1/app/:app_id/msg/:msg_id/endpoint': { query: Q<typeof MessageEndpointListQuery>; response: ListResponse<MessageEndpointOut> };
  'POST /api/v1/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/resend': { body?: EmptyOut; response: EmptyOut };

  'POST /api/v1/app/:app_id/endpoint/:endpoint_id/recover': { body: TaskRangeIn; response: TaskStartedOut };
  'POST /api/v1/app/:app_id/endpoint/:endpoint_id/replay-missing': { body: TaskRangeIn; response: TaskStartedOut };
  'POST /api/v1/app/:app_id/endpoint/:endpoint_id/bulk-replay': { body: BulkReplayIn; response: TaskStartedOut };
  'GET /api/v1/background-task': { query: ListQuery; response: ListResponse<TaskOut> };
  'GET /api/v1/background-task/:task_id': { response: TaskOut };

  'POST /api/v1/token': { body: TokenIn; response: TokenCreatedOut };
  'GET /api/v1/token': { query: Q<typeof TokenListQuery>; response: ListResponse<TokenOut> };
  'GET /api/v1/token/:token_id': { response: TokenOut };
  'DELETE /api/v1/token/:token_id': { response: void };
  'GET /api/v1/audit-log': { query: Q<typeof AuditListQuery>; response: ListResponse<AuditEntryOut> };

  'POST /api/v1/source': { body: SourceIn; response: SourceOut };
  'GET /api/v1/source': { query: ListQuery; response: ListResponse<SourceOut> };
  'GET /api/v1/source/:source_id': { response: SourceOut };
  'PATCH /api/v1/source/:source_id': { body: SourcePatch; response: SourceOut };
  'DELETE /api/v1/source/:source_id': { response: void };
  'GET /api/v1/source/:source_id/request': { query: Q<typeof InboundRequestListQuery>; response: ListResponse<InboundRequestOut> };
  'GET /api/v1/source/:source_id/request/:request_id': { response: InboundRequestOut };
  'POST /api/v1/source/:source_id/request/:request_id/replay': { body?: EmptyOut; response: InboundReplayOut };
  'POST /api/v1/source/:source_id/replay': { body: SourceReplayIn; response: SourceReplayOut };

  'GET /api/v1/app/:app_id/stats/series': { query: SeriesQuery; response: SeriesOut };
  'GET /api/v1/app/:app_id/endpoint/:endpoint_id/stats/series': { query: SeriesQuery; response: SeriesOut };

  /** Server-sent events: the answer is a stream (see live.ts for its events). */
  'GET /api/v1/app/:app_id/attempt/stream': { query: Q<typeof AttemptStreamQuery>; response: void };
  'GET /api/v1/app/:app_id/listen/:name': { query: Q<typeof ListenQuery>; response: void };
  'POST /api/v1/app/:app_id/listen/:name/reply': { body: ListenReplyIn; response: void };
}

type Q<T extends TSchema> = Static<T>;

export type RouteKey = keyof ApiRoutes;
export type RouteMethod<K extends RouteKey> = K extends `${infer M} ${string}` ? M : never;
export type RoutePath<K extends RouteKey> = K extends `${string} ${infer P}` ? P : never;

/** The `:name` parameters of a path template. */
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | ParamNames<Rest> : P extends `${string}:${infer Name}` ? Name : never;
export type RouteParams<K extends RouteKey> = { [N in ParamNames<RoutePath<K>>]: string };

/** A query value as it travels: text, or a list repeated as several parameters. */
export type QueryValue = string | number | boolean | readonly string[] | null | undefined;
/** The query a route takes: its parameters by name (a client may leave any out; null and undefined are not sent). */
export type RouteQuery<K extends RouteKey> = ApiRoutes[K] extends { query: infer T } ? { [N in keyof T]?: QueryValue } : never;
export type RouteBody<K extends RouteKey> = 'body' extends keyof ApiRoutes[K] ? Exclude<ApiRoutes[K][keyof ApiRoutes[K] & 'body'], undefined> : never;
export type RouteResponse<K extends RouteKey> = ApiRoutes[K]['response'];

/**
 * What a call of the route gives besides the route: the path's parameters (when it has any), the query (when it
 * takes one) and the body (required when the route requires one).
 */
export type RouteRequest<K extends RouteKey> =
  & ([ParamNames<RoutePath<K>>] extends [never] ? { params?: undefined } : { params: RouteParams<K> })
  & (ApiRoutes[K] extends { query: unknown } ? { query?: RouteQuery<K> } : { query?: undefined })
  & ('body' extends keyof ApiRoutes[K] ? (ApiRoutes[K] extends { body: infer B } ? { body: B } : { body?: RouteBody<K> }) : { body?: undefined });

/** A client's arguments after the route: the request (with what the client adds, `Extra`), left out when nothing in it is required. */
export type RouteArgs<K extends RouteKey, Extra = {}> = {} extends RouteRequest<K> ? [request?: RouteRequest<K> & Extra] : [request: RouteRequest<K> & Extra];

/** The route's method and its path with the parameters filled in (each encoded as one path segment). */
export function routeTarget<K extends RouteKey>(route: K, params?: Record<string, string>): { method: RouteMethod<K>; path: string } {
  const space = route.indexOf(' ');
  const path = route.slice(space + 1).replace(/:([a-z_]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`${route}: no value for :${name}`);
    return encodeURIComponent(value);
  });
  return { method: route.slice(0, space) as RouteMethod<K>, path };
}
