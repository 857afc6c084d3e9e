import { HeraldError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { InboundRequest, InboundStatus, Source } from '../../store/inbound-types.ts';
import type { App } from '../../store/types.ts';
import { redactVerification, type Verification } from '../../inbound/verification.ts';
import { checkVerification } from '../../inbound/verification-input.ts';
import type { Api, ApiContext } from '../context.ts';
import { checkUid } from '../lookup.ts';
import { checkIterator, pageOf, parseTime } from '../paging.ts';
import {
  InboundReplayOut, InboundRequestListQuery, InboundRequestOut, InboundRequestParams, ListOf, ListQuery, SourceIn, SourceOut, SourceParams, SourcePatch,
  SourceReplayIn, SourceReplayOut,
} from '@herald/wire';
import { iso } from '../serialize.ts';

const tags = ['Inbound'];
const DEFAULT_DEDUPE_WINDOW_S = 86_400;
/** Range replays go in pages, so one call stays short; the answer says where to go on. */
const REPLAY_PAGE = 500;

const sourceOut = (s: Source): SourceOut => ({
  id: s.id,
  uid: s.uid,
  name: s.name,
  appId: s.appId,
  ingestPath: `/in/${s.uid ?? s.id}`,
  verification: redactVerification(s.verification as Verification),
  response: s.response,
  inspect: s.inspect,
  dedupeWindow: s.dedupeWindowSeconds,
  signForwarded: s.signForwarded,
  createdAt: iso(s.createdAt),
  updatedAt: iso(s.updatedAt),
});

function requestOut(q: InboundRequest): InboundRequestOut {
  const text = q.body.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(q.body);
  return {
    id: q.id, sourceId: q.sourceId, receivedAt: iso(q.receivedAt), method: q.method, path: q.path, query: q.query, headers: q.headers,
    body: utf8 ? text : q.body.toString('base64'), bodyEncoding: utf8 ? ('utf8' as const) : ('base64' as const), ip: q.ip, status: q.status,
    reason: q.reason, providerId: q.providerId, eventType: q.eventType, messageId: q.messageId,
  };
}

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'inbound' | 'ingestor'>;

export async function requireSource(ctx: Pick<ApiContext, 'inbound'>, ref: string): Promise<Source> {
  const source = await ctx.inbound.getSource(ref);
  if (!source) throw HeraldError.notFound('Source');
  return source;
}

/** A request can be sent on again unless it was never meant to be: a forged one, or a provider's setup call. */
async function replayOne(ctx: RouteContext, source: Source, request: InboundRequest): Promise<string> {
  if (request.status === 'rejected' || request.status === 'handshake') {
    throw HeraldError.conflict(`A ${request.status} request is never forwarded`);
  }
  // Captured in inspect mode without passing verification: as untrustworthy as a rejected one.
  if (request.status === 'inspected' && request.reason !== null) {
    throw HeraldError.conflict(`This request failed verification when it arrived (${request.reason}) and is never forwarded`);
  }
  return ctx.ingestor.forward(source, request);
}

export function registerSourceRoutes(api: Api, ctx: RouteContext): void {
  api.post('/api/v1/source', {
    schema: { tags, summary: 'Create an inbound source (a public ingest URL with a verification scheme)', body: SourceIn, response: { 201: SourceOut } },
  }, async (req, reply) => {
    const b: SourceIn = req.body;
    checkUid(b.uid, 'src');
    const verification = checkVerification(b.verification);
    const now = Date.now();
    const id = newId('src', now);
    // Its destinations are the endpoints of an application of its own: everything outbound has works for them.
    const app: App = { id: newId('app', now), uid: b.uid ? `source-${b.uid}` : null, name: `Source: ${b.name}`, metadata: { 'herald.source': id }, throttleRate: null, createdAt: now, updatedAt: now };
    const source: Source = {
      id, uid: b.uid ?? null, name: b.name, appId: app.id, verification: verification as Source['verification'],
      response: { status: b.response?.status ?? 200, body: b.response?.body ?? null, contentType: b.response?.contentType ?? null },
      inspect: b.inspect ?? false, dedupeWindowSeconds: b.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW_S, signForwarded: b.signForwarded ?? false,
      createdAt: now, updatedAt: now,
    };
    await ctx.inbound.createSource(source, app);
    return reply.status(201).send(sourceOut(source));
  });

  api.get('/api/v1/source', {
    schema: { tags, summary: 'List inbound sources', querystring: ListQuery, response: { 200: ListOf(SourceOut) } },
  }, async (req) => {
    const page = await ctx.inbound.listSources(pageOf(req.query, 'ascending', 'src'));
    return { ...page, data: page.data.map(sourceOut) };
  });

  api.get('/api/v1/source/:source_id', {
    schema: { tags, summary: 'Get an inbound source (its secrets masked)', params: SourceParams, response: { 200: SourceOut } },
  }, async (req) => sourceOut(await requireSource(ctx, req.params.source_id)));

  api.patch('/api/v1/source/:source_id', {
    schema: { tags, summary: 'Change the given fields of an inbound source', params: SourceParams, body: SourcePatch, response: { 200: SourceOut } },
  }, async (req) => {
    const existing = await requireSource(ctx, req.params.source_id);
    const b: SourcePatch = req.body;
    if (b.uid !== undefined) checkUid(b.uid, 'src');
    const updated: Source = {
      ...existing,
      name: b.name ?? existing.name,
      uid: b.uid === undefined ? existing.uid : b.uid,
      verification: b.verification ? (checkVerification(b.verification) as Source['verification']) : existing.verification,
      response: b.response
        ? { status: b.response.status, body: b.response.body ?? null, contentType: b.response.contentType ?? null }
        : existing.response,
      inspect: b.inspect ?? existing.inspect,
      dedupeWindowSeconds: b.dedupeWindow ?? existing.dedupeWindowSeconds,
      signForwarded: b.signForwarded ?? existing.signForwarded,
      updatedAt: Date.now(),
    };
    await ctx.inbound.updateSource(updated);
    return sourceOut(updated);
  });

  api.delete('/api/v1/source/:source_id', {
    schema: { tags, summary: 'Delete an inbound source with its destinations and stored requests', params: SourceParams },
  }, async (req, reply) => {
    const source = await requireSource(ctx, req.params.source_id);
    await ctx.inbound.deleteSource(source.id);
    return reply.status(204).send();
  });

  api.get('/api/v1/source/:source_id/request', {
    schema: {
      tags, summary: 'Requests the source received, newest first',
      params: SourceParams,
      querystring: InboundRequestListQuery,
      response: { 200: ListOf(InboundRequestOut) },
    },
  }, async (req) => {
    const source = await requireSource(ctx, req.params.source_id);
    const q = req.query;
    const page = await ctx.inbound.listInboundRequests(
      source.id, { status: q.status as InboundStatus | undefined, since: parseTime(q.since, 'since'), until: parseTime(q.until, 'until') },
      pageOf(q, 'descending', 'inreq'),
    );
    return { ...page, data: page.data.map(requestOut) };
  });

  api.get('/api/v1/source/:source_id/request/:request_id', {
    schema: { tags, summary: 'A received request as it came', params: InboundRequestParams, response: { 200: InboundRequestOut } },
  }, async (req) => {
    const source = await requireSource(ctx, req.params.source_id);
    const request = await ctx.inbound.getInboundRequest(source.id, req.params.request_id);
    if (!request) throw HeraldError.notFound('Inbound request');
    return requestOut(request);
  });

  api.post('/api/v1/source/:source_id/request/:request_id/replay', {
    schema: {
      tags, summary: 'Send a stored request to the destinations again (as a new message)',
      params: InboundRequestParams, response: { 202: InboundReplayOut },
    },
  }, async (req, reply) => {
    const source = await requireSource(ctx, req.params.source_id);
    const request = await ctx.inbound.getInboundRequest(source.id, req.params.request_id);
    if (!request) throw HeraldError.notFound('Inbound request');
    return reply.status(202).send({ messageId: await replayOne(ctx, source, request) });
  });

  api.post('/api/v1/source/:source_id/replay', {
    schema: {
      tags, summary: `Send the requests accepted in a time range to the destinations again (${REPLAY_PAGE} per call)`,
      params: SourceParams,
      body: SourceReplayIn,
      response: { 202: SourceReplayOut },
    },
  }, async (req, reply) => {
    const source = await requireSource(ctx, req.params.source_id);
    const b = req.body;
    const page = await ctx.inbound.listInboundRequests(
      source.id, { status: 'accepted', since: Date.parse(b.since), until: b.until ? Date.parse(b.until) : undefined },
      { limit: REPLAY_PAGE, iterator: checkIterator(b.iterator, 'inreq', ['body', 'iterator']), order: 'ascending' },
    );
    for (const request of page.data) await replayOne(ctx, source, request);
    return reply.status(202).send({ replayed: page.data.length, iterator: page.done ? null : page.iterator, done: page.done });
  });
}
