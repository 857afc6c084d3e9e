import type { ApplicationOut } from '@herald/wire';
import type { Command } from 'commander';
import { UsageError } from '../client.ts';
import { printJson, printPage, printRecord, say, type Column } from '../output.ts';
import {
  collect, defined, keyValues, listSubcommand, pageQuery, subcommand, throttleRate, withApi, type CommonOptions, type ListOptions,
} from './shared.ts';

interface AppFields extends CommonOptions {
  name?: string;
  uid?: string;
  metadata?: string[];
  throttleRate?: string;
}

const columns: Column<ApplicationOut>[] = [
  { header: 'ID', value: (a) => a.id },
  { header: 'UID', value: (a) => a.uid },
  { header: 'NAME', value: (a) => a.name },
  { header: 'THROTTLE', value: (a) => a.throttleRate },
  { header: 'CREATED', value: (a) => a.createdAt },
];

function withAppFields(command: Command): Command {
  return command
    .option('--uid <uid>', 'your own unique id for the application (usable wherever its id is)')
    .option('--metadata <key=value>', 'metadata entry (repeat for more; replaces all metadata)', collect)
    .option('--throttle-rate <n>', 'messages per second to all its endpoints together ("none" removes the limit)');
}

function appBody(opts: AppFields) {
  return defined({ name: opts.name, uid: opts.uid, metadata: keyValues(opts.metadata, '--metadata'), throttleRate: throttleRate(opts.throttleRate) });
}

function show(app: ApplicationOut, opts: CommonOptions, verb?: string): void {
  if (opts.json) return printJson(app);
  if (verb) say(`${verb} application ${app.id}`);
  printRecord({ ...app });
}

/** herald app list|get|create|update|delete */
export function registerAppCommands(program: Command): void {
  const app = program.command('app').description('manage applications (an app is one of your customers; its endpoints receive its messages)');

  listSubcommand(app, 'list applications, oldest first').action((opts: ListOptions) =>
    withApi(opts, async (api) => {
      const page = await api.call('GET /api/v1/app', { query: pageQuery(opts) });
      if (opts.json) printJson(page);
      else printPage(page, columns, 'no applications');
    }));

  subcommand(app, 'get <app>', 'show an application (by id or uid)').action((ref: string, opts: CommonOptions) =>
    withApi(opts, async (api) => show(await api.call('GET /api/v1/app/:app_id', { params: { app_id: ref } }), opts)));

  withAppFields(subcommand(app, 'create', 'create an application'))
    .requiredOption('--name <name>', 'display name')
    .action((opts: AppFields & { name: string }) =>
      withApi(opts, async (api) => show(await api.call('POST /api/v1/app', { body: { ...appBody(opts), name: opts.name } }), opts, 'created')));

  withAppFields(subcommand(app, 'update <app>', 'change the given fields of an application'))
    .option('--name <name>', 'display name')
    .action((ref: string, opts: AppFields) =>
      withApi(opts, async (api) => {
        const body = appBody(opts);
        if (Object.keys(body).length === 0) throw new UsageError('nothing to update: give --name, --uid, --metadata or --throttle-rate');
        show(await api.call('PATCH /api/v1/app/:app_id', { params: { app_id: ref }, body }), opts, 'updated');
      }));

  subcommand(app, 'delete <app>', 'delete an application with its endpoints and messages').action((ref: string, opts: CommonOptions) =>
    withApi(opts, async (api) => {
      await api.call('DELETE /api/v1/app/:app_id', { params: { app_id: ref } });
      if (!opts.json) say(`deleted application ${ref}`);
    }));
}
