import type { MessageOut } from '@herald/wire';
import type { Command } from 'commander';
import { printJson, printPage, printRecord, say, type Column } from '../output.ts';
import { appSubcommand, listSubcommand, pageQuery, timeOption, withApi, type AppOption, type ListOptions } from './shared.ts';

export interface MessageFilterOptions {
  eventTypes?: string;
  channel?: string;
  tag?: string;
  before?: string;
  after?: string;
}

const columns: Column<MessageOut>[] = [
  { header: 'ID', value: (m) => m.id },
  { header: 'EVENT TYPE', value: (m) => m.eventType },
  { header: 'EVENT ID', value: (m) => m.eventId },
  { header: 'CHANNELS', value: (m) => m.channels },
  { header: 'TAGS', value: (m) => m.tags },
  { header: 'CREATED', value: (m) => m.timestamp },
];

/** The path parameters naming a message of an application. */
export const messageParams = (app: string, message: string) => ({ app_id: app, msg_id: message });

/** The message filters the API's message and attempt lists share. */
export function withMessageFilters(command: Command): Command {
  return command
    .option('--event-types <a,b>', 'only these event types')
    .option('--channel <channel>', 'only messages on this channel')
    .option('--tag <tag>', 'only messages with this tag')
    .option('--before <time>', 'created before (date-time, or an age such as 24h)')
    .option('--after <time>', 'created after (date-time, or an age such as 24h)');
}

export function messageFilterQuery(opts: MessageFilterOptions) {
  return {
    event_types: opts.eventTypes,
    channel: opts.channel,
    tag: opts.tag,
    before: timeOption(opts.before, '--before'),
    after: timeOption(opts.after, '--after'),
  };
}

/** herald message list|get|resend|delete-content */
export function registerMessageCommands(program: Command): void {
  const message = program.command('message').description("an application's messages (publish them with \"herald send\")");

  withMessageFilters(listSubcommand(message, "list an application's messages, newest first"))
    .requiredOption('--app <app>', 'the application (id or uid)')
    .action((opts: ListOptions & AppOption & MessageFilterOptions) =>
      withApi(opts, async (api) => {
        // The table shows no payloads: asking for none keeps a page of big messages small.
        const query = { ...pageQuery(opts), ...messageFilterQuery(opts), with_content: opts.json ? undefined : false };
        const page = await api.call('GET /api/v1/app/:app_id/msg', { params: { app_id: opts.app }, query });
        if (opts.json) printJson(page);
        else printPage(page, columns, 'no messages');
      }));

  appSubcommand(message, 'get <message>', 'show a message with its payload (by id or eventId)').action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => {
      const found = await api.call('GET /api/v1/app/:app_id/msg/:msg_id', { params: messageParams(opts.app, ref) });
      if (opts.json) return printJson(found);
      const { payload, ...rest } = found;
      printRecord(rest);
      say(JSON.stringify(payload, null, 2));
    }));

  appSubcommand(message, 'resend <message>', 'send a message to an endpoint again, now, with a fresh retry schedule')
    .requiredOption('--endpoint <endpoint>', 'the endpoint (id or uid)')
    .action((ref: string, opts: AppOption & { endpoint: string }) =>
      withApi(opts, async (api) => {
        const out = await api.call('POST /api/v1/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/resend', { params: { ...messageParams(opts.app, ref), endpoint_id: opts.endpoint } });
        if (opts.json) printJson(out);
        else say(`resending ${ref} to ${opts.endpoint}`);
      }));

  appSubcommand(message, 'delete-content <message>', "delete a message's payload for good (its delivery log stays)").action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => {
      await api.call('DELETE /api/v1/app/:app_id/msg/:msg_id/content', { params: messageParams(opts.app, ref) });
      if (!opts.json) say(`deleted the payload of ${ref}`);
    }));
}
