import { routeTarget } from '@herald/wire/routes';
import type { AttemptStreamEvents, LiveAttemptOut } from '@herald/wire';
import type { Command } from 'commander';
import { applicationOf, eventTypesOf, withEventTypesOption, type EventTypesOptions } from './target.ts';
import { ApiClient, resolveConnection, withConnectionOptions, type ConnectionOptions } from './client.ts';
import { follow } from './follow.ts';
import { followRequests } from './tail-requests.ts';
import { paint } from './output.ts';

interface TailOptions extends ConnectionOptions, EventTypesOptions {
  /** Given, or found from --source. */
  app?: string;
  source?: string;
  endpoint?: string;
  json?: boolean;
}

/** 12:03:04.123, local time: a terminal line needs the time of day, not the date. */
function clock(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function retryIn(next: string | null, at: string): string {
  if (next === null) return '';
  const seconds = Math.max(0, Math.round((Date.parse(next) - Date.parse(at)) / 1000));
  const human = seconds < 120 ? `${seconds}s` : seconds < 7200 ? `${Math.round(seconds / 60)}m` : `${Math.round(seconds / 3600)}h`;
  return paint('yellow', `  retry in ${human}`);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * One attempt as a terminal line: time, event type, endpoint (its uid when it has one), status, duration, attempt
 * number. A receiver's answer is cut to fit; why there was no answer is Herald's own sentence and is shown whole,
 * since its end often says what to do (a refused private target names the setting that allows it).
 */
export function attemptLine(a: LiveAttemptOut, endpointLabel = a.endpointId): string {
  const ok = a.status === 0;
  const status = a.responseStatusCode === 0 ? 'no response' : String(a.responseStatusCode);
  const outcome = paint(ok ? 'green' : 'red', `${ok ? '✔' : '✘'} ${status.padEnd(11)}`);
  const manual = a.triggerType === 1 ? paint('cyan', ' (manual)') : '';
  return (
    `${paint('gray', clock(a.timestamp))}  ${paint('bold', a.eventType.padEnd(24))} ${endpointLabel}  ${outcome} ` +
    `${String(a.responseDurationMs).padStart(5)} ms  #${a.attemptNumber}${manual}  ${paint('dim', a.msgId)}${retryIn(a.nextAttempt, a.timestamp)}` +
    (ok ? '' : paint('dim', `  ${oneLine(a.response, a.responseStatusCode === 0 ? Number.POSITIVE_INFINITY : 80)}`))
  );
}

/** An endpoint as the user knows it: its uid when it has one, else its id; looked up once per endpoint. */
function endpointLabels(client: ApiClient, app: string): (endpointId: string) => Promise<string> {
  const labels = new Map<string, Promise<string>>();
  return (endpointId) => {
    let label = labels.get(endpointId);
    if (!label) {
      label = client.call('GET /api/v1/app/:app_id/endpoint/:endpoint_id', { params: { app_id: app, endpoint_id: endpointId } })
        .then((endpoint) => endpoint.uid || endpointId, () => endpointId);
      labels.set(endpointId, label);
    }
    return label;
  };
}

export function registerTailCommand(program: Command): void {
  withConnectionOptions(withEventTypesOption(
    program
      .command('tail')
      .description("stream an application's delivery attempts live, one line each (Ctrl-C to stop)")
      .option('--app <app>', 'application id or uid')
      .option('--source <source>', 'an inbound source (id or uid): the requests it receives, and its forwarding attempts')
      .option('--endpoint <endpoint>', 'only this endpoint (id or uid)')
      .option('--json', 'one JSON object per attempt and line, for piping'),
    'only these event types',
  )).action(async (opts: TailOptions) => {
    const eventTypes = eventTypesOf(opts);
    const client = new ApiClient(await resolveConnection(opts));
    opts.app = await applicationOf(client, opts);
    const labelOf = endpointLabels(client, opts.app);
    // Lines go out in arrival order even though finding an endpoint's uid may take a request.
    let printing = Promise.resolve();
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    const say = (line: string) => process.stderr.write(`${paint('gray', line)}\n`);
    let connectedBefore = false;
    const requests = opts.source === undefined ? null
      : followRequests(client, opts.source, opts.json ?? false, stop.signal).catch((err: Error) => say(`stopped following received requests: ${err.message}`));
    try {
      await follow(client, {
        path: routeTarget('GET /api/v1/app/:app_id/attempt/stream', { app_id: opts.app }).path,
        query: { endpoint_id: opts.endpoint, event_types: eventTypes },
        signal: stop.signal,
        say,
        onEvent: (event) => {
          if (event.event === 'ready') {
            say(connectedBefore ? 'reconnected; attempts made while disconnected are not shown (see "herald attempt list")'
              : `watching attempts of ${opts.app}${opts.endpoint ? `, endpoint ${opts.endpoint}` : ''}${eventTypes ? `, event types ${eventTypes}` : ''} (Ctrl-C to stop)`);
            connectedBefore = true;
          } else if (event.event === 'attempt') {
            if (opts.json) {
              process.stdout.write(`${event.data}\n`);
              return;
            }
            const attempt: AttemptStreamEvents['attempt'] = JSON.parse(event.data);
            const label = labelOf(attempt.endpointId);
            printing = printing.then(async () => void process.stdout.write(`${attemptLine(attempt, await label)}\n`));
          }
        },
      });
      await requests;
      await printing;
    } finally {
      await client.close();
    }
  });
}
