import { EndpointAuthIn, EndpointAuthOut, EndpointParams } from '@herald/wire';
import { HeraldError } from '../../lib/errors.ts';
import type { Api, ApiContext } from '../context.ts';
import { checkEndpointAuth, endpointAuthOut, isEmptyAuth } from '../endpoint-auth-input.ts';
import { requireEndpoint } from '../lookup.ts';

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'config' | 'catalog' | 'endpoints' | 'endpointAuth'>;

const tags = ['Endpoint'];
const path = '/api/v1/app/:app_id/endpoint/:endpoint_id/auth';

/**
 * An endpoint's authentication (Herald's own): HTTP basic or OAuth 2.0 client credentials, and a client certificate.
 * It sits beside the endpoint's custom headers and is read under the same rule (not by a read-only token). What comes
 * back never holds a secret: passwords and client secrets masked, no private key or passphrase. A change reaches every
 * process's deliveries at once (store/catalog-changes.ts).
 */
export function registerEndpointAuthRoutes(api: Api, ctx: RouteContext): void {
  api.get(path, {
    schema: { tags, summary: 'Get how Herald authenticates to the endpoint (secrets masked)', params: EndpointParams, response: { 200: EndpointAuthOut } },
  }, async (req) => {
    const { endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    return endpointAuthOut(await ctx.endpointAuth.getEndpointAuth(endpoint.id));
  });

  api.put(path, {
    schema: {
      tags, summary: 'Replace how Herald authenticates to the endpoint: basic or OAuth 2.0 client credentials, and a client certificate',
      params: EndpointParams, body: EndpointAuthIn,
    },
  }, async (req, reply) => {
    const { endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    const auth = checkEndpointAuth(req.body, ctx.config);
    if (isEmptyAuth(auth)) await ctx.endpointAuth.clearEndpointAuth(endpoint.id);
    else if (!(await ctx.endpointAuth.setEndpointAuth(endpoint.id, auth, Date.now()))) throw HeraldError.notFound('Endpoint');
    return reply.status(204).send();
  });

  api.delete(path, {
    schema: { tags, summary: "Remove the endpoint's authentication (its custom headers stay)", params: EndpointParams },
  }, async (req, reply) => {
    const { endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    await ctx.endpointAuth.clearEndpointAuth(endpoint.id);
    return reply.status(204).send();
  });
}
