import { newId } from '../../lib/ids.ts';
import type { App } from '../../store/types.ts';
import type { Api, ApiContext } from '../context.ts';
import { OPERATIONAL_APP_ID } from '../../delivery/operational.ts';
import { checkUid, findApp, requireApp, uidForPut } from '../lookup.ts';
import { pageOf } from '../paging.ts';
import { AppParams, ApplicationIn, ApplicationOut, ApplicationPatch, CreateApplicationQuery, ListOf, ListQuery } from '@herald/wire';
import { applicationOut } from '../serialize.ts';

const tags = ['Application'];

/** Creates an application from ApplicationIn; the caller has checked the uid is free. */
export async function createApplication(ctx: Pick<ApiContext, 'catalog'>, body: ApplicationIn): Promise<App> {
  checkUid(body.uid, 'app');
  const now = Date.now();
  const app: App = {
    id: newId('app', now),
    uid: body.uid ?? null,
    name: body.name,
    metadata: body.metadata ?? {},
    throttleRate: body.throttleRate ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.catalog.createApp(app);
  return app;
}

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'catalog' | 'endpoints'>;

export function registerApplicationRoutes(api: Api, ctx: RouteContext): void {
  api.get('/api/v1/app', {
    schema: { tags, summary: 'List applications', querystring: ListQuery, response: { 200: ListOf(ApplicationOut) } },
  }, async (req) => {
    const page = await ctx.catalog.listApps(pageOf(req.query, 'ascending', 'app'));
    return { ...page, data: page.data.filter((a) => a.id !== OPERATIONAL_APP_ID).map(applicationOut) };
  });

  api.post('/api/v1/app', {
    schema: {
      tags, summary: 'Create an application',
      querystring: CreateApplicationQuery,
      body: ApplicationIn,
      response: { 200: ApplicationOut, 201: ApplicationOut },
    },
  }, async (req, reply) => {
    if (req.query.get_if_exists && req.body.uid) {
      const existing = await findApp(ctx, req.body.uid);
      if (existing) return reply.status(200).send(applicationOut(existing));
    }
    const app = await createApplication(ctx, req.body);
    return reply.status(201).send(applicationOut(app));
  });

  api.get('/api/v1/app/:app_id', {
    schema: { tags, summary: 'Get an application', params: AppParams, response: { 200: ApplicationOut } },
  }, async (req) => applicationOut(await requireApp(ctx, req.params.app_id)));

  api.put('/api/v1/app/:app_id', {
    schema: { tags, summary: 'Update (or create) an application', params: AppParams, body: ApplicationIn, response: { 200: ApplicationOut, 201: ApplicationOut } },
  }, async (req, reply) => {
    const existing = await findApp(ctx, req.params.app_id);
    const uid = uidForPut(req.body.uid, req.params.app_id, 'app');
    if (!existing) {
      const app = await createApplication(ctx, { ...req.body, uid });
      return reply.status(201).send(applicationOut(app));
    }
    checkUid(uid, 'app');
    const app: App = {
      ...existing,
      name: req.body.name,
      uid,
      metadata: req.body.metadata ?? {},
      throttleRate: req.body.throttleRate ?? null,
      updatedAt: Date.now(),
    };
    await ctx.catalog.updateApp(app);
    return reply.status(200).send(applicationOut(app));
  });

  api.patch('/api/v1/app/:app_id', {
    schema: { tags, summary: 'Patch an application', params: AppParams, body: ApplicationPatch, response: { 200: ApplicationOut } },
  }, async (req) => {
    const existing = await requireApp(ctx, req.params.app_id);
    const b = req.body;
    checkUid(b.uid, 'app');
    const app: App = {
      ...existing,
      name: b.name ?? existing.name,
      uid: b.uid === undefined ? existing.uid : b.uid,
      metadata: b.metadata ?? existing.metadata,
      throttleRate: b.throttleRate === undefined ? existing.throttleRate : b.throttleRate,
      updatedAt: Date.now(),
    };
    await ctx.catalog.updateApp(app);
    return applicationOut(app);
  });

  api.delete('/api/v1/app/:app_id', {
    schema: { tags, summary: 'Delete an application', params: AppParams },
  }, async (req, reply) => {
    const app = await requireApp(ctx, req.params.app_id);
    await ctx.catalog.deleteApp(app.id);
    return reply.status(204).send();
  });
}
