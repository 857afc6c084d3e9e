import { HeraldClient, closedLoop } from '../lib/client.ts';
import { startHerald } from '../lib/processes.ts';
import { startReceiver, type Receiver } from '../lib/receiver.ts';
import type { Scenario } from '../lib/scenario.ts';
import { MB } from '../lib/stats.ts';
import { Tally } from '../lib/tally.ts';
import { perSecond, round } from '../lib/util.ts';

/**
 * One application with many endpoints spread over several receivers (distinct ports, so distinct origins, and
 * distinct paths), every message to all of them. deliveries/s = deliveries / (first publish to last receipt).
 */
export const fanout: Scenario = {
  name: 'fanout',
  title: 'one application, many endpoints over several receivers, every message to all: deliveries/s',
  run: async (ctx) => {
    const { endpoints, receivers: receiverCount, messages, publishers, timeoutMs } = ctx.scale.fanout;
    const deliveries = endpoints * messages;
    const tally = new Tally(deliveries);
    const receivers: Receiver[] = [];
    let server: Awaited<ReturnType<typeof startHerald>> | null = null;
    let client: HeraldClient | null = null;
    try {
      for (let r = 0; r < receiverCount; r++) {
        receivers.push(await startReceiver({ onDelivery: (endpoint, index, sentAt, at) => tally.record(endpoint * messages + index, sentAt, at) }));
      }
      server = await startHerald('sqlite');
      const c = (client = new HeraldClient(server.url, 64));
      const appId = await c.createApp('bench-fanout');
      ctx.log(`creating ${endpoints} endpoints over ${receiverCount} receivers`);
      await closedLoop(endpoints, 16, (k) => c.createEndpoint(appId, receivers[k % receiverCount]!.url(k)).then(() => undefined));
      ctx.log(`publishing ${messages} messages (${deliveries} deliveries)`);
      const { startedAt, endedAt } = await closedLoop(messages, publishers, (i) => c.publish(appId, i));
      if (!(await tally.waitFor(timeoutMs))) {
        throw new Error(`only ${tally.distinct} of ${deliveries} deliveries arrived within ${timeoutMs / 1000} s of the last 202`);
      }
      const rss = server.rss.stop();
      return {
        endpoints,
        receivers: receiverCount,
        messages,
        deliveries,
        deliveriesPerSecond: perSecond(deliveries, tally.lastNewAt - startedAt),
        acceptedMessagesPerSecond: perSecond(messages, endedAt - startedAt),
        firstDeliveryMs: round(tally.firstAt - startedAt, 1),
        seconds: round((tally.lastNewAt - startedAt) / 1000, 2),
        duplicates: tally.duplicates,
        serverPeakRssMB: round(rss.peakBytes / MB, 1),
      };
    } finally {
      await client?.close();
      await server?.stop();
      for (const r of receivers) await r.close();
    }
  },
};
