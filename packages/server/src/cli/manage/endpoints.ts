import type { CircuitOut, EndpointFilterIn, EndpointOut } from '@herald/wire';
import type { Command } from 'commander';
import { generateAsymmetricSecret } from '../../delivery/signing.ts';
import { UsageError, type ApiClient } from '../client.ts';
import { cellText, printJson, printPage, printRecord, say, type Column } from '../output.ts';
import {
  appSubcommand, collect, csvList, defined, keyValues, listSubcommand, pageQuery, positiveInteger, throttleRate, timeOption, withApi,
  type AppOption, type CommonOptions, type ListOptions,
} from './shared.ts';
import { chatBody, isChatKind, withChatOptions, type ChatOptions } from './endpoint-chat.ts';

/** The circuit breaker in words: why deliveries wait, since when, and when the endpoint is tried next. */
function circuitText(circuit: CircuitOut): string {
  if (circuit.state === 'closed') return 'closed';
  const next = circuit.nextProbeAt ? `next probe ${cellText(circuit.nextProbeAt)}` : 'a probe is on its way';
  return `open since ${cellText(circuit.openedAt)}, ${circuit.failures} failed attempts in a row; deliveries wait, ${next}`;
}

const circuitOpen = (e: EndpointOut) => e.circuit?.state === 'open';

interface EndpointFields extends AppOption, ChatOptions {
  endpointUrl?: string;
  uid?: string;
  description?: string;
  eventTypes?: string;
  channels?: string;
  metadata?: string[];
  header?: string[];
  secret?: string;
  throttleRate?: string;
  concurrency?: string;
  retrySchedule?: string;
  requestTimeout?: string;
  ordered?: boolean;
  filter?: string;
}

const columns: Column<EndpointOut>[] = [
  { header: 'ID', value: (e) => e.id },
  { header: 'UID', value: (e) => e.uid },
  { header: 'URL', value: (e) => e.url, max: 60 },
  { header: 'EVENT TYPES', value: (e) => e.eventTypes ?? 'all' },
  { header: 'CHANNELS', value: (e) => e.channels },
  {
    header: 'STATE',
    value: (e) => (e.disabled ? 'disabled' : circuitOpen(e) ? 'circuit open' : 'enabled'),
    color: (e) => (e.disabled ? 'red' : circuitOpen(e) ? 'yellow' : 'green'),
  },
  { header: 'CREATED', value: (e) => e.createdAt },
];

/** The path parameters naming an endpoint of an application. */
export const endpointParams = (app: string, endpoint: string) => ({ app_id: app, endpoint_id: endpoint });

function withEndpointFields(command: Command): Command {
  return withChatOptions(command)
    .option('--uid <uid>', 'your own unique id for the endpoint within the app')
    .option('--description <text>', 'description')
    .option('--event-types <a,b>', 'only these event types (default: all)')
    .option('--channels <a,b>', 'only messages on these channels')
    .option('--metadata <key=value>', 'metadata entry (repeat for more; replaces all metadata)', collect)
    .option('--throttle-rate <n>', 'messages per second at most ("none" removes the limit)')
    .option('--concurrency <n>', 'attempts in flight at once, 1 to 1000 ("default": the server\'s HERALD_PER_ENDPOINT_CONCURRENCY)')
    .option('--retry-schedule <s,s>', 'seconds before each retry, e.g. 5,60,600 ("default": the server\'s HERALD_RETRY_SCHEDULE)')
    .option('--request-timeout <s>', 'seconds an attempt may take, at most the server\'s ("default": HERALD_REQUEST_TIMEOUT)')
    .option('--ordered', 'deliver strictly in creation order, one at a time')
    .option('--filter <json>', 'only messages matching this filter, e.g. \'{"body":{"ref":"refs/heads/main"}}\' ("none" removes it)');
}

/** --filter: the filter's JSON (the server checks it), or "none" for no filter (null in the API). */
function filterOption(value: string | undefined): EndpointFilterIn | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new UsageError(`--filter must be JSON such as '{"body":{"ref":"refs/heads/main"}}' or "none" (${(err as Error).message})`);
  }
}

/** --concurrency: attempts in flight at once, or "default" for the server's setting (null in the API). */
function concurrencyOption(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  return value === 'default' ? null : positiveInteger(value, '--concurrency');
}

/** --retry-schedule: seconds before each retry, or "default" (null in the API); the server checks the range. */
function retryScheduleOption(value: string | undefined): number[] | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'default') return null;
  const seconds = value.split(',').map((entry) => (entry.trim() === '' ? Number.NaN : Number(entry)));
  if (seconds.some((s) => !Number.isFinite(s) || s < 0)) {
    throw new UsageError(`--retry-schedule must be seconds separated by commas, e.g. 5,60,600, or "default" (got ${value})`);
  }
  return seconds;
}

/** --request-timeout: seconds, or "default" (null in the API). */
function requestTimeoutOption(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'default') return null;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--request-timeout must be a number of seconds above 0, or "default" (got ${value})`);
  return seconds;
}

/**
 * An endpoint URL as typed: one without a scheme ("example.com/hooks") is said to be missing it here, where the
 * likely fix can be suggested, instead of the API's general "must be an absolute URL".
 */
function targetUrl(url: string, what: string): string;
function targetUrl(url: string | undefined, what: string): string | undefined;
function targetUrl(url: string | undefined, what: string): string | undefined {
  if (url === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  throw new UsageError(`${what} "${url}" has no scheme: give it as https://${url} (or http://)`);
}

function endpointBody(opts: EndpointFields) {
  return defined({
    url: targetUrl(opts.endpointUrl, '--endpoint-url'),
    uid: opts.uid,
    description: opts.description,
    eventTypes: csvList(opts.eventTypes),
    channels: csvList(opts.channels),
    metadata: keyValues(opts.metadata, '--metadata'),
    throttleRate: throttleRate(opts.throttleRate),
    concurrency: concurrencyOption(opts.concurrency),
    retrySchedule: retryScheduleOption(opts.retrySchedule),
    requestTimeout: requestTimeoutOption(opts.requestTimeout),
    ordered: opts.ordered,
    filter: filterOption(opts.filter),
  });
}

function show(endpoint: EndpointOut, opts: CommonOptions, verb?: string): void {
  if (opts.json) return printJson(endpoint);
  if (verb) say(`${verb} endpoint ${endpoint.id}`);
  const { circuit, ...fields } = endpoint;
  printRecord(
    { ...fields, ...(circuit ? { circuit: circuitText(circuit) } : {}) },
    { disabled: endpoint.disabled ? 'red' : undefined, circuit: circuitOpen(endpoint) ? 'yellow' : undefined },
  );
}

async function setDisabled(api: ApiClient, opts: AppOption, ref: string, disabled: boolean): Promise<void> {
  show(await api.call('PATCH /api/v1/app/:app_id/endpoint/:endpoint_id', { params: endpointParams(opts.app, ref), body: { disabled } }), opts, disabled ? 'disabled' : 'enabled');
}

/** herald endpoint list|get|create|update|delete|enable|disable|secret|rotate-secret|headers|stats; returns the group. */
export function registerEndpointCommands(program: Command): Command {
  const endpoint = program.command('endpoint').description("manage an application's endpoints (the URLs its messages are delivered to)");

  listSubcommand(endpoint, "list an application's endpoints, newest first")
    .requiredOption('--app <app>', 'the application (id or uid)')
    .action((opts: ListOptions & AppOption) =>
      withApi(opts, async (api) => {
        const page = await api.call('GET /api/v1/app/:app_id/endpoint', { params: { app_id: opts.app }, query: pageQuery(opts) });
        if (opts.json) printJson(page);
        else printPage(page, columns, 'no endpoints');
      }));

  appSubcommand(endpoint, 'get <endpoint>', 'show an endpoint (by id or uid)').action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => show(await api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id', { params: endpointParams(opts.app, ref) }), opts)));

  // The endpoint's URL is an argument (create) or --endpoint-url (update): --url names the Herald server everywhere.
  withEndpointFields(appSubcommand(endpoint, 'create <url>', 'create an endpoint delivering to <url> (http or https)'))
    .option('--header <name=value>', 'custom header sent with every delivery (repeat for more)', collect)
    .option('--secret <whsec>', 'signing secret to use (default: a new random one); with a chat --kind, the chat tool\'s own secret')
    .option('--asymmetric', 'sign with a new ed25519 key (v1a) instead of a shared secret; receivers verify with its public key')
    .option('--disabled', 'create it disabled')
    .action((url: string, opts: EndpointFields & { disabled?: boolean; asymmetric?: boolean }) =>
      withApi(opts, async (api) => {
        if (opts.asymmetric && opts.secret) throw new UsageError('give --secret or --asymmetric, not both');
        const chat = isChatKind(opts);
        const secret = opts.asymmetric ? generateAsymmetricSecret() : chat ? undefined : opts.secret;
        const body = {
          ...endpointBody(opts), ...chatBody(opts, chat ? opts.secret : undefined),
          url: targetUrl(url, 'the endpoint URL'), headers: keyValues(opts.header, '--header'), secret, disabled: opts.disabled,
        };
        show(await api.call('POST /api/v1/app/:app_id/endpoint', { params: { app_id: opts.app }, body }), opts, 'created');
      }));

  withEndpointFields(appSubcommand(endpoint, 'update <endpoint>', 'change the given fields of an endpoint'))
    .option('--endpoint-url <url>', 'where to deliver (http or https)')
    .option('--no-ordered', 'deliver concurrently again')
    .option('--header <name=value>', 'add or change a custom header (repeat for more; others stay)', collect)
    .action((ref: string, opts: EndpointFields) =>
      withApi(opts, async (api) => {
        const body = { ...endpointBody(opts), ...chatBody(opts) };
        const headers = keyValues(opts.header, '--header');
        if (Object.keys(body).length === 0 && !headers) throw new UsageError('nothing to update: give at least one field to change (see --help)');
        // Custom headers have their own route; they are changed first so a refused header changes nothing else.
        const params = endpointParams(opts.app, ref);
        if (headers) await api.call('PATCH /api/v1/app/:app_id/endpoint/:endpoint_id/headers', { params, body: { headers } });
        const updated = Object.keys(body).length > 0
          ? await api.call('PATCH /api/v1/app/:app_id/endpoint/:endpoint_id', { params, body })
          : await api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id', { params });
        show(updated, opts, 'updated');
      }));

  appSubcommand(endpoint, 'delete <endpoint>', 'delete an endpoint').action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => {
      await api.call('DELETE /api/v1/app/:app_id/endpoint/:endpoint_id', { params: endpointParams(opts.app, ref) });
      if (!opts.json) say(`deleted endpoint ${ref}`);
    }));

  appSubcommand(endpoint, 'enable <endpoint>', 'enable an endpoint again (its failing record starts afresh)').action((ref: string, opts: AppOption) =>
    withApi(opts, (api) => setDisabled(api, opts, ref, false)));

  appSubcommand(endpoint, 'disable <endpoint>', 'stop delivering to an endpoint').action((ref: string, opts: AppOption) =>
    withApi(opts, (api) => setDisabled(api, opts, ref, true)));

  appSubcommand(endpoint, 'secret <endpoint>', "print the endpoint's current signing secret").action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => {
      const secret = await api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/secret', { params: endpointParams(opts.app, ref) });
      if (opts.json) printJson(secret);
      else say(secret.key);
    }));

  appSubcommand(endpoint, 'public-key <endpoint>', "print the endpoint's ed25519 public key (whpk_), for receivers").action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => {
      const key = await api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/public-key', { params: endpointParams(opts.app, ref) });
      if (opts.json) printJson(key);
      else say(key.key);
    }));

  appSubcommand(endpoint, 'rotate-secret <endpoint>', 'make a new signing secret current; the old one keeps signing for a grace period')
    .option('--grace-period <seconds>', 'how long the old secret keeps signing (default 86400, at most 604800)')
    .option('--key <whsec>', 'the new secret (default: a new random one)')
    .option('--asymmetric', 'rotate to a new ed25519 key (v1a)')
    .action((ref: string, opts: AppOption & { gracePeriod?: string; key?: string; asymmetric?: boolean }) =>
      withApi(opts, async (api) => {
        if (opts.asymmetric && opts.key) throw new UsageError('give --key or --asymmetric, not both');
        if (opts.asymmetric) opts.key = generateAsymmetricSecret();
        const gracePeriodSeconds = opts.gracePeriod === undefined ? undefined : Number(opts.gracePeriod);
        if (gracePeriodSeconds !== undefined && !(Number.isInteger(gracePeriodSeconds) && gracePeriodSeconds >= 0)) {
          throw new UsageError(`--grace-period must be whole seconds (got "${opts.gracePeriod}")`);
        }
        const params = endpointParams(opts.app, ref);
        await api.call('POST /api/v1/app/:app_id/endpoint/:endpoint_id/secret/rotate', { params, body: defined({ key: opts.key, gracePeriodSeconds }) });
        // The rotation answers 204; the new secret is what the user needs next.
        const secret = await api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/secret', { params });
        if (opts.json) printJson(secret);
        else say(`rotated; the new secret is ${secret.key} (the old one keeps signing for ${gracePeriodSeconds ?? 86_400} s)`);
      }));

  appSubcommand(endpoint, 'headers <endpoint>', "show the endpoint's custom headers (sensitive values are not shown)").action((ref: string, opts: AppOption) =>
    withApi(opts, async (api) => {
      const out = await api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/headers', { params: endpointParams(opts.app, ref) });
      if (opts.json) return printJson(out);
      const hidden = Object.fromEntries(out.sensitive.map((name) => [name, '(hidden)']));
      const all = { ...out.headers, ...hidden };
      if (Object.keys(all).length === 0) say('(no custom headers)');
      else printRecord(all);
    }));

  appSubcommand(endpoint, 'send-example <endpoint>', "send an event type's example payload (from the catalogue) to this endpoint only")
    .requiredOption('--event-type <name>', 'the event type whose schema example to send')
    .option('--example <index>', 'which of its examples (default 0, the first)')
    .action((ref: string, opts: AppOption & { eventType: string; example?: string }) =>
      withApi(opts, async (api) => {
        const exampleIndex = opts.example === undefined ? undefined : Number(opts.example);
        if (exampleIndex !== undefined && !(Number.isInteger(exampleIndex) && exampleIndex >= 0)) {
          throw new UsageError(`--example must be a whole number from 0 (got "${opts.example}")`);
        }
        const sent = await api.call('POST /api/v1/app/:app_id/endpoint/:endpoint_id/send-example', { params: endpointParams(opts.app, ref), body: { eventType: opts.eventType, ...defined({ exampleIndex }) } });
        if (opts.json) printJson(sent);
        else say(`sent ${opts.eventType}'s example as ${sent.id} (herald attempt list --app ${opts.app} --msg ${sent.id} shows how it went)`);
      }));

  appSubcommand(endpoint, 'send-test <endpoint>', 'send a test message (event type herald.test) to this endpoint only: a chat endpoint shows it in its channel')
    .action((ref: string, opts: AppOption) =>
      withApi(opts, async (api) => {
        const sent = await api.call('POST /api/v1/app/:app_id/endpoint/:endpoint_id/send-test', { params: endpointParams(opts.app, ref) });
        if (opts.json) printJson(sent);
        else say(`sent a test message as ${sent.id} (herald attempt list --app ${opts.app} --msg ${sent.id} shows how it went)`);
      }));

  appSubcommand(endpoint, 'stats <endpoint>', "count the endpoint's deliveries by status")
    .option('--since <time>', 'messages created since (date-time, or an age such as 24h)')
    .option('--until <time>', 'messages created before (date-time, or an age)')
    .action((ref: string, opts: AppOption & { since?: string; until?: string }) =>
      withApi(opts, async (api) => {
        const query = { since: timeOption(opts.since, '--since'), until: timeOption(opts.until, '--until') };
        const stats = await api.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/stats', { params: endpointParams(opts.app, ref), query });
        if (opts.json) printJson(stats);
        else printRecord(stats, { success: 'green', fail: 'red', pending: 'yellow', sending: 'cyan' });
      }));

  return endpoint;
}
