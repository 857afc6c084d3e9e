import { Option, type Command } from 'commander';
import { UsageError, type ApiClient } from './client.ts';

/**
 * The application `tail` and `listen` follow: --app itself, or the application holding an inbound source's
 * destinations (--source), so a laptop can receive what a provider sends through Herald.
 */
export async function applicationOf(client: ApiClient, opts: { app?: string; source?: string }): Promise<string> {
  if ((opts.app === undefined) === (opts.source === undefined)) throw new UsageError('give one of --app or --source');
  if (opts.app !== undefined) return opts.app;
  const source = await client.call('GET /api/v1/source/:source_id', { params: { source_id: opts.source! } });
  return source.appId;
}

export interface EventTypesOptions {
  eventTypes?: string;
  events?: string;
}

/** --event-types, also spelled --events: `tail` and `listen` take both, so neither spelling is a mistake on either. */
export function withEventTypesOption(command: Command, description: string): Command {
  return command
    .option('--event-types <types>', `${description}; comma-separated, also spelled --events`)
    .addOption(new Option('--events <types>', 'the same as --event-types').hideHelp());
}

/** The event types asked for by either spelling; two different lists are a usage error, not a silent choice. */
export function eventTypesOf(opts: EventTypesOptions): string | undefined {
  if (opts.eventTypes !== undefined && opts.events !== undefined && opts.eventTypes !== opts.events) {
    throw new UsageError('give --event-types or --events (the same option), not two different lists');
  }
  return opts.eventTypes ?? opts.events;
}
