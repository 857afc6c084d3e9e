import type { InboundRequestOut, SourceOut, SourceReplayOut, VerificationIn } from '@herald/wire';
import type { Command } from 'commander';
import { UsageError } from '../client.ts';
import { printJson, printPage, printRecord, say, type Column } from '../output.ts';
import { defined, listSubcommand, pageQuery, subcommand, timeOption, withApi, type CommonOptions, type ListOptions } from './shared.ts';

const sourceColumns: Column<SourceOut>[] = [
  { header: 'ID', value: (s) => s.id },
  { header: 'UID', value: (s) => s.uid },
  { header: 'NAME', value: (s) => s.name },
  { header: 'VERIFICATION', value: (s) => s.verification.type },
  { header: 'INGEST PATH', value: (s) => s.ingestPath },
  { header: 'APP', value: (s) => s.appId },
  { header: 'MODE', value: (s) => (s.inspect ? 'inspect' : 'forward') },
];

// Ids are what a user copies into the next command (replay, message get): they are never cut; a reason may be.
const WHOLE = Number.POSITIVE_INFINITY;
const requestColumns: Column<InboundRequestOut>[] = [
  { header: 'ID', value: (r) => r.id, max: WHOLE },
  { header: 'RECEIVED', value: (r) => r.receivedAt },
  { header: 'STATUS', value: (r) => r.status },
  { header: 'EVENT', value: (r) => r.eventType },
  { header: 'PROVIDER ID', value: (r) => r.providerId, max: WHOLE },
  { header: 'MESSAGE / REASON', value: (r) => r.messageId ?? r.reason, max: 60 },
];

interface SourceFields extends CommonOptions {
  name?: string;
  uid?: string;
  verification?: string;
  inspect?: boolean;
  signForwarded?: boolean;
  dedupeWindow?: string;
  responseStatus?: string;
  responseBody?: string;
  responseContentType?: string;
}

/** --verification: the scheme as JSON (the server checks its fields). */
function verificationOption(value: string): VerificationIn;
function verificationOption(value: string | undefined): VerificationIn | undefined;
function verificationOption(value: string | undefined): VerificationIn | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new UsageError(`--verification must be JSON such as '{"type":"github","secret":"…"}' (got ${value})`);
  }
}

function sourceBody(opts: SourceFields, verification = verificationOption(opts.verification)) {
  const wantsResponse = opts.responseStatus !== undefined || opts.responseBody !== undefined || opts.responseContentType !== undefined;
  return defined({
    name: opts.name, uid: opts.uid, verification, inspect: opts.inspect, signForwarded: opts.signForwarded,
    dedupeWindow: opts.dedupeWindow === undefined ? undefined : Number(opts.dedupeWindow),
    response: wantsResponse
      ? { status: opts.responseStatus === undefined ? 200 : Number(opts.responseStatus), ...defined({ body: opts.responseBody, contentType: opts.responseContentType }) }
      : undefined,
  });
}

function show(source: SourceOut, opts: CommonOptions, verb?: string): void {
  if (opts.json) return printJson(source);
  if (verb) say(`${verb} source ${source.id}: providers send to ${source.ingestPath}; add destinations with: herald endpoint create URL --app ${source.appId}`);
  printRecord({ ...source });
}

/** herald source list|get|create|update|delete|requests|replay: the inbound gateway. */
export function registerSourceCommands(program: Command): void {
  const source = program.command('source').description('manage inbound sources: public URLs that verify, store and forward third-party webhooks');

  listSubcommand(source, 'list sources').action((opts: ListOptions) =>
    withApi(opts, async (api) => {
      const page = await api.call('GET /api/v1/source', { query: pageQuery(opts) });
      if (opts.json) printJson(page);
      else printPage(page, sourceColumns, 'no sources');
    }));

  subcommand(source, 'get <source>', 'show a source (its secrets masked)').action((ref: string, opts: CommonOptions) =>
    withApi(opts, async (api) => show(await api.call('GET /api/v1/source/:source_id', { params: { source_id: ref } }), opts)));

  const fields = (command: Command) => command
    .option('--uid <uid>', 'your own id for the source; its ingest path is /in/UID')
    .option('--inspect', 'only capture requests, never forward them')
    .option('--no-inspect', 'forward requests again')
    .option('--sign-forwarded', "add Herald's Standard Webhooks signature to forwarded requests")
    .option('--no-sign-forwarded', 'forward requests without it')
    .option('--dedupe-window <seconds>', 'how long a provider delivery id marks repeats as duplicates (0: off)')
    .option('--response-status <code>', 'the status the provider is answered with (2xx, default 200)')
    .option('--response-body <text>', 'the body it is answered with')
    .option('--response-content-type <type>', 'the content type of that body');

  fields(subcommand(source, 'create', 'create a source'))
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--verification <json>', `how requests are verified, e.g. '{"type":"github","secret":"…"}' or '{"type":"none"}'`)
    .action((opts: SourceFields & { name: string; verification: string }) =>
      withApi(opts, async (api) => {
        const verification = verificationOption(opts.verification);
        show(await api.call('POST /api/v1/source', { body: { ...sourceBody(opts, verification), name: opts.name, verification } }), opts, 'created');
      }));

  fields(subcommand(source, 'update <source>', 'change the given fields of a source'))
    .option('--name <name>', 'display name')
    .option('--verification <json>', 'a new verification scheme (replaces the old one)')
    .action((ref: string, opts: SourceFields) =>
      withApi(opts, async (api) => {
        const body = sourceBody(opts);
        if (Object.keys(body).length === 0) throw new UsageError('nothing to update');
        show(await api.call('PATCH /api/v1/source/:source_id', { params: { source_id: ref }, body }), opts, 'updated');
      }));

  subcommand(source, 'delete <source>', 'delete a source with its destinations and stored requests').action((ref: string, opts: CommonOptions) =>
    withApi(opts, async (api) => {
      await api.call('DELETE /api/v1/source/:source_id', { params: { source_id: ref } });
      if (!opts.json) say(`deleted source ${ref}`);
    }));

  subcommand(source, 'requests <source>', 'requests the source received, newest first')
    .option('--limit <n>', 'how many to show (the API caps it at 250)')
    .option('--iterator <iterator>', 'start after this position')
    .option('--status <status>', 'received, accepted, rejected, duplicate, inspected or handshake')
    .option('--since <time>', 'from this time (date-time, or an age such as 1h)')
    .action((ref: string, opts: ListOptions & { status?: string; since?: string }) =>
      withApi(opts, async (api) => {
        const query = { ...pageQuery(opts), status: opts.status, since: timeOption(opts.since, '--since') };
        const page = await api.call('GET /api/v1/source/:source_id/request', { params: { source_id: ref }, query });
        if (opts.json) printJson(page);
        else printPage(page, requestColumns, 'no requests');
      }));

  subcommand(source, 'replay <source> [request]', 'send one stored request, or those accepted since --since, to the destinations again')
    .option('--since <time>', 'replay every request accepted since this time (date-time, or an age such as 2h)')
    .option('--until <time>', 'up to this time')
    .action((ref: string, requestId: string | undefined, opts: CommonOptions & { since?: string; until?: string }) =>
      withApi(opts, async (api) => {
        if ((requestId === undefined) === (opts.since === undefined)) throw new UsageError('give a request id, or --since for a time range');
        if (requestId) {
          const out = await api.call('POST /api/v1/source/:source_id/request/:request_id/replay', { params: { source_id: ref, request_id: requestId } });
          return opts.json ? printJson(out) : say(`replayed ${requestId} as ${out.messageId}`);
        }
        let iterator: string | null = null;
        let total = 0;
        for (;;) {
          // Without a request id, --since was given (checked above).
          const body = { since: timeOption(opts.since!, '--since'), ...defined({ until: timeOption(opts.until, '--until'), iterator }) };
          const out: SourceReplayOut = await api.call('POST /api/v1/source/:source_id/replay', { params: { source_id: ref }, body });
          total += out.replayed;
          if (out.done) break;
          iterator = out.iterator;
        }
        if (opts.json) printJson({ replayed: total });
        else say(`replayed ${total} requests`);
      }));
}
