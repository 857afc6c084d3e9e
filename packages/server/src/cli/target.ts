import { UsageError, type ApiClient } from './client.ts';

/**
 * The application `tail` and `listen` follow: --app itself, or the application holding an inbound source's
 * destinations (--source), so a laptop can receive what a provider sends through Herald.
 */
export async function applicationOf(client: ApiClient, opts: { app?: string; source?: string }): Promise<string> {
  if ((opts.app === undefined) === (opts.source === undefined)) throw new UsageError('give one of --app or --source');
  if (opts.app !== undefined) return opts.app;
  const source = await client.request<{ appId: string }>('GET', `/api/v1/source/${encodeURIComponent(opts.source!)}`);
  return source.appId;
}
