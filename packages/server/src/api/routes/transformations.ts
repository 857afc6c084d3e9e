import {
  EndpointParams, EndpointTransformationOut, EndpointTransformationPatch, EndpointTransformationSimulateIn, EndpointTransformationSimulateOut,
  SourceParams,
} from '@herald/wire';
import { HeraldError } from '../../lib/errors.ts';
import type { Transformation, TransformationPatch } from '../../store/slices/transformations.ts';
import type { TransformOutcome } from '../../transform/sandbox.ts';
import type { Api, ApiContext } from '../context.ts';
import { requireEndpoint } from '../lookup.ts';
import { requireSource } from './sources.ts';

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'catalog' | 'endpoints' | 'inbound' | 'transformations' | 'transforms'>;

const tags = ['Endpoint'];
const base = '/api/v1/app/:app_id/endpoint/:endpoint_id/transformation';
const sourceBase = '/api/v1/source/:source_id/transformation';
/**
 * The URL a source's transformation sees in a simulation: on delivery it is each destination's own, which a
 * simulation of the source alone does not have.
 */
const SIMULATED_DESTINATION_URL = 'https://destination.example/';

const transformationOut = (t: Transformation): EndpointTransformationOut =>
  ({ code: t.code, enabled: t.enabled, updatedAt: t.updatedAt === null ? null : new Date(t.updatedAt).toISOString() });

/** The store's patch from the body: a field left out (and Svix's `variables`, only ever null) changes nothing. */
const patchOf = ({ code, enabled }: EndpointTransformationPatch): TransformationPatch => ({
  ...(code !== undefined ? { code } : {}), ...(enabled !== undefined ? { enabled } : {}),
});

/** The simulation's answer, or the reason the code failed as a 422 the editor shows. */
function simulated(outcome: TransformOutcome): EndpointTransformationSimulateOut {
  if (!outcome.ok) throw HeraldError.validation(['body', 'code'], outcome.reason, 'transformation_failed');
  const { webhook, cancel } = outcome;
  return { method: webhook.method, url: webhook.url, payload: webhook.payload, cancel, durationMs: outcome.durationMs };
}

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
    return transformationOut(await ctx.transformations.getEndpointTransformation(endpoint.id));
  });

  api.patch(base, {
    schema: { tags, summary: "Set the endpoint's transformation code, or turn it on or off", params: EndpointParams, body: EndpointTransformationPatch },
  }, async (req, reply) => {
    const { endpoint } = await requireEndpoint(ctx, req.params.app_id, req.params.endpoint_id);
    const patched = await ctx.transformations.patchEndpointTransformation(endpoint.id, patchOf(req.body), Date.now());
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
    return simulated(await ctx.transforms.run(code, { method: 'POST', url: endpoint.url, payload, eventType }, endpoint.id));
  });

  // An inbound source's transformation reshapes each request it forwards, on each attempt to each destination.
  const sourceTags = ['Inbound'];
  api.get(sourceBase, {
    schema: { tags: sourceTags, summary: "Get the source's transformation", params: SourceParams, response: { 200: EndpointTransformationOut } },
  }, async (req) => transformationOut(await ctx.transformations.getSourceTransformation((await requireSource(ctx, req.params.source_id)).id)));

  api.patch(sourceBase, {
    schema: { tags: sourceTags, summary: "Set the source's transformation code, or turn it on or off", params: SourceParams, body: EndpointTransformationPatch },
  }, async (req, reply) => {
    const source = await requireSource(ctx, req.params.source_id);
    const patched = await ctx.transformations.patchSourceTransformation(source.id, patchOf(req.body), Date.now());
    if (!patched) throw HeraldError.notFound('Source');
    return reply.status(204).send();
  });

  api.post(`${sourceBase}/simulate`, {
    schema: {
      tags: sourceTags, summary: `Run a source's transformation code against an example request body (its url is ${SIMULATED_DESTINATION_URL})`,
      params: SourceParams, body: EndpointTransformationSimulateIn, response: { 200: EndpointTransformationSimulateOut },
    },
  }, async (req) => {
    const source = await requireSource(ctx, req.params.source_id);
    const { code, eventType, payload } = req.body;
    return simulated(await ctx.transforms.run(code, { method: 'POST', url: SIMULATED_DESTINATION_URL, payload, eventType }, source.id));
  });
}
