import { HeraldClient, closedLoop } from '../lib/client.ts';
import { startHerald, type ServerProcess } from '../lib/processes.ts';
import { startReceiver, type Behaviour, type Receiver } from '../lib/receiver.ts';
import type { Figure, Scenario, ScenarioContext } from '../lib/scenario.ts';
import { MB } from '../lib/stats.ts';
import { Tally } from '../lib/tally.ts';
import { perSecond, round } from '../lib/util.ts';

/** Herald's default per-attempt timeout (HERALD_REQUEST_TIMEOUT), left as it is. */
const REQUEST_TIMEOUT_SECONDS = 15;

/**
 * Endpoints 0..healthy-1 are healthy and spread over `healthyReceivers` receivers; the last `failing + hanging`
 * endpoints have a receiver each kind of their own (a poisoned neighbour is someone else's server, not a path on a
 * healthy one). Clean run: every endpoint answers 200. Poisoned run: those answer 500 or never answer.
 */
async function run(ctx: ScenarioContext, poisoned: boolean): Promise<Record<string, Figure>> {
  const { endpoints, failing, hanging, healthyReceivers, messages, publishers, timeoutMs } = ctx.scale.poisoned;
  const healthy = endpoints - failing - hanging;
  const tally = new Tally(healthy * messages);
  const behaviourOf = (k: number): Behaviour => (!poisoned || k < healthy ? 'ok' : k < healthy + failing ? 'fail' : 'hang');
  const onDelivery = (k: number, index: number, sentAt: number, at: number) => {
    if (k < healthy) tally.record(k * messages + index, sentAt, at);
  };
  const receivers: Receiver[] = [];
  let server: ServerProcess | null = null;
  let client: HeraldClient | null = null;
  try {
    for (let r = 0; r < healthyReceivers + 2; r++) receivers.push(await startReceiver({ behaviour: behaviourOf, onDelivery }));
    const receiverOf = (k: number): Receiver =>
      k < healthy ? receivers[k % healthyReceivers]! : k < healthy + failing ? receivers[healthyReceivers]! : receivers[healthyReceivers + 1]!;
    server = await startHerald('sqlite', { HERALD_REQUEST_TIMEOUT: String(REQUEST_TIMEOUT_SECONDS) });
    const c = (client = new HeraldClient(server.url, 64));
    const appId = await c.createApp('bench-poisoned');
    await closedLoop(endpoints, 16, (k) => c.createEndpoint(appId, receiverOf(k).url(k)).then(() => undefined));
    ctx.log(`${poisoned ? 'poisoned' : 'clean'} run: ${messages} messages to ${endpoints} endpoints (${healthy} healthy)`);
    const { startedAt } = await closedLoop(messages, publishers, (i) => c.publish(appId, i));
    if (!(await tally.waitFor(timeoutMs))) {
      throw new Error(`${poisoned ? 'poisoned' : 'clean'} run: only ${tally.distinct} of ${tally.slots} healthy deliveries arrived within ${timeoutMs / 1000} s of the last 202`);
    }
    const rss = server.rss.stop();
    const answered = { ok: 0, fail: 0, hang: 0 };
    for (const r of receivers) for (const k of ['ok', 'fail', 'hang'] as const) answered[k] += r.answered[k];
    return {
      healthyDeliveredPerSecond: perSecond(tally.slots, tally.lastNewAt - startedAt),
      seconds: round((tally.lastNewAt - startedAt) / 1000, 2),
      answered500: answered.fail,
      hung: answered.hang,
      duplicates: tally.duplicates,
      serverPeakRssMB: round(rss.peakBytes / MB, 1),
    };
  } finally {
    await client?.close();
    await server?.stop();
    for (const r of receivers) await r.close();
  }
}

export const poisoned: Scenario = {
  name: 'poisoned',
  title: "some endpoints answer 500 or hang: the healthy endpoints' delivered/s against a clean run",
  run: async (ctx) => {
    const { endpoints, failing, hanging, healthyReceivers, messages } = ctx.scale.poisoned;
    const clean = await run(ctx, false);
    const bad = await run(ctx, true);
    const c = clean['healthyDeliveredPerSecond'];
    const p = bad['healthyDeliveredPerSecond'];
    return {
      endpoints,
      healthyEndpoints: endpoints - failing - hanging,
      failingEndpoints: failing,
      hangingEndpoints: hanging,
      messages,
      healthyDeliveries: (endpoints - failing - hanging) * messages,
      requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS,
      layout: `healthy endpoints over ${healthyReceivers} receivers; the failing ones on one receiver, the hanging ones on another`,
      cleanHealthyDeliveredPerSecond: c ?? null,
      poisonedHealthyDeliveredPerSecond: p ?? null,
      ratio: typeof c === 'number' && typeof p === 'number' ? round(p / c, 3) : null,
      clean,
      poisoned: bad,
    };
  },
};
