import { chromiumMissing, launchBrowser } from '../../packages/server/test/helpers/browser.ts';
import { probePostgres } from '../../packages/server/test/helpers/pg.ts';
import { HeraldClient } from '../lib/client.ts';
import { seedShop } from '../lib/dashboard-seed.ts';
import { walkDashboard, type WalkResult } from '../lib/dashboard-walk.ts';
import { startHerald, type Database } from '../lib/processes.ts';
import { startReceiver } from '../lib/receiver.ts';
import type { Figures, Scenario, ScenarioContext } from '../lib/scenario.ts';
import { Tally } from '../lib/tally.ts';

/** The slowest entry of a name → ms map. */
function slowest(ms: Record<string, number>): [string, number] {
  return Object.entries(ms).reduce((a, b) => (b[1] > a[1] ? b : a), ['-', 0]);
}

/** One backend: a fresh Herald filled through its API, then the dashboard walked in Chromium. */
async function measure(ctx: ScenarioContext, db: Database): Promise<{ walk: WalkResult; seedSeconds: number; deliveredPerSecond: number }> {
  const { messages, runs } = ctx.scale.dashboard;
  const tally = new Tally(messages);
  const receiver = await startReceiver({
    behaviour: (endpoint) => (endpoint === 1 ? 'fail' : 'ok'),
    onDelivery: (endpoint, index, sentAt, at) => endpoint === 0 && tally.record(index, sentAt, at),
  });
  const server = await startHerald(db);
  const browser = await launchBrowser();
  try {
    const log = (m: string) => ctx.log(`${db}: ${m}`);
    const shop = await seedShop(server, receiver, tally, messages, log);
    const client = new HeraldClient(server.url, 1);
    const attempts = await client.get<{ data: { id: string }[] }>(`/api/v1/app/${shop.appId}/attempt/msg/${shop.middle.id}`);
    await client.close();
    const attemptId = attempts.data[0]?.id;
    if (!attemptId) throw new Error('the middle message has no attempt');
    log(`walking the dashboard (${runs} runs after a warm-up)`);
    const walk = await walkDashboard(browser, server.url, shop, attemptId, runs);
    return { walk, seedSeconds: shop.seedSeconds, deliveredPerSecond: shop.deliveredPerSecond };
  } finally {
    await browser.close();
    await server.stop();
    await receiver.close();
  }
}

function figures(prefix: string, m: Awaited<ReturnType<typeof measure>>): Figures {
  const [view, viewMs] = slowest(m.walk.viewMs);
  const [api, apiMs] = slowest(m.walk.apiMaxMs);
  return {
    [`${prefix}SeedSeconds`]: m.seedSeconds,
    [`${prefix}SeedDeliveredPerSecond`]: m.deliveredPerSecond,
    [`${prefix}FirstLoadMs`]: m.walk.firstLoadMs,
    [`${prefix}SlowestViewMs`]: viewMs,
    [`${prefix}SlowestView`]: view,
    [`${prefix}SlowestApiMs`]: apiMs,
    [`${prefix}SlowestApi`]: api,
    [`${prefix}ViewMs`]: m.walk.viewMs,
    [`${prefix}ApiMaxMs`]: m.walk.apiMaxMs,
  };
}

export const dashboard: Scenario = {
  name: 'dashboard',
  title: 'one application with many messages (published and delivered through the API): each dashboard view in Chromium, and every API call it makes, on SQLite and PostgreSQL',
  run: async (ctx): Promise<Figures> => {
    if (chromiumMissing) return { skipped: 'Chromium (/usr/bin/chromium) is missing: apt-get install chromium' };
    const sqlite = await measure(ctx, 'sqlite');
    const unavailable = await probePostgres();
    return {
      messages: ctx.scale.dashboard.messages,
      runs: ctx.scale.dashboard.runs,
      ...figures('sqlite', sqlite),
      ...(unavailable ? { postgresSkipped: unavailable } : figures('postgres', await measure(ctx, 'postgres'))),
    };
  },
};
