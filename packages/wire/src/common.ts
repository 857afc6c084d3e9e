import { Type, type Static, type TSchema } from 'typebox';

/** The building blocks of the API's shapes, shaped like Svix's: ids, names, lists and their pages. */

export const ID_PATTERN = '^[a-zA-Z0-9\\-_.]+$';
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Uid = Type.String({ minLength: 1, maxLength: 256, pattern: ID_PATTERN });
export const EventTypeName = Type.String({ minLength: 1, maxLength: 256, pattern: ID_PATTERN });
export const Channel = Type.String({ minLength: 1, maxLength: 128, pattern: ID_PATTERN });
export const Metadata = Type.Record(Type.String(), Type.String());
/** Messages per second; Svix rejects 0 (it would stop delivery), so does Herald. */
export const ThrottleRate = Type.Integer({ minimum: 1, maximum: 65535 });
export const DateTime = Type.String({ format: 'date-time' });
export const HeaderMap = Type.Record(Type.String(), Type.String());
export const AnyObject = Type.Object({}, { additionalProperties: true });

export const AppParams = Type.Object({ app_id: Uid });
export const EndpointParams = Type.Object({ app_id: Uid, endpoint_id: Uid });
export const MessageParams = Type.Object({ app_id: Uid, msg_id: Uid });

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  iterator: Type.Optional(Type.String({ maxLength: 300 })),
  order: Type.Optional(Type.Union([Type.Literal('ascending'), Type.Literal('descending')])),
});
export type ListQuery = Static<typeof ListQuery>;

/** The JS client joins a list with commas (`event_types=a,b`); other Svix SDKs repeat the parameter. Both are accepted. */
export const CsvList = Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 10_000 }), { maxItems: 100 })]);

/** Every list: keyset pages. `iterator` continues forward; `prevIterator` (starting with '-') walks back. */
const Paging = {
  iterator: Nullable(Type.String()),
  prevIterator: Type.Optional(Nullable(Type.String())),
  done: Type.Boolean(),
};
export const ListOf = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item), ...Paging });
const PagingOut = Type.Object(Paging);
export type ListResponse<T> = { data: T[] } & Static<typeof PagingOut>;

export const EmptyOut = Type.Object({});
export type EmptyOut = Static<typeof EmptyOut>;
