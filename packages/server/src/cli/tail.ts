import type { Command } from 'commander';
import type { LiveAttempt } from '../store/types.ts';
import { applicationOf } from './target.ts';
import { ApiClient, resolveConnection, withConnectionOptions, type ConnectionOptions } from './client.ts';
import { follow } from './follow.ts';
import { followRequests } from './tail-requests.ts';
import { paint } from './output.ts';

interface TailOptions extends ConnectionOptions {
  /** Given, or found from --source. */
  app?: string;
  source?: string;
  endpoint?: string;
  eventTypes?: string;
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

/** One attempt as a terminal line: time, event type, endpoint, status, duration, attempt number. */
export function attemptLine(a: LiveAttempt): string {
  const ok = a.status === 0;
  const status = a.responseStatusCode === 0 ? 'no response' : String(a.responseStatusCode);
  const outcome = paint(ok ? 'green' : 'red', `${ok ? '✔' : '✘'} ${status.padEnd(11)}`);
  const manual = a.triggerType === 1 ? paint('cyan', ' (manual)') : '';
  return (
    `${paint('gray', clock(a.timestamp))}  ${paint('bold', a.eventType.padEnd(24))} ${a.endpointId}  ${outcome} ` +
    `${String(a.responseDurationMs).padStart(5)} ms  #${a.attemptNumber}${manual}  ${paint('dim', a.msgId)}${retryIn(a.nextAttempt, a.timestamp)}` +
    (ok ? '' : paint('dim', `  ${oneLine(a.response, 80)}`))
  );
}

export function registerTailCommand(program: Command): void {
  withConnectionOptions(
    program
      .command('tail')
      .description("stream an application's delivery attempts live, one line each (Ctrl-C to stop)")
      .option('--app <app>', 'application id or uid')
      .option('--source <source>', 'an inbound source (id or uid): the requests it receives, and its forwarding attempts')
      .option('--endpoint <endpoint>', 'only this endpoint (id or uid)')
      .option('--event-types <types>', 'only these event types, comma-separated')
      .option('--json', 'one JSON object per attempt and line, for piping'),
  ).action(async (opts: TailOptions) => {
    const client = new ApiClient(await resolveConnection(opts));
    opts.app = await applicationOf(client, opts);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    const say = (line: string) => process.stderr.write(`${paint('gray', line)}\n`);
    let connectedBefore = false;
    const requests = opts.source === undefined ? null
      : followRequests(client, opts.source, opts.json ?? false, stop.signal).catch((err: Error) => say(`stopped following received requests: ${err.message}`));
    try {
      await follow(client, {
        path: `/api/v1/app/${encodeURIComponent(opts.app)}/attempt/stream`,
        query: { endpoint_id: opts.endpoint, event_types: opts.eventTypes },
        signal: stop.signal,
        say,
        onEvent: (event) => {
          if (event.event === 'ready') {
            say(connectedBefore ? 'reconnected; attempts made while disconnected are not shown (see "herald attempt list")'
              : `watching attempts of ${opts.app}${opts.endpoint ? `, endpoint ${opts.endpoint}` : ''}${opts.eventTypes ? `, event types ${opts.eventTypes}` : ''} (Ctrl-C to stop)`);
            connectedBefore = true;
          } else if (event.event === 'attempt') {
            process.stdout.write(opts.json ? `${event.data}\n` : `${attemptLine(JSON.parse(event.data) as LiveAttempt)}\n`);
          }
        },
      });
      await requests;
    } finally {
      await client.close();
    }
  });
}
