import { HeraldClient, closedLoop } from '../lib/client.ts';
import { startHerald } from '../lib/processes.ts';
import { freePort, startReceiver, type Receiver } from '../lib/receiver.ts';
import type { Scenario } from '../lib/scenario.ts';
import { readMemory } from '../lib/rss.ts';
import { MB } from '../lib/stats.ts';
import { Tally } from '../lib/tally.ts';
import { now, perSecond, round } from '../lib/util.ts';

const PROGRESS_MS = 10_000;

/**
 * A backlog built while the endpoint is down (its URL is a port nothing listens on), then drained once a receiver
 * starts on that port. Herald retries on its own schedule (and, with a circuit breaker, probes the endpoint), so the
 * drain is waited for with a timeout and what happened is reported. The server's RSS is sampled throughout.
 */
export const backlog: Scenario = {
  name: 'backlog',
  title: 'messages accepted while the endpoint is down, then it comes back: peak RSS and drain rate',
  run: async (ctx) => {
    const { messages, publishers, drainTimeoutMs } = ctx.scale.backlog;
    const port = await freePort();
    const tally = new Tally(messages);
    const server = await startHerald('sqlite');
    const client = new HeraldClient(server.url, publishers);
    let receiver: Receiver | null = null;
    let progress: NodeJS.Timeout | null = null;
    try {
      const appId = await client.createApp('bench-backlog');
      await client.createEndpoint(appId, `http://127.0.0.1:${port}/e/0`);
      ctx.log(`endpoint down (port ${port}); publishing ${messages} messages from ${publishers} publishers`);
      let accepted = 0;
      progress = setInterval(() => ctx.log(`accepted ${accepted} of ${messages}, server RSS ${round((readMemory(server.pid)?.rss ?? 0) / MB)} MB`), PROGRESS_MS);
      const { startedAt, endedAt } = await closedLoop(messages, publishers, async (i) => {
        await client.publish(appId, i);
        accepted++;
      });
      clearInterval(progress);
      const peakPublishing = server.rss.phase();
      const early = tally.distinct;
      receiver = await startReceiver({ port, onDelivery: (_e, index, sentAt, at) => tally.record(index, sentAt, at) });
      const backAt = now();
      ctx.log(`accepted in ${round((endedAt - startedAt) / 1000, 1)} s; endpoint back, waiting up to ${drainTimeoutMs / 1000} s for the drain`);
      progress = setInterval(() => ctx.log(`delivered ${tally.distinct} of ${messages} (${tally.duplicates} duplicates)`), PROGRESS_MS);
      const complete = await tally.waitFor(drainTimeoutMs);
      clearInterval(progress);
      const waitedMs = now() - backAt;
      const peakDraining = server.rss.phase();
      const rss = server.rss.stop();
      const drained = tally.distinct - early;
      return {
        messages,
        publishers,
        acceptedPerSecond: perSecond(messages, endedAt - startedAt),
        publishSeconds: round((endedAt - startedAt) / 1000, 1),
        complete,
        delivered: tally.distinct,
        missing: messages - tally.distinct,
        duplicates: tally.duplicates,
        firstDeliveryAfterBackMs: tally.firstAt > 0 ? round(tally.firstAt - backAt) : null,
        allDeliveredAfterBackSeconds: complete ? round((tally.lastNewAt - backAt) / 1000, 1) : null,
        drainPerSecond: perSecond(drained, tally.lastNewAt - tally.firstAt),
        waitedSeconds: round(waitedMs / 1000, 1),
        drainTimeoutSeconds: drainTimeoutMs / 1000,
        peakRssBytes: rss.peakBytes,
        peakRssMB: round(rss.peakBytes / MB, 1),
        peakRssPublishingMB: round(peakPublishing / MB, 1),
        peakRssDrainingMB: round(peakDraining / MB, 1),
        rssAtEndMB: round(rss.lastBytes / MB, 1),
      };
    } finally {
      if (progress) clearInterval(progress);
      await client.close();
      await server.stop();
      await receiver?.close();
    }
  },
};
