import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PollingEndpointOut } from '@herald/wire';
import { UsageError } from './client.ts';
import { positiveInteger, subcommand, timeOption, withApi, type CommonOptions } from './manage/shared.ts';

interface PollOptions extends CommonOptions {
  app: string;
  consumer?: string;
  iterator?: string;
  after?: string;
  eventType?: string;
  channel?: string;
  limit?: string;
  follow?: boolean;
  interval?: string;
}

/**
 * herald poll: reads a polling destination's messages, one JSON object per line (for `jq` and scripts), oldest
 * first. With --consumer the server keeps the position, so the next run goes on where this one stopped; without it,
 * the iterator to go on from is printed to stderr. --follow keeps reading as messages arrive.
 */
export function registerPollCommand(program: Command): void {
  subcommand(program, 'poll <poller>', "read a polling destination's messages as JSON lines (a consumer that cannot expose a URL)")
    .requiredOption('--app <app>', 'the application (id or uid)')
    .option('--consumer <name>', 'a named consumer: the server keeps its position between runs')
    .option('--iterator <iterator>', 'go on after this position (printed by a previous run)')
    .option('--after <time>', 'start with messages after this time (RFC 3339 or an age such as 1h), not with the poller\'s first; without --consumer')
    .option('--event-type <name>', 'only this event type (within the poller\'s own); without --consumer')
    .option('--channel <name>', 'only this channel (within the poller\'s own); without --consumer')
    .option('--limit <n>', 'messages per request (at most 250)', '100')
    .option('-f, --follow', 'keep reading as new messages arrive, until interrupted')
    .option('--interval <seconds>', 'with --follow, how long to wait when nothing is new', '2')
    .action((poller: string, opts: PollOptions) =>
      withApi(opts, async (api) => {
        if (opts.consumer !== undefined && (opts.after ?? opts.eventType ?? opts.channel) !== undefined) {
          throw new UsageError('--after, --event-type and --channel read without a --consumer (a consumer reads on from its own position; see herald destination)');
        }
        const limit = positiveInteger(opts.limit ?? '100', '--limit');
        const intervalMs = Number(opts.interval ?? '2') * 1000;
        if (!(intervalMs > 0)) throw new UsageError(`--interval must be a number of seconds (got "${opts.interval}")`);
        let stopped = false;
        process.once('SIGINT', () => (stopped = true));
        let iterator = opts.iterator;
        const after = timeOption(opts.after, '--after');
        for (;;) {
          const page: PollingEndpointOut = opts.consumer === undefined
            ? await api.call('GET /api/v1/app/:app_id/poller/:sink_id', {
              params: { app_id: opts.app, sink_id: poller },
              query: { limit, iterator, ...(iterator === undefined && { after }), event_type: opts.eventType, channel: opts.channel },
            })
            : await api.call('GET /api/v1/app/:app_id/poller/:sink_id/consumer/:consumer_id', {
              params: { app_id: opts.app, sink_id: poller, consumer_id: opts.consumer }, query: { limit, iterator },
            });
          for (const message of page.data) process.stdout.write(`${JSON.stringify(message)}\n`);
          // A consumer's position is the server's after its first read; an explicit --iterator applies once.
          iterator = opts.consumer === undefined ? page.iterator : undefined;
          if (stopped || (!opts.follow && page.done)) {
            if (opts.consumer === undefined) process.stderr.write(`iterator: ${page.iterator}\n`);
            return;
          }
          if (page.done) await sleep(intervalMs);
        }
      }));
}
