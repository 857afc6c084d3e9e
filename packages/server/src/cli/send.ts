import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { UsageError } from './client.ts';
import { collect, csvList, defined, subcommand, withApi, type CommonOptions } from './manage/shared.ts';
import { printJson, say } from './output.ts';

interface SendOptions extends CommonOptions {
  app: string;
  eventType: string;
  data?: string;
  file?: string;
  eventId?: string;
  channels?: string;
  tag?: string[];
  deliverAt?: string;
  idempotencyKey?: string;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('herald: reading the payload from standard input (end it with Ctrl-D)\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The payload text and where it came from (for messages): --data, --file (- for stdin), else standard input. */
async function payloadText(opts: SendOptions): Promise<{ text: string; source: string }> {
  if (opts.data !== undefined && opts.file !== undefined) throw new UsageError('give the payload with --data or --file, not both');
  if (opts.data !== undefined) return { text: opts.data, source: '--data' };
  if (opts.file !== undefined && opts.file !== '-') {
    try {
      return { text: await readFile(opts.file, 'utf8'), source: opts.file };
    } catch (err) {
      throw new UsageError(`cannot read ${opts.file}: ${(err as Error).message}`);
    }
  }
  return { text: await readStdin(), source: 'standard input' };
}

/** The payload as the API takes it: a JSON object. Checked here, so nothing is sent when it is not one. */
async function readPayload(opts: SendOptions): Promise<Record<string, unknown>> {
  const { text, source } = await payloadText(opts);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the payload from ${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new UsageError(`the payload from ${source} must be a JSON object ({...}), not ${Array.isArray(payload) ? 'an array' : JSON.stringify(payload)}`);
  }
  return payload as Record<string, unknown>;
}

/** herald send: publishes one message to an application's subscribed endpoints. */
export function registerSendCommand(program: Command): void {
  subcommand(program, 'send', "publish a message to an application's endpoints; prints its id")
    .requiredOption('--app <app>', 'the application (id or uid)')
    .requiredOption('--event-type <name>', 'the event type, e.g. invoice.paid')
    .option('--data <json>', 'the payload, a JSON object')
    .option('--file <file>', 'read the payload from a file ("-" for standard input); without --data or --file it is read from standard input')
    .option('--event-id <id>', 'your unique id for this event (a second message with it is refused: exit 6)')
    .option('--channels <a,b>', 'channels, so endpoints can subscribe to some only')
    .option('--tag <tag>', 'tag for filtering (repeat for more)', collect)
    .option('--deliver-at <time>', 'hold the first attempt until then (RFC 3339 date-time)')
    .option('--idempotency-key <key>', 'repeating the send with this key within 24 h publishes once')
    .action((opts: SendOptions) =>
      withApi(opts, async (api) => {
        const payload = await readPayload(opts);
        const body = {
          eventType: opts.eventType,
          payload,
          ...defined({
            eventId: opts.eventId,
            channels: csvList(opts.channels),
            tags: opts.tag,
            deliverAt: opts.deliverAt,
          }),
        };
        const message = await api.call('POST /api/v1/app/:app_id/msg', { params: { app_id: opts.app }, body, idempotencyKey: opts.idempotencyKey });
        if (opts.json) printJson(message);
        else say(message.id);
      }));
}
