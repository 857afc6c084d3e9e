import type { DestinationOut } from '@herald/wire';
import type { Command } from 'commander';
import { UsageError } from '../client.ts';
import { printJson, printPage, printRecord, say, type Column } from '../output.ts';
import {
  appSubcommand, csvList, defined, listSubcommand, pageQuery, positiveInteger, readJsonFile, withApi, type AppOption, type ListOptions,
} from './shared.ts';

const columns: Column<DestinationOut>[] = [
  { header: 'ID', value: (d) => d.id, max: Number.POSITIVE_INFINITY },
  { header: 'UID', value: (d) => d.uid },
  { header: 'TYPE', value: (d) => d.type },
  { header: 'TO', value: (d) => d.config['url'] ?? d.config['uri'] ?? d.config['routingKey'] ?? '', max: 60 },
  { header: 'STATUS', value: (d) => d.status },
  { header: 'EVENT TYPES', value: (d) => (d.eventTypes?.length ? d.eventTypes.join(',') : 'all') },
];

interface DestinationFields extends AppOption {
  type?: string;
  config?: string;
  configFile?: string;
  uid?: string;
  eventTypes?: string;
  channels?: string;
  batchSize?: string;
  maxWait?: string;
  disabled?: boolean;
  enabled?: boolean;
}

function withDestinationFields(command: Command): Command {
  return command
    .option('--config <json>', 'the type\'s settings as JSON, e.g. \'{"uri":"amqp://user:pass@host:5672","routingKey":"webhooks"}\'')
    .option('--config-file <file>', 'the same, from a JSON file (keeps credentials out of your shell history)')
    .option('--uid <uid>', 'your own unique id for the destination')
    .option('--event-types <list>', 'only these event types, comma-separated (default: all)')
    .option('--channels <list>', 'only messages with one of these channels, comma-separated')
    .option('--batch-size <n>', 'messages gathered into one publish or insert (default 1)')
    .option('--max-wait <seconds>', 'how long a batch waits to fill before it goes anyway (default 0)')
    .option('--disabled', 'create it (or set it) disabled: nothing is delivered until enabled');
}

async function configOf(opts: DestinationFields): Promise<Record<string, unknown> | undefined> {
  if (opts.config !== undefined && opts.configFile !== undefined) throw new UsageError('give --config or --config-file, not both');
  let config: unknown;
  if (opts.configFile !== undefined) config = await readJsonFile(opts.configFile, '--config-file');
  else if (opts.config !== undefined) {
    try {
      config = JSON.parse(opts.config);
    } catch {
      throw new UsageError(`--config must be a JSON object (got ${opts.config})`);
    }
  } else return undefined;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new UsageError('the config must be a JSON object');
  return config as Record<string, unknown>;
}

async function destinationBody(opts: DestinationFields) {
  const maxWait = opts.maxWait === undefined ? undefined : Number(opts.maxWait);
  if (maxWait !== undefined && !(maxWait >= 0)) throw new UsageError(`--max-wait must be a number of seconds (got "${opts.maxWait}")`);
  return defined({
    type: opts.type,
    config: await configOf(opts),
    uid: opts.uid,
    eventTypes: csvList(opts.eventTypes),
    channels: csvList(opts.channels),
    batchSize: opts.batchSize === undefined ? undefined : positiveInteger(opts.batchSize, '--batch-size'),
    maxWaitSecs: maxWait,
    status: opts.disabled ? 'disabled' as const : opts.enabled ? 'enabled' as const : undefined,
  });
}

function show(destination: DestinationOut, opts: AppOption, verb?: string): void {
  if (opts.json) return printJson(destination);
  if (verb) say(`${verb} destination ${destination.id}`);
  printRecord({ ...destination, config: JSON.stringify(destination.config) });
}

/** herald destination list|get|create|update|delete|secret: an application's brokers, databases and pollers. */
export function registerDestinationCommands(program: Command): void {
  const destination = program.command('destination').description(
    "manage an application's destinations: RabbitMQ, PostgreSQL, NATS, MQTT, Redis, strictly ordered HTTP (fifoEndpoint) and pollers",
  );

  listSubcommand(destination, "list an application's destinations, newest first")
    .requiredOption('--app <app>', 'the application (id or uid)')
    .action((opts: ListOptions & AppOption) =>
      withApi(opts, async (api) => {
        const page = await api.call('GET /api/v1/app/:app_id/destination', { params: { app_id: opts.app }, query: pageQuery(opts) });
        if (opts.json) printJson(page);
        else printPage(page, columns, 'no destinations');
      }));

  appSubcommand(destination, 'get <destination>', 'show a destination (by id or uid)').action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => show(await api.call('GET /api/v1/app/:app_id/destination/:destination_id', { params: { app_id: opts.app, destination_id: ref } }), opts)));

  withDestinationFields(appSubcommand(destination, 'create <type>', 'create a destination: rabbitMq, postgres, fifoEndpoint, pollingEndpoint, nats, mqtt or redis'))
    .action((type: string, opts: DestinationFields) =>
      withApi(opts, async (api) => {
        const body = { ...(await destinationBody(opts)), type };
        show(await api.call('POST /api/v1/app/:app_id/destination', { params: { app_id: opts.app }, body }), opts, 'created');
      }));

  withDestinationFields(appSubcommand(destination, 'update <destination>', 'change the given fields; a --config is merged over the stored one'))
    .option('--type <type>', 'change its type (give the new type\'s whole --config)')
    .option('--enabled', 'deliver to it again')
    .action((ref: string, opts: DestinationFields) =>
      withApi(opts, async (api) => {
        const body = await destinationBody(opts);
        if (Object.keys(body).length === 0) throw new UsageError('nothing to update: give --config, --event-types, --batch-size, --enabled, … (see --help)');
        show(await api.call('PATCH /api/v1/app/:app_id/destination/:destination_id', { params: { app_id: opts.app, destination_id: ref }, body }), opts, 'updated');
      }));

  appSubcommand(destination, 'delete <destination>', 'delete a destination').action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => {
      await api.call('DELETE /api/v1/app/:app_id/destination/:destination_id', { params: { app_id: opts.app, destination_id: ref } });
      if (!opts.json) say(`deleted destination ${ref}`);
    }));

  appSubcommand(destination, 'secret <destination>', 'print the key that signs what the destination receives').action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => {
      const secret = await api.call('GET /api/v1/app/:app_id/destination/:destination_id/secret', { params: { app_id: opts.app, destination_id: ref } });
      if (opts.json) printJson(secret);
      else say(secret.key);
    }));
}
