import type { EndpointCache } from '../delivery/endpoint-cache.ts';
import { OPERATIONAL_APP_ID } from '../delivery/operational.ts';
import { HeraldError } from '../lib/errors.ts';
import { looksLikeId, type IdPrefix } from '../lib/ids.ts';
import type { CatalogStore, HistoryStore } from '../store/storage.ts';
import type { App, Endpoint, Message } from '../store/types.ts';

/** Finding what a path names (by id or uid) or answering 404, and the uid rules shared by every resource. */

/** Applications are looked up through the endpoint cache (publishing reads them there too). */
export interface AppLookup {
  endpoints: Pick<EndpointCache, 'app'>;
}

/**
 * An application as the REST API sees it: the internal application of operational webhooks is not one of them
 * (its endpoints are managed under /api/v1/operational-webhook, and nobody may publish into it).
 */
export async function findApp(ctx: AppLookup, ref: string): Promise<App | undefined> {
  const app = await ctx.endpoints.app(ref);
  return app && app.id !== OPERATIONAL_APP_ID ? app : undefined;
}

export async function requireApp(ctx: AppLookup, ref: string): Promise<App> {
  const app = await findApp(ctx, ref);
  if (!app) throw HeraldError.notFound('Application');
  return app;
}

export async function requireEndpoint(
  ctx: AppLookup & { catalog: Pick<CatalogStore, 'getEndpoint'> },
  appRef: string,
  ref: string,
): Promise<{ app: App; endpoint: Endpoint }> {
  const app = await requireApp(ctx, appRef);
  const endpoint = await ctx.catalog.getEndpoint(app.id, ref);
  if (!endpoint) throw HeraldError.notFound('Endpoint');
  return { app, endpoint };
}

export async function requireMessage(
  ctx: AppLookup & { history: Pick<HistoryStore, 'getMessage'> },
  appRef: string,
  ref: string,
): Promise<{ app: App; message: Message }> {
  const app = await requireApp(ctx, appRef);
  const message = await ctx.history.getMessage(app.id, ref);
  if (!message) throw HeraldError.notFound('Message');
  return { app, message };
}

/** A uid may stand wherever an id does, so it must not look like one. */
export function checkUid(uid: string | null | undefined, prefix: IdPrefix, field = 'uid'): void {
  if (uid && uid.startsWith(`${prefix}_`)) {
    throw new HeraldError(422, 'invalid_uid_prefix', `${field} must not start with "${prefix}_"`, [
      { loc: ['body', field], msg: `${field} must not start with "${prefix}_"`, type: 'value_error' },
    ]);
  }
}

/**
 * The uid a PUT leaves on the resource its path names: the body's if it gives one, otherwise the uid the path used.
 * So a PUT by uid creates the resource under that uid and, repeated, finds and keeps it rather than clearing the
 * uid (which would make the next repeat create a second resource). A PUT by id without a uid replaces it with none.
 */
export function uidForPut(bodyUid: string | null | undefined, pathRef: string, prefix: IdPrefix): string | null {
  return bodyUid ?? (looksLikeId(prefix, pathRef) ? null : pathRef);
}
