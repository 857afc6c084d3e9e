import { hostname, userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import { LISTEN_NAME_PATTERN } from '@herald/wire/listen-name';
import { routeTarget } from '@herald/wire/routes';
import type { ListenDeliveryOut, ListenReplyIn, ListenStreamEvents } from '@herald/wire';
import type { Command } from 'commander';
import { Agent, request } from 'undici';
import { applicationOf, eventTypesOf, withEventTypesOption, type EventTypesOptions } from './target.ts';
import { ApiClient, UsageError, resolveConnection, withConnectionOptions, type ConnectionOptions } from './client.ts';
import { follow } from './follow.ts';
import { paint } from './output.ts';

interface ListenOptions extends ConnectionOptions, EventTypesOptions {
  /** Given, or found from --source. */
  app?: string;
  source?: string;
  forwardTo: string;
  name?: string;
}

/** What the local server answered, or why it did not: the reply to Herald but for the delivery's id. */
type Reply = Omit<ListenReplyIn, 'id'>;

/** Herald keeps the first 20 KB of a response body; no need to send more back. */
const REPLY_BODY_LIMIT = 20 * 1024;

/** A session name that is stable per user and machine, so a restarted `herald listen` picks up where it left off. */
function defaultName(): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    /* no user name (some containers): the machine name is enough */
  }
  return `${user}-${hostname().split('.')[0]}`.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 64);
}

function checkForwardTo(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url;
  } catch {
    /* reported below */
  }
  throw new UsageError(`--forward-to must be an http or https URL (got "${url}")`);
}

/**
 * POSTs one delivery to the local server with exactly the body and headers Herald signed, so the local signature
 * check passes, and returns what it answered (or why it did not).
 */
async function forward(agent: Agent, url: string, delivery: ListenDeliveryOut): Promise<Reply> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(Math.max(1_000, delivery.timeoutMs - 1_000));
  try {
    const body = delivery.bodyEncoding === 'base64' ? Buffer.from(delivery.body, 'base64') : delivery.body;
    const res = await request(url, { method: 'POST', headers: delivery.headers, body, dispatcher: agent, signal: deadline });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (size < REPLY_BODY_LIMIT) chunks.push(chunk);
      size += chunk.length;
    }
    const headers: Record<string, string> = {};
    for (const name of ['retry-after', 'webhook-delivery']) {
      const value = res.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return {
      statusCode: res.statusCode,
      body: Buffer.concat(chunks).subarray(0, REPLY_BODY_LIMIT).toString('utf8'),
      headers,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    const e = err as { code?: string; message?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code;
    const why = deadline.aborted ? `no answer within ${Math.round((delivery.timeoutMs - 1_000) / 1000)}s` : code ? `${code}: ${e.message ?? ''}` : (e.message ?? String(err));
    return { error: `${url}: ${why}`, durationMs: Math.round(performance.now() - started) };
  }
}

function deliveryLine(d: ListenDeliveryOut, reply: Reply): string {
  const time = new Date().toTimeString().slice(0, 8);
  const ok = reply.statusCode !== undefined && reply.statusCode >= 200 && reply.statusCode < 300;
  const answer = reply.statusCode !== undefined ? String(reply.statusCode) : `failed (${reply.error ?? 'no answer'})`;
  return `${paint('gray', time)}  ${paint('bold', d.eventType.padEnd(24))} ${d.msgId}  #${d.attemptNumber}  -> ${paint(ok ? 'green' : 'red', answer)}  ${reply.durationMs ?? 0} ms`;
}

export function registerListenCommand(program: Command): void {
  withConnectionOptions(withEventTypesOption(
    program
      .command('listen')
      .description("receive an application's webhooks on this machine: deliveries come through a stream from Herald and are POSTed to a local URL")
      .option('--app <app>', 'application id or uid')
      .option('--source <source>', "an inbound source (id or uid): receive what its provider sends, as it came")
      .requiredOption('--forward-to <url>', 'local URL to POST each delivery to, e.g. http://localhost:3000/webhooks')
      .option('--name <name>', 'session name; its endpoint is "listen-NAME" (default: user-host)'),
    'only these event types (default: all of them)',
  )).action(async (opts: ListenOptions) => {
    const forwardTo = checkForwardTo(opts.forwardTo);
    const eventTypes = eventTypesOf(opts);
    const name = opts.name ?? defaultName();
    if (!new RegExp(LISTEN_NAME_PATTERN).test(name)) throw new UsageError(`--name may hold letters, digits, ".", "_" and "-" (up to 64): "${name}"`);
    const client = new ApiClient(await resolveConnection(opts));
    opts.app = await applicationOf(client, opts);
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const session = { app_id: opts.app, name };
    let connectedBefore = false;
    let replaced = false;

    const handle = async (delivery: ListenDeliveryOut) => {
      const reply = await forward(agent, forwardTo, delivery);
      process.stdout.write(`${deliveryLine(delivery, reply)}\n`);
      try {
        await client.call('POST /api/v1/app/:app_id/listen/:name/reply', { params: session, body: { id: delivery.id, ...reply } });
      } catch (err) {
        say(paint('yellow', `could not report the answer to ${delivery.msgId} (${(err as Error).message}); Herald will retry it`));
      }
    };

    try {
      await follow(client, {
        path: routeTarget('GET /api/v1/app/:app_id/listen/:name', session).path,
        query: { event_types: eventTypes },
        signal: stop.signal,
        say: (line) => say(paint('yellow', line)),
        onEvent: (event) => {
          if (event.event === 'delivery') {
            const delivery: ListenStreamEvents['delivery'] = JSON.parse(event.data);
            void handle(delivery);
          } else if (event.event === 'ready') {
            const ready: ListenStreamEvents['ready'] = JSON.parse(event.data);
            if (!connectedBefore) {
              void client.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id/secret', { params: { app_id: session.app_id, endpoint_id: ready.endpointId } }).then(
                (secret) => say(`signing secret of endpoint ${ready.endpointId}: ${secret.key}`),
                () => undefined,
              );
            }
            say(paint('green', `${connectedBefore ? 'reconnected' : 'ready'}: forwarding webhooks of ${opts.app} to ${forwardTo} (session "${name}", endpoint ${ready.endpointId})`));
            if (ready.caughtUp > 0) say(`catching up on ${ready.caughtUp} ${ready.caughtUp === 1 ? 'delivery that' : 'deliveries that'} waited while no session was connected`);
            if (!connectedBefore) say(paint('gray', `Ctrl-C to stop; deliveries meanwhile wait and are retried. To stop for good: herald endpoint delete listen-${name} --app ${opts.app}`));
            connectedBefore = true;
          } else if (event.event === 'replaced') {
            replaced = true;
            return 'stop';
          } else if (event.event === 'shutdown') {
            say(paint('yellow', 'the server is shutting down'));
          }
        },
      });
    } finally {
      await agent.close();
      await client.close();
    }
    if (replaced) {
      say(paint('red', `another "herald listen" session named "${name}" took over; stopping this one`));
      process.exitCode = 1;
    }
  });
}
