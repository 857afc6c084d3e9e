import { probePostgres, PG_TEST_URL } from '../../packages/server/test/helpers/pg.ts';
import { heraldSetup, oneEndpointLoad } from '../lib/load.ts';
import { startHerald } from '../lib/processes.ts';
import type { Figures, Scenario } from '../lib/scenario.ts';

export const postgres: Scenario = {
  name: 'postgres',
  title: 'the throughput scenario on PostgreSQL (one process, role all), beside SQLite',
  run: async (ctx): Promise<Figures> => {
    const unavailable = await probePostgres();
    if (unavailable) return { skipped: unavailable };
    return { ...(await oneEndpointLoad(ctx, () => startHerald('postgres'), heraldSetup)), database: PG_TEST_URL.replace(/:\/\/([^:@/]*):[^@/]*@/, '://$1:***@') };
  },
};
