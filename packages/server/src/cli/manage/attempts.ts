import type { MessageAttemptOut } from '@herald/wire';
import type { Command } from 'commander';
import { UsageError } from '../client.ts';
import { printJson, printPage, printRecord, statusColor, type Column } from '../output.ts';
import { messageFilterQuery, messageParams, withMessageFilters, type MessageFilterOptions } from './messages.ts';
import { appSubcommand, listSubcommand, pageQuery, statusOption, withApi, type AppOption, type ListOptions } from './shared.ts';

interface AttemptListOptions extends ListOptions, AppOption, MessageFilterOptions {
  msg?: string;
  endpoint?: string;
  status?: string;
}

const columns: Column<MessageAttemptOut>[] = [
  { header: 'ID', value: (a) => a.id },
  { header: 'MESSAGE', value: (a) => a.msgId },
  { header: 'ENDPOINT', value: (a) => a.endpointId },
  { header: 'STATUS', value: (a) => a.statusText, color: (a) => statusColor(a.statusText) },
  // 0 means no answer arrived (refused, unreachable, timed out): the reason is in the attempt's response.
  { header: 'CODE', value: (a) => (a.responseStatusCode === 0 ? 'none' : a.responseStatusCode) },
  { header: 'MS', value: (a) => a.responseDurationMs },
  { header: 'TRIGGER', value: (a) => (a.triggerType === 1 ? 'manual' : 'scheduled') },
  { header: 'AT', value: (a) => a.timestamp },
];

/** herald attempt list|get */
export function registerAttemptCommands(program: Command): void {
  const attempt = program.command('attempt').description('delivery attempts: every request Herald made, with its answer');

  withMessageFilters(listSubcommand(attempt, "list a message's or an endpoint's attempts, newest first"))
    .requiredOption('--app <app>', 'the application (id or uid)')
    .option('--msg <message>', "the message's attempts (id or eventId)")
    .option('--endpoint <endpoint>', "the endpoint's attempts (id or uid); with --msg, that message's to this endpoint")
    .option('--status <status>', 'only attempts that ended so: success, pending, fail or sending')
    .action((opts: AttemptListOptions) =>
      withApi(opts, async (api) => {
        if (!opts.msg && !opts.endpoint) throw new UsageError('give --msg, --endpoint or both');
        const query = { ...pageQuery(opts), ...messageFilterQuery(opts), status: statusOption(opts.status) };
        const page = opts.msg
          ? await api.call('GET /api/v1/app/:app_id/attempt/msg/:msg_id', { params: messageParams(opts.app, opts.msg), query: { ...query, endpoint_id: opts.endpoint } })
          : await api.call('GET /api/v1/app/:app_id/attempt/endpoint/:endpoint_id', { params: { app_id: opts.app, endpoint_id: opts.endpoint! }, query });
        if (opts.json) printJson(page);
        else printPage(page, columns, 'no attempts');
      }));

  appSubcommand(attempt, 'get <attempt>', 'show an attempt with the response it got')
    .requiredOption('--msg <message>', 'its message (id or eventId)')
    .action((id: string, opts: AppOption & { msg: string }) =>
      withApi(opts, async (api) => {
        const found = await api.call('GET /api/v1/app/:app_id/msg/:msg_id/attempt/:attempt_id', { params: { ...messageParams(opts.app, opts.msg), attempt_id: id } });
        if (opts.json) printJson(found);
        else printRecord({ ...found }, { statusText: statusColor(found.statusText) });
      }));
}
