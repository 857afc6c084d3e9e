import type { EventTypeOut } from '@herald/wire';
import type { Command } from 'commander';
import { UsageError } from '../client.ts';
import { printJson, printPage, printRecord, say, type Column } from '../output.ts';
import { csvList, defined, listSubcommand, pageQuery, readJsonFile, subcommand, withApi, type CommonOptions, type ListOptions } from './shared.ts';

interface EventTypeFields extends CommonOptions {
  description?: string;
  schemaFile?: string;
  featureFlags?: string;
  groupName?: string;
  deprecated?: boolean;
  archived?: boolean;
}

const columns: Column<EventTypeOut>[] = [
  { header: 'NAME', value: (e) => e.name, max: 60 },
  { header: 'DESCRIPTION', value: (e) => e.description, max: 50 },
  { header: 'FLAGS', value: (e) => [e.archived ? 'archived' : '', e.deprecated ? 'deprecated' : ''].filter(Boolean) },
  { header: 'SCHEMA', value: (e) => (e.schemas ? Object.keys(e.schemas).map((v) => `v${v}`) : null) },
  { header: 'UPDATED', value: (e) => e.updatedAt },
];

function withEventTypeFields(command: Command): Command {
  return command
    .option('--schema-file <file>', "a JSON Schema file for the payload, stored as the event type's version 1 schema")
    .option('--feature-flags <a,b>', 'feature flags that must be granted to see this event type')
    .option('--group-name <name>', 'group for display')
    .option('--deprecated', 'mark as deprecated');
}

async function eventTypeBody(opts: EventTypeFields) {
  const schema = opts.schemaFile === undefined ? undefined : await readJsonFile(opts.schemaFile, '--schema-file');
  if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    throw new UsageError(`--schema-file: ${opts.schemaFile} must hold a JSON Schema object`);
  }
  return defined({
    description: opts.description,
    schemas: schema === undefined ? undefined : { '1': schema },
    featureFlags: csvList(opts.featureFlags),
    groupName: opts.groupName,
    deprecated: opts.deprecated,
    archived: opts.archived,
  });
}

function show(eventType: EventTypeOut, opts: CommonOptions, verb?: string): void {
  if (opts.json) return printJson(eventType);
  if (verb) say(`${verb} event type ${eventType.name}`);
  printRecord({ ...eventType });
}

/** herald event-type list|get|create|update|delete */
export function registerEventTypeCommands(program: Command): void {
  const eventType = program.command('event-type').description('manage event types (the names messages are published under)');

  listSubcommand(eventType, 'list event types')
    .option('--include-archived', 'list archived ones too')
    .action((opts: ListOptions & { includeArchived?: boolean }) =>
      withApi(opts, async (api) => {
        const query = { ...pageQuery(opts), include_archived: opts.includeArchived, with_content: true };
        const page = await api.call('GET /api/v1/event-type', { query });
        if (opts.json) printJson(page);
        else printPage(page, columns, 'no event types');
      }));

  subcommand(eventType, 'get <name>', 'show an event type with its schemas').action((name: string, opts: CommonOptions) =>
    withApi(opts, async (api) => show(await api.call('GET /api/v1/event-type/:event_type_name', { params: { event_type_name: name } }), opts)));

  withEventTypeFields(subcommand(eventType, 'create <name>', 'create an event type (or restore an archived one)'))
    .option('--description <text>', 'what the event means', '')
    .action((name: string, opts: EventTypeFields & { description: string }) =>
      withApi(opts, async (api) => {
        const body = { name, description: opts.description, ...(await eventTypeBody(opts)) };
        show(await api.call('POST /api/v1/event-type', { body }), opts, 'created');
      }));

  withEventTypeFields(subcommand(eventType, 'update <name>', 'change the given fields of an event type'))
    .option('--description <text>', 'what the event means')
    .option('--no-deprecated', 'no longer deprecated')
    .option('--archived', 'archive it (hidden from lists, still usable)')
    .option('--no-archived', 'restore it from the archive')
    .action((name: string, opts: EventTypeFields) =>
      withApi(opts, async (api) => {
        const body = await eventTypeBody(opts);
        if (Object.keys(body).length === 0) throw new UsageError('nothing to update: give --description, --schema-file, --feature-flags, --group-name, --[no-]deprecated or --[no-]archived');
        show(await api.call('PATCH /api/v1/event-type/:event_type_name', { params: { event_type_name: name }, body }), opts, 'updated');
      }));

  subcommand(eventType, 'delete <name>', 'archive an event type (with --expunge, delete it for good)')
    .option('--expunge', 'delete it for good instead of archiving it')
    .action((name: string, opts: CommonOptions & { expunge?: boolean }) =>
      withApi(opts, async (api) => {
        await api.call('DELETE /api/v1/event-type/:event_type_name', { params: { event_type_name: name }, query: { expunge: opts.expunge } });
        if (!opts.json) say(`${opts.expunge ? 'deleted' : 'archived'} event type ${name}`);
      }));
}
