import type { Static } from 'typebox';
import { HeraldError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { BackgroundTask, TaskKind } from '../../store/types.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireEndpoint } from '../lookup.ts';
import { pageOf } from '../paging.ts';
import { BulkReplayIn, EndpointParams, ListOf, ListQuery, TaskOut, TaskParams, TaskRangeIn, TaskStartedOut } from '@herald/wire';
import { iso } from '../serialize.ts';

const started = (t: BackgroundTask): TaskStartedOut => ({ id: t.id, status: t.status, task: t.kind, updatedAt: iso(t.updatedAt) });
const taskOut = (t: BackgroundTask): TaskOut => ({ ...started(t), data: { total: t.total, processed: t.processed, scheduled: t.scheduled, error: t.error } });

function timeOf(value: string | null | undefined, field: string): number | null {
  if (value === undefined || value === null) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw HeraldError.validation(['body', field], 'invalid date-time');
  return ms;
}

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'catalog' | 'tasks' | 'taskRunner' | 'endpoints'>;

/** recover, replay-missing and bulk-replay start background tasks (qtask_ ids) that workers run and report on. */
export function registerTaskRoutes(api: Api, ctx: RouteContext): void {
  const base = '/api/v1/app/:app_id/endpoint/:endpoint_id';
  const tags = ['Background Task'];

  async function start(params: Static<typeof EndpointParams>, kind: TaskKind, body: BulkReplayIn, withFilter: boolean) {
    const { app, endpoint } = await requireEndpoint(ctx, params.app_id, params.endpoint_id);
    const since = timeOf(body.since, 'since')!;
    const until = timeOf(body.until, 'until');
    if (until !== null && until <= since) throw HeraldError.validation(['body', 'until'], 'must be after since');
    const filter = withFilter
      ? { eventTypes: body.eventTypes ?? undefined, channel: body.channel ?? undefined, tag: body.tag ?? undefined, status: body.status ?? undefined }
      : undefined;
    // Counted once, up front: the task walks exactly these messages (plus any created in the range meanwhile).
    const total = await ctx.tasks.countMessagesForReplay(app.id, since, until);
    const now = Date.now();
    const task: BackgroundTask = {
      id: newId('qtask', now), kind, status: 'running', appId: app.id, endpointId: endpoint.id, params: { since, until, ...(filter ? { filter } : {}) },
      cursor: null, total, processed: 0, scheduled: 0, leaseUntil: null, error: null, createdAt: now, updatedAt: now,
    };
    await ctx.tasks.createTask(task);
    ctx.taskRunner?.kick();
    return started(task);
  }

  api.post(`${base}/recover`, {
    schema: { tags, summary: 'Send every failed message since a time again (a background task)', params: EndpointParams, body: TaskRangeIn, response: { 202: TaskStartedOut } },
  }, async (req, reply) => reply.status(202).send(await start(req.params, 'endpoint.recover', req.body, false)));

  api.post(`${base}/replay-missing`, {
    schema: { tags, summary: 'Send the messages this endpoint never got (a background task)', params: EndpointParams, body: TaskRangeIn, response: { 202: TaskStartedOut } },
  }, async (req, reply) => reply.status(202).send(await start(req.params, 'endpoint.replay', req.body, false)));

  api.post(`${base}/bulk-replay`, {
    schema: { tags, summary: 'Send matching messages again, delivered ones too (a background task)', params: EndpointParams, body: BulkReplayIn, response: { 202: TaskStartedOut } },
  }, async (req, reply) => reply.status(202).send(await start(req.params, 'endpoint.bulk-replay', req.body, true)));

  api.get('/api/v1/background-task/:task_id', {
    schema: { tags, summary: 'Get a background task', params: TaskParams, response: { 200: TaskOut } },
  }, async (req) => {
    const task = await ctx.tasks.getTask(req.params.task_id);
    // An application token sees its own application's tasks only, and cannot tell another's from a missing one.
    const principal = req.principal;
    if (!task || (principal?.scope === 'app' && task.appId !== principal.appId)) throw HeraldError.notFound('Background task');
    return taskOut(task);
  });

  api.get('/api/v1/background-task', {
    schema: { tags, summary: 'List background tasks, newest first', querystring: ListQuery, response: { 200: ListOf(TaskOut) } },
  }, async (req) => {
    const page = await ctx.tasks.listTasks(pageOf(req.query, 'descending', 'qtask'));
    return { ...page, data: page.data.map(taskOut) };
  });
}
