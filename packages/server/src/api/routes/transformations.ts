import { EndpointParams, EndpointTransformationOut, EndpointTransformationPatch, EndpointTransformationSimulateIn, EndpointTransformationSimulateOut } from '@herald/wire';
import { HeraldError } from '../../lib/errors.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireEndpoint } from '../lookup.ts';

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'catalog' | 'endpoints' | 'transformations' | 'transforms'>;

const tags = ['Endpoint'];
const base = '/api/v1/app/:app_id/endpoint/:endpoint_id/transformation';

/**
 * An endpoint's transformation (Svix's, as the svix client calls it): JavaScript whose `handler(webhook)` reshapes
 * each webhook before it is sent, run in a sandbox (transform/). `simulate` runs code against an example payload
 * without storing or sending anything, for the editor's "try it".
 */
export function registerTransformationRoutes(api: Api, ctx: RouteContext): void {
  api.get(base, {
    schema: { tags, summary: "Get the endpoint's transformation", params: EndpointParams, response: { 200: EndpointTransformationOut } },
  }, async (req) => {
    const { endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    const t = await ctx.transformations.getEndpointTransformation(endpoint.id);
    return { code: t.code, enabled: t.enabled, updatedAt: t.updatedAt === null ? null : new Date(t.updatedAt).toISOString() };
  });

  api.patch(base, {
    schema: { tags, summary: "Set the endpoint's transformation code, or turn it on or off", params: EndpointParams, body: EndpointTransformationPatch },
  }, async (req, reply) => {
    const { endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    const { code, enabled } = req.body;
    const patched = await ctx.transformations.patchEndpointTransformation(endpoint.id, {
      ...(code !== undefined ? { code } : {}), ...(enabled !== undefined ? { enabled } : {}),
    }, Date.now());
    if (!patched) throw HeraldError.notFound('Endpoint');
    return reply.status(204).send();
  });

  api.post(`${base}/simulate`, {
    schema: {
      tags, summary: 'Run transformation code against an example payload (nothing is stored or sent)',
      params: EndpointParams, body: EndpointTransformationSimulateIn, response: { 200: EndpointTransformationSimulateOut },
    },
  }, async (req) => {
    const { endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    const { code, eventType, payload } = req.body;
    const outcome = await ctx.transforms.run(code, { method: 'POST', url: endpoint.url, payload, eventType });
    if (!outcome.ok) throw HeraldError.validation(['body', 'code'], outcome.reason, 'transformation_failed');
    const { webhook, cancel } = outcome;
    return { method: webhook.method, url: webhook.url, payload: webhook.payload, cancel, durationMs: outcome.durationMs };
  });
}
