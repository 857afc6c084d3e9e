import { Type, type Static } from 'typebox';
import { Channel, DateTime, EventTypeName, Nullable, Uid } from './common.ts';

/** Background tasks (qtask_ ids): recover, replay-missing and bulk-replay of an endpoint. */

export const TaskRangeIn = Type.Object({ since: DateTime, until: Type.Optional(Nullable(DateTime)) });
export type TaskRangeIn = Static<typeof TaskRangeIn>;
export const BulkReplayIn = Type.Object({
  ...TaskRangeIn.properties,
  eventTypes: Type.Optional(Nullable(Type.Array(EventTypeName, { minItems: 1 }))),
  channel: Type.Optional(Nullable(Channel)),
  tag: Type.Optional(Nullable(Type.String({ maxLength: 128 }))),
  status: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 2 }))),
});
export type BulkReplayIn = Static<typeof BulkReplayIn>;

/** Whether the task still runs; plain strings in the document, as Svix has them. */
const TaskStatus = Type.Unsafe<'running' | 'finished' | 'failed'>(Type.String());
/** The kinds of task: recover, replay-missing, bulk-replay. */
const TaskKind = Type.Unsafe<'endpoint.recover' | 'endpoint.replay' | 'endpoint.bulk-replay'>(Type.String());
export type TaskKind = Static<typeof TaskKind>;

export const TaskStartedOut = Type.Object({ id: Type.String(), status: TaskStatus, task: TaskKind, updatedAt: DateTime });
export type TaskStartedOut = Static<typeof TaskStartedOut>;
export const TaskOut = Type.Object({
  id: Type.String(),
  status: TaskStatus,
  task: TaskKind,
  // `total` (a Herald field) is what `processed` counts toward, for progress; it may be passed when messages arrive meanwhile.
  data: Type.Object({ total: Nullable(Type.Integer()), processed: Type.Integer(), scheduled: Type.Integer(), error: Nullable(Type.String()) }),
  updatedAt: DateTime,
});
export type TaskOut = Static<typeof TaskOut>;

export const TaskParams = Type.Object({ task_id: Uid });
