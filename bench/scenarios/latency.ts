import { HeraldClient, openLoop } from '../lib/client.ts';
import { startHerald } from '../lib/processes.ts';
import { startReceiver } from '../lib/receiver.ts';
import type { Scenario } from '../lib/scenario.ts';
import { MB, summarize } from '../lib/stats.ts';
import { Tally } from '../lib/tally.ts';
import { now, round } from '../lib/util.ts';

/**
 * Publish-to-receipt latency at a fixed rate, open loop: each payload carries its send time, the receiver takes
 * receipt minus send. Nothing is left out: the first message measured is the first one Herald gets once the
 * application and its endpoint exist, so a cold start (JIT, the first connection to the endpoint) counts.
 */
export const latency: Scenario = {
  name: 'latency',
  title: 'publish-to-receipt latency at a fixed rate, open loop, from the first message (no warm-up left out)',
  run: async (ctx) => {
    const { rate, seconds, timeoutMs } = ctx.scale.latency;
    const total = Math.round(rate * seconds);
    const measured = new Tally(total, true);
    const receiver = await startReceiver({ onDelivery: (_e, index, sentAt, at) => measured.record(index, sentAt, at) });
    const server = await startHerald('sqlite').catch(async (err: unknown) => {
      await receiver.close();
      throw err;
    });
    const client = new HeraldClient(server.url, 64);
    try {
      const appId = await client.createApp('bench');
      await client.createEndpoint(appId, receiver.url(0));
      ctx.log(`open loop: ${rate} msg/s for ${seconds} s`);
      const accept: number[] = [];
      // A 1 ms tick sends each message at its own scheduled time (every 2 ms at 500/s); a coarser tick would send
      // them in bursts, which is a different load than the rate the target names.
      const run = await openLoop(rate, seconds * 1000, async (i) => {
        const t = now();
        await client.publish(appId, i);
        accept.push(now() - t);
      }, 1);
      if (!(await measured.waitFor(timeoutMs))) {
        throw new Error(`only ${measured.distinct} of ${total} messages arrived within ${timeoutMs / 1000} s of the last 202`);
      }
      const l = summarize(measured.latencies);
      const a = summarize(accept);
      const rss = server.rss.stop();
      return {
        ratePerSecond: rate,
        seconds,
        warmupMessages: 0,
        measured: l.count,
        p50Ms: l.p50,
        p90Ms: l.p90,
        p99Ms: l.p99,
        maxMs: l.max,
        meanMs: l.mean,
        achievedRatePerSecond: round(run.sent / ((run.endedAt - run.startedAt) / 1000)),
        generatorMaxLagMs: round(run.maxLagMs, 2),
        publish202: { p50Ms: a.p50, p99Ms: a.p99, maxMs: a.max },
        duplicates: measured.duplicates,
        serverPeakRssMB: round(rss.peakBytes / MB, 1),
      };
    } finally {
      await client.close();
      await server.stop();
      await receiver.close();
    }
  },
};
