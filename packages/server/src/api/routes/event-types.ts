import { Ajv, type AnySchemaObject } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { HeraldError } from '../../lib/errors.ts';
import type { EventType } from '../../store/types.ts';
import type { Api, ApiContext } from '../context.ts';
import { pageOf } from '../paging.ts';
import { EventTypeDeleteQuery, EventTypeIn, EventTypeListQuery, EventTypeOut, EventTypeParams, EventTypePatch, EventTypeUpdate, ListOf } from '@herald/wire';
import { eventTypeOut } from '../serialize.ts';

const tags = ['Event Type'];
const checkerOptions = { strict: false, allErrors: false, logger: false } as const;
/** One checker per JSON Schema dialect users send; a schema without `$schema` may be in either common one. */
const DIALECTS = {
  '2020-12': new Ajv2020(checkerOptions),
  '2019-09': new Ajv2019(checkerOptions),
  'draft-07': new Ajv(checkerOptions),
};
type Dialect = keyof typeof DIALECTS;

function dialectOf($schema: unknown): Dialect | undefined {
  if (typeof $schema !== 'string') return undefined;
  const uri = $schema.replace(/^https?:\/\//, '').replace(/#$/, '');
  if (uri === 'json-schema.org/draft/2020-12/schema') return '2020-12';
  if (uri === 'json-schema.org/draft/2019-09/schema') return '2019-09';
  if (uri === 'json-schema.org/draft-07/schema') return 'draft-07';
  return undefined;
}

/**
 * Compiles the schema and forgets it at once: a checker that kept what it compiled would grow with every write
 * and reject the next version of a schema that carries the same `$id`.
 */
function compileError(dialect: Dialect, schema: AnySchemaObject): string | undefined {
  const checker = DIALECTS[dialect];
  try {
    checker.compile(schema);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    checker.removeSchema();
  }
}

/** Each version's schema must itself be a valid JSON Schema (2020-12, 2019-09 or draft-07), so consumers can rely on it. */
function checkSchemas(schemas: Record<string, unknown> | null | undefined): void {
  if (!schemas) return;
  for (const [version, schema] of Object.entries(schemas)) {
    const { $schema, ...body } = schema as AnySchemaObject;
    const invalid = (msg: string) => HeraldError.validation(['body', 'schemas', version], `not a valid JSON Schema: ${msg}`);
    const named = dialectOf($schema);
    if ($schema !== undefined && !named) throw invalid(`unsupported $schema ${JSON.stringify($schema)}; use draft-07, 2019-09 or 2020-12`);
    // Without $schema the dialect is unknown, so a schema valid in either common one is accepted.
    const dialects: Dialect[] = named ? [named] : ['2020-12', 'draft-07'];
    const errors: string[] = [];
    for (const dialect of dialects) {
      const error = compileError(dialect, body);
      if (!error) break;
      errors.push(error);
    }
    if (errors.length === dialects.length) throw invalid(errors[0]!);
  }
}

function flags(b: { featureFlag?: string | null; featureFlags?: string[] | null }): string[] | null {
  if (b.featureFlags !== undefined) return b.featureFlags;
  return b.featureFlag ? [b.featureFlag] : null;
}

/** What these routes use of the API's context. */
type RouteContext = Pick<ApiContext, 'catalog'>;

/** Creates the event type, or replaces every field of an existing one (keeping its creation time). */
async function writeEventType(ctx: RouteContext, name: string, b: EventTypeUpdate, existing: EventType | undefined): Promise<EventType> {
  const now = Date.now();
  const eventType: EventType = {
    name,
    description: b.description,
    schemas: b.schemas ?? null,
    archived: b.archived ?? false,
    deprecated: b.deprecated ?? false,
    featureFlags: flags(b),
    groupName: b.groupName ?? null,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  if (existing) await ctx.catalog.updateEventType(eventType);
  else await ctx.catalog.createEventType(eventType);
  return eventType;
}

export function registerEventTypeRoutes(api: Api, ctx: RouteContext): void {
  api.get('/api/v1/event-type', {
    schema: {
      tags, summary: 'List event types',
      querystring: EventTypeListQuery,
      response: { 200: ListOf(EventTypeOut) },
    },
  }, async (req) => {
    const page = await ctx.catalog.listEventTypes(pageOf(req.query, 'ascending', 'event-type'), req.query.include_archived ?? false);
    return { ...page, data: page.data.map((e) => eventTypeOut(e, req.query.with_content ?? false)) };
  });

  api.post('/api/v1/event-type', {
    schema: { tags, summary: 'Create an event type', body: EventTypeIn, response: { 201: EventTypeOut } },
  }, async (req, reply) => {
    const b = req.body;
    checkSchemas(b.schemas);
    const existing = await ctx.catalog.getEventType(b.name);
    // Svix documents create as the way to unarchive: an archived type is restored with the new fields; a live one conflicts.
    if (existing && !existing.archived) throw new HeraldError(409, 'event_type_exists', 'An event type with this name already exists');
    const eventType = await writeEventType(ctx, b.name, b, existing);
    return reply.status(201).send(eventTypeOut(eventType));
  });

  api.get('/api/v1/event-type/:event_type_name', {
    schema: { tags, summary: 'Get an event type', params: EventTypeParams, response: { 200: EventTypeOut } },
  }, async (req) => {
    const eventType = await ctx.catalog.getEventType(req.params.event_type_name);
    if (!eventType) throw HeraldError.notFound('Event type');
    return eventTypeOut(eventType);
  });

  api.put('/api/v1/event-type/:event_type_name', {
    schema: { tags, summary: 'Update (or create) an event type', params: EventTypeParams, body: EventTypeUpdate, response: { 200: EventTypeOut, 201: EventTypeOut } },
  }, async (req, reply) => {
    const b = req.body;
    checkSchemas(b.schemas);
    const existing = await ctx.catalog.getEventType(req.params.event_type_name);
    const eventType = await writeEventType(ctx, req.params.event_type_name, b, existing);
    return reply.status(existing ? 200 : 201).send(eventTypeOut(eventType));
  });

  api.patch('/api/v1/event-type/:event_type_name', {
    schema: { tags, summary: 'Patch an event type', params: EventTypeParams, body: EventTypePatch, response: { 200: EventTypeOut } },
  }, async (req) => {
    const existing = await ctx.catalog.getEventType(req.params.event_type_name);
    if (!existing) throw HeraldError.notFound('Event type');
    const b = req.body;
    checkSchemas(b.schemas);
    const eventType: EventType = {
      ...existing,
      description: b.description ?? existing.description,
      schemas: b.schemas === undefined ? existing.schemas : b.schemas,
      archived: b.archived ?? existing.archived,
      deprecated: b.deprecated ?? existing.deprecated,
      featureFlags: b.featureFlag === undefined && b.featureFlags === undefined ? existing.featureFlags : flags(b),
      groupName: b.groupName === undefined ? existing.groupName : b.groupName,
      updatedAt: Date.now(),
    };
    await ctx.catalog.updateEventType(eventType);
    return eventTypeOut(eventType);
  });

  api.delete('/api/v1/event-type/:event_type_name', {
    schema: {
      tags, summary: 'Archive (or with expunge=true, delete) an event type',
      params: EventTypeParams, querystring: EventTypeDeleteQuery,
    },
  }, async (req, reply) => {
    const existing = await ctx.catalog.getEventType(req.params.event_type_name);
    if (!existing) throw HeraldError.notFound('Event type');
    await ctx.catalog.deleteEventType(existing.name, req.query.expunge ?? false);
    return reply.status(204).send();
  });
}
