import { HeraldError } from '../lib/errors.ts';
import type { Principal } from './auth.ts';
import { findApp, type AppLookup } from './lookup.ts';

/**
 * What each kind of token may do, decided once per request from the route it matched, before validation or the
 * handler runs. An application token is held to its application: any other application's routes answer exactly as
 * for an application that does not exist, so it cannot even learn which ones exist.
 */

/** Token management, the audit log, portal links and operational webhooks (which see every application). */
const ADMIN_ONLY = /^\/api\/v1\/(token|audit-log|auth|operational-webhook)(\/|$)/;
const APP_ROUTE = /^\/api\/v1\/app\/:app_id(\/|$)/;
/** Reads that hand out what signs or authenticates deliveries (an endpoint's or a destination's): not for the global read-only scope. */
const SECRET_READ = /\/(endpoint\/:endpoint_id\/(secret|headers|auth)|destination\/:destination_id\/secret)$/;
/** Global reads an application token may make (the shared event catalogue; its own tasks, checked by the route). */
const APP_TOKEN_GLOBAL_READS = new Set(['/api/v1/event-type', '/api/v1/event-type/:event_type_name', '/api/v1/background-task/:task_id']);
/**
 * GETs that change things: opening a listen session creates or updates the session's endpoint; a named poller
 * consumer's read moves its position.
 */
const CHANGING_GETS = new Set(['/api/v1/app/:app_id/listen/:name', '/api/v1/app/:app_id/poller/:sink_id/consumer/:consumer_id']);
export const WHOAMI_ROUTE = '/api/v1/auth/me';
/** Revokes the token that calls it: any token may end itself, read-only ones included. */
export const LOGOUT_ROUTE = '/api/v1/auth/logout';

const forbidden = (detail: string) => new HeraldError(403, 'forbidden', detail);

/** Metrics span every application: admin and read-only tokens only. */
export function assertMayReadMetrics(principal: Principal): void {
  if (principal.scope === 'app') throw forbidden('An application token reaches only its own application');
}

export async function authorize(
  ctx: AppLookup,
  principal: Principal,
  request: { method: string; route: string | undefined; params: unknown },
): Promise<void> {
  if (principal.scope === 'admin') return;
  const route = request.route;
  // Unmatched paths answer 404 for everyone alike.
  if (route === undefined) return;
  // Every token may ask who it is (the dashboard does, to know what to show), and end itself.
  if (route === WHOAMI_ROUTE || route === LOGOUT_ROUTE) return;
  const isRead = (request.method === 'GET' || request.method === 'HEAD') && !CHANGING_GETS.has(route);
  if (ADMIN_ONLY.test(route)) throw forbidden('This needs an admin token');

  if (route === '/metrics') return assertMayReadMetrics(principal);
  if (principal.scope === 'app') {
    if (APP_ROUTE.test(route)) {
      const ref = (request.params as { app_id?: string }).app_id ?? '';
      const app = await findApp(ctx, ref);
      if (!app || app.id !== principal.appId) throw HeraldError.notFound('Application');
      if (route === '/api/v1/app/:app_id' && !isRead) throw forbidden('An application token cannot change or delete its application');
    } else if (!(isRead && APP_TOKEN_GLOBAL_READS.has(route))) {
      throw forbidden('An application token reaches only its own application');
    }
  } else if (isRead && !SECRET_READ.test(route)) {
    return;
  } else if (isRead) {
    throw forbidden('A read-only token cannot read signing secrets, custom headers or authentication settings');
  }
  if ((principal.readOnly || principal.scope === 'read-only') && !isRead) throw forbidden('This token may only read');
}
