import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCompiled } from '../lib/layout.ts';
import { PORTAL_PATH } from './security-headers.ts';

/**
 * Where the built dashboard is, seen from this module (its import.meta.url): in the compiled build, dist/dashboard/,
 * where the build copies it; in a checkout, the dashboard package's own dist/ (npm ci builds it: its `prepare`
 * script).
 */
export const dashboardDirFrom = (moduleUrl: string): string =>
  fileURLToPath(new URL(isCompiled(moduleUrl) ? '../dashboard/' : '../../../dashboard/dist/', moduleUrl));

export const DASHBOARD_DIR = dashboardDirFrom(import.meta.url);

/**
 * The web dashboard and consumer portal at /ui: static files only (the app talks to the API like any client, with
 * the token its user signs in with). It routes in the URL's fragment, so the server needs no page fallback.
 * Returns whether it is served.
 */
export async function registerDashboard(app: FastifyInstance): Promise<boolean> {
  // Someone opening Herald's address in a browser wants the dashboard. Relative, so a proxy's path prefix is kept.
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('ui/'));
  if (!existsSync(path.join(DASHBOARD_DIR, 'index.html'))) {
    app.get('/ui', { schema: { hide: true } }, async (_request, reply) =>
      reply.status(404).send({ code: 'not_found', detail: 'The dashboard is not built: run npm run build --workspace @herald/dashboard' }));
    return false;
  }
  await app.register(fastifyStatic, {
    root: DASHBOARD_DIR,
    prefix: '/ui/',
    index: ['index.html'],
    // File names under assets/ carry a hash of their content: cached for good. The page itself is always fetched.
    setHeaders: (res, file) => res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  // The page itself, at /ui and /ui/ alike (the router ignores trailing slashes).
  app.get('/ui', { schema: { hide: true } }, async (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  // The consumer portal is the same page: links from /api/v1/auth/app-portal-access open /ui/portal#token=….
  app.get(PORTAL_PATH, { schema: { hide: true } }, async (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  return true;
}
