import { Type } from 'typebox';
import { HeraldError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { ApiToken, TokenScope } from '../../store/access-types.ts';
import { LOGOUT_ROUTE, WHOAMI_ROUTE } from '../access.ts';
import { generateToken } from '../auth.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireApp } from '../lookup.ts';
import { pageOf } from '../paging.ts';
import {
  AppParams, ListOf, PortalAccessIn, PortalAccessOut, TokenCreatedOut, TokenIn, TokenListQuery, TokenOut, TokenParams, WhoAmIOut,
} from '@herald/wire';
import { iso } from '../serialize.ts';

const tags = ['Authentication'];
const DAY_S = 86_400;
/** Svix's default lifetime of a portal link. */
const PORTAL_DEFAULT_EXPIRY_S = 7 * DAY_S;

const tokenOut = (t: ApiToken): TokenOut => ({
  id: t.id,
  name: t.name,
  scope: t.scope,
  appId: t.appId,
  readOnly: t.readOnly,
  rateLimit: t.rateLimit,
  portal: t.portal,
  prefix: t.prefix,
  createdBy: t.createdBy,
  createdAt: iso(t.createdAt),
  expiresAt: t.expiresAt === null ? null : iso(t.expiresAt),
  lastUsedAt: t.lastUsedAt === null ? null : iso(t.lastUsedAt),
});

interface NewToken {
  name: string;
  scope: TokenScope;
  appId: string | null;
  readOnly: boolean;
  rateLimit: number | null;
  portal: boolean;
  expiresAt: number | null;
  createdBy: string;
}

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'config' | 'access' | 'auth' | 'endpoints'>;

async function issueToken(ctx: RouteContext, spec: NewToken): Promise<{ token: string; row: ApiToken }> {
  const now = Date.now();
  const { token, tokenHash, prefix } = generateToken(spec.portal ? 'portal' : 'tok');
  const row: ApiToken = { id: newId('tok', now), tokenHash, prefix, createdAt: now, lastUsedAt: null, ...spec };
  await ctx.access.createApiToken(row);
  return { token, row };
}

/** Where the consumer portal lives: the configured public URL, else the address this request came to. */
function portalUrl(ctx: RouteContext, request: { protocol: string; host: string }, token: string): string {
  const base = (ctx.config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  // In the fragment: browsers never send it, so the token stays out of server logs and Referer headers.
  return `${base}/ui/portal#token=${encodeURIComponent(token)}`;
}

export function registerTokenRoutes(api: Api, ctx: RouteContext): void {
  api.post('/api/v1/token', {
    schema: {
      tags, summary: 'Create an API token (admin only); the token is in this answer only',
      body: TokenIn, response: { 201: TokenCreatedOut },
    },
  }, async (req, reply) => {
    const b: TokenIn = req.body;
    if (b.scope === 'app' && !b.appId) throw HeraldError.validation(['body', 'appId'], 'an app token needs appId');
    if (b.scope !== 'app' && b.appId) throw HeraldError.validation(['body', 'appId'], 'only an app token has appId');
    if (b.scope === 'admin' && b.readOnly) throw HeraldError.validation(['body', 'readOnly'], 'an admin token cannot be read-only: use scope read-only');
    const app = b.appId ? await requireApp(ctx, b.appId) : null;
    const { token, row } = await issueToken(ctx, {
      name: b.name,
      scope: b.scope,
      appId: app?.id ?? null,
      readOnly: b.scope === 'read-only' || (b.readOnly ?? false),
      rateLimit: b.rateLimit ?? null,
      portal: false,
      expiresAt: b.expiresIn ? Date.now() + b.expiresIn * 1000 : null,
      createdBy: req.principal!.name,
    });
    return reply.status(201).send({ ...tokenOut(row), token });
  });

  api.get('/api/v1/token', {
    schema: {
      tags, summary: 'List API tokens (portal links only with portal=true)',
      querystring: TokenListQuery,
      response: { 200: ListOf(TokenOut) },
    },
  }, async (req) => {
    const page = await ctx.access.listApiTokens({ portal: req.query.portal ?? false }, pageOf(req.query, 'ascending', 'tok'));
    return { ...page, data: page.data.map(tokenOut) };
  });

  api.get('/api/v1/token/:token_id', {
    schema: { tags, summary: 'Get an API token (never the token itself)', params: TokenParams, response: { 200: TokenOut } },
  }, async (req) => {
    const token = await ctx.access.getApiToken(req.params.token_id);
    if (!token) throw HeraldError.notFound('Token');
    return tokenOut(token);
  });

  api.delete('/api/v1/token/:token_id', {
    schema: { tags, summary: 'Revoke an API token', params: TokenParams },
  }, async (req, reply) => {
    if (!(await ctx.access.deleteApiToken(req.params.token_id))) throw HeraldError.notFound('Token');
    ctx.auth.forget(req.params.token_id);
    return reply.status(204).send();
  });

  api.get(WHOAMI_ROUTE, {
    schema: {
      tags, summary: 'Who the token making this request is: its scope, and the one application an app token reaches',
      response: { 200: WhoAmIOut },
    },
  }, async (req): Promise<WhoAmIOut> => {
    const { tokenId, name, scope, appId, readOnly } = req.principal!;
    return { tokenId, name, scope, appId, readOnly: readOnly || scope === 'read-only' };
  });

  api.post(LOGOUT_ROUTE, {
    schema: { tags, summary: 'Revoke the token making this request (a portal link signing out, a CI token retiring itself)' },
  }, async (req, reply) => {
    const { tokenId } = req.principal!;
    if (tokenId === null) {
      throw HeraldError.conflict('The admin token comes from the configuration (HERALD_ADMIN_TOKEN or the first start) and cannot be revoked');
    }
    // Already gone (revoked elsewhere while this process still trusted its cached lookup): the outcome is the same.
    await ctx.access.deleteApiToken(tokenId);
    ctx.auth.forget(tokenId);
    return reply.status(204).send();
  });

  api.post('/api/v1/auth/app-portal-access/:app_id', {
    schema: {
      tags, summary: 'A consumer portal link and token reaching one application, with an expiry',
      params: AppParams, body: Type.Optional(PortalAccessIn), response: { 200: PortalAccessOut },
    },
  }, async (req) => {
    const app = await requireApp(ctx, req.params.app_id);
    const body: PortalAccessIn = req.body ?? {};
    const readOnly = body.readOnly ?? false;
    const { token } = await issueToken(ctx, {
      name: `portal ${app.uid ?? app.id}${readOnly ? ' (read-only)' : ''}`,
      scope: 'app',
      appId: app.id,
      readOnly,
      rateLimit: null,
      portal: true,
      expiresAt: Date.now() + (body.expiry ?? PORTAL_DEFAULT_EXPIRY_S) * 1000,
      createdBy: req.principal!.name,
    });
    return { url: portalUrl(ctx, req, token), token };
  });
}
