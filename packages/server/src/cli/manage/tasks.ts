import type { BulkReplayIn, TaskOut } from '@herald/wire';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { Exit, type ApiClient } from '../client.ts';
import { paint, printJson, printPage, printRecord, progressBar, say, statusColor, type Column } from '../output.ts';
import { endpointParams } from './endpoints.ts';
import {
  appSubcommand, csvList, defined, listSubcommand, pageQuery, statusOption, subcommand, timeOption, withApi, type AppOption,
  type CommonOptions, type ListOptions,
} from './shared.ts';

type TaskAction = 'recover' | 'replay-missing' | 'bulk-replay';

interface RecoveryOptions extends AppOption {
  since: string;
  until?: string;
  wait: boolean;
}

const POLL_MS = 500;

const VERBS: Record<string, string> = { 'endpoint.recover': 'recovering', 'endpoint.replay': 'replaying missing', 'endpoint.bulk-replay': 'replaying' };

const columns: Column<TaskOut>[] = [
  { header: 'ID', value: (t) => t.id },
  { header: 'TASK', value: (t) => t.task },
  { header: 'STATUS', value: (t) => t.status, color: (t) => statusColor(t.status) },
  { header: 'PROCESSED', value: (t) => `${t.data.processed}/${t.data.total ?? '?'}` },
  { header: 'SENT AGAIN', value: (t) => t.data.scheduled },
  { header: 'UPDATED', value: (t) => t.updatedAt },
];

const getTask = (api: ApiClient, id: string) => api.call('GET /api/v1/background-task/:task_id', { params: { task_id: id } });

/**
 * Polls a task until it ends, with a progress bar on stderr: drawn in place on a terminal, a plain line a second
 * otherwise (as `herald prune` does), so stdout keeps only the result.
 */
async function follow(api: ApiClient, id: string): Promise<TaskOut> {
  let task = await getTask(api, id);
  const verb = VERBS[task.task] ?? task.task;
  const bar = progressBar(`${verb} [{bar}] {value}/{total} messages, {scheduled} sent again`);
  // Messages created in the range while the task runs are walked too, so `processed` may pass the first count.
  const totalOf = (t: TaskOut) => Math.max(t.data.total ?? t.data.processed, t.data.processed);
  bar.start(totalOf(task), task.data.processed, { scheduled: task.data.scheduled });
  try {
    while (task.status === 'running') {
      await sleep(POLL_MS);
      task = await getTask(api, id);
      bar.setTotal(totalOf(task));
      bar.update(task.data.processed, { scheduled: task.data.scheduled });
    }
  } finally {
    bar.stop();
  }
  return task;
}

/** The end of a task: its JSON or a summary; a failed task makes the command fail. */
function report(task: TaskOut, opts: CommonOptions): void {
  if (opts.json) printJson(task);
  if (task.status === 'failed') {
    process.stderr.write(`herald: ${task.task} ${task.id} failed: ${task.data.error ?? 'no reason given'}\n`);
    process.exitCode = Exit.Failure;
  } else if (!opts.json) {
    const state = task.status === 'finished' ? paint('green', 'finished') : task.status;
    say(`${task.task} ${task.id} ${state}: ${task.data.processed} messages looked at, ${task.data.scheduled} sent again`);
  }
}

async function startTask(api: ApiClient, opts: RecoveryOptions, endpoint: string, action: TaskAction, filter: Omit<BulkReplayIn, 'since' | 'until'> = {}): Promise<void> {
  const body = { since: timeOption(opts.since, '--since'), ...defined({ until: timeOption(opts.until, '--until'), ...filter }) };
  const started = await api.call(`POST /api/v1/app/:app_id/endpoint/:endpoint_id/${action}`, { params: endpointParams(opts.app, endpoint), body });
  if (!opts.wait) {
    if (opts.json) printJson(started);
    else say(`started ${started.task} ${started.id}; follow it with: herald task get ${started.id} --wait`);
    return;
  }
  report(await follow(api, started.id), opts);
}

function recoverySubcommand(endpoint: Command, name: string, description: string): Command {
  return appSubcommand(endpoint, `${name} <endpoint>`, description)
    .requiredOption('--since <time>', 'messages created since (date-time, or an age such as 24h or 7d)')
    .option('--until <time>', 'messages created before (date-time or age; default: now)')
    .option('--no-wait', 'print the started task and return without following it');
}

/** herald endpoint recover|replay-missing|bulk-replay, and herald task list|get */
export function registerTaskCommands(program: Command, endpoint: Command): void {
  recoverySubcommand(endpoint, 'recover', 'send the messages that failed for good to this endpoint again (a background task)')
    .action((ref: string, opts: RecoveryOptions) => withApi(opts, (api) => startTask(api, opts, ref, 'recover')));

  recoverySubcommand(endpoint, 'replay-missing', 'send the messages this endpoint never got (a background task)')
    .action((ref: string, opts: RecoveryOptions) => withApi(opts, (api) => startTask(api, opts, ref, 'replay-missing')));

  recoverySubcommand(endpoint, 'bulk-replay', 'send matching messages again, delivered ones too (a background task)')
    .option('--event-types <a,b>', 'only these event types')
    .option('--channel <channel>', 'only messages on this channel')
    .option('--tag <tag>', 'only messages with this tag')
    .option('--status <status>', 'only deliveries in this state: success, pending or fail')
    .action((ref: string, opts: RecoveryOptions & { eventTypes?: string; channel?: string; tag?: string; status?: string }) =>
      withApi(opts, (api) =>
        startTask(api, opts, ref, 'bulk-replay', { eventTypes: csvList(opts.eventTypes), channel: opts.channel, tag: opts.tag, status: statusOption(opts.status, 3) })));

  const task = program.command('task').description('background tasks started by recover, replay-missing and bulk-replay');

  listSubcommand(task, 'list background tasks, newest first').action((opts: ListOptions) =>
    withApi(opts, async (api) => {
      const page = await api.call('GET /api/v1/background-task', { query: pageQuery(opts) });
      if (opts.json) printJson(page);
      else printPage(page, columns, 'no background tasks');
    }));

  subcommand(task, 'get <task>', 'show a background task (qtask_...)')
    .option('--wait', 'follow it with a progress bar until it ends')
    .action((id: string, opts: CommonOptions & { wait?: boolean }) =>
      withApi(opts, async (api) => {
        if (opts.wait) return report(await follow(api, id), opts);
        const found = await getTask(api, id);
        if (opts.json) return printJson(found);
        const { data, ...rest } = found;
        printRecord({ ...rest, ...data }, { status: statusColor(found.status), error: 'red' });
      }));
}
