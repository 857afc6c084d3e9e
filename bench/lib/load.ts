import { HeraldClient, closedLoop } from './client.ts';
import type { ServerProcess } from './processes.ts';
import { startReceiver } from './receiver.ts';
import type { Figures, ScenarioContext } from './scenario.ts';
import { MB } from './stats.ts';
import { Tally } from './tally.ts';
import { perSecond, round } from './util.ts';

/**
 * The throughput load, shared by Herald (SQLite, PostgreSQL) and the ceiling relay: `messages` of 1 KiB from
 * `publishers` concurrent publishers to one application with one endpoint (a local receiver answering 200 at once).
 * accepted/s: messages / (first publish to last 202); delivered/s: messages / (first publish to last receipt).
 */
export async function oneEndpointLoad(
  ctx: ScenarioContext,
  start: (receiverUrl: string) => Promise<ServerProcess>,
  /** Creates the application and endpoint, returns the application id (the relay needs none). */
  setup: (client: HeraldClient, receiverUrl: string) => Promise<string>,
): Promise<Figures> {
  const { messages, publishers, timeoutMs } = ctx.scale.throughput;
  const tally = new Tally(messages);
  const receiver = await startReceiver({ onDelivery: (_endpoint, index, sentAt, at) => tally.record(index, sentAt, at) });
  let server: ServerProcess | null = null;
  let client: HeraldClient | null = null;
  try {
    server = await start(receiver.url(0));
    client = new HeraldClient(server.url, publishers);
    const appId = await setup(client, receiver.url(0));
    ctx.log(`publishing ${messages} messages from ${publishers} publishers`);
    const c = client;
    const { startedAt, endedAt } = await closedLoop(messages, publishers, (i) => c.publish(appId, i));
    ctx.log(`accepted in ${round((endedAt - startedAt) / 1000, 1)} s; waiting for deliveries`);
    if (!(await tally.waitFor(timeoutMs))) {
      throw new Error(`only ${tally.distinct} of ${messages} messages arrived within ${timeoutMs / 1000} s of the last 202`);
    }
    const rss = server.rss.stop();
    return {
      messages,
      publishers,
      acceptedPerSecond: perSecond(messages, endedAt - startedAt),
      deliveredPerSecond: perSecond(messages, tally.lastNewAt - startedAt),
      seconds: round((tally.lastNewAt - startedAt) / 1000, 2),
      duplicates: tally.duplicates,
      serverPeakRssMB: round(rss.peakBytes / MB, 1),
    };
  } finally {
    await client?.close();
    await server?.stop();
    await receiver.close();
  }
}

/** The setup for Herald: one application, one endpoint at the receiver. */
export async function heraldSetup(client: HeraldClient, receiverUrl: string): Promise<string> {
  const appId = await client.createApp('bench');
  await client.createEndpoint(appId, receiverUrl);
  return appId;
}
