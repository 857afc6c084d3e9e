import type { Command } from 'commander';
import { UsageError } from '../client.ts';
import { printJson, printPage, printRecord, statusColor, type Column, type ListResponse } from '../output.ts';
import { messageFilterQuery, messagePath, withMessageFilters, type MessageFilterOptions } from './messages.ts';
import { appSubcommand, listSubcommand, pageQuery, pathSegment, statusOption, withApi, type AppOption, type ListOptions } from './shared.ts';

interface Attempt {
  id: string;
  msgId: string;
  endpointId: string;
  url: string;
  status: number;
  statusText: string;
  responseStatusCode: number;
  responseDurationMs: number;
  triggerType: number;
  timestamp: string;
}

interface AttemptListOptions extends ListOptions, AppOption, MessageFilterOptions {
  msg?: string;
  endpoint?: string;
  status?: string;
}

const columns: Column<Attempt>[] = [
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
          ? await api.request<ListResponse<Attempt>>('GET', `/api/v1/app/${pathSegment(opts.app)}/attempt/msg/${pathSegment(opts.msg)}`, { query: { ...query, endpoint_id: opts.endpoint } })
          : await api.request<ListResponse<Attempt>>('GET', `/api/v1/app/${pathSegment(opts.app)}/attempt/endpoint/${pathSegment(opts.endpoint!)}`, { query });
        if (opts.json) printJson(page);
        else printPage(page, columns, 'no attempts');
      }));

  appSubcommand(attempt, 'get <attempt>', 'show an attempt with the response it got')
    .requiredOption('--msg <message>', 'its message (id or eventId)')
    .action((id: string, opts: AppOption & { msg: string }) =>
      withApi(opts, async (api) => {
        const found = await api.request<Attempt>('GET', `${messagePath(opts.app, opts.msg)}/attempt/${pathSegment(id)}`);
        if (opts.json) printJson(found);
        else printRecord({ ...found }, { statusText: statusColor(found.statusText) });
      }));
}
