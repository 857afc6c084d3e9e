import { probePostgres, PG_TEST_URL } from '../../packages/server/test/helpers/pg.ts';
import { heraldSetup, oneEndpointLoad } from '../lib/load.ts';
import { startHerald, startHeraldScaledOut } from '../lib/processes.ts';
import type { Figures, Scenario } from '../lib/scenario.ts';

/** Worker processes beside the API process in the scaled-out run. */
const WORKERS = 2;

export const postgres: Scenario = {
  name: 'postgres',
  title: `the throughput scenario on PostgreSQL: one process (role all), beside SQLite; then an API process and ${WORKERS} workers`,
  run: async (ctx): Promise<Figures> => {
    const unavailable = await probePostgres();
    if (unavailable) return { skipped: unavailable };
    const one = await oneEndpointLoad(ctx, () => startHerald('postgres'), heraldSetup);
    ctx.log(`again with one API process and ${WORKERS} worker processes on one schema`);
    const scaled = await oneEndpointLoad(ctx, () => startHeraldScaledOut(WORKERS), heraldSetup);
    return {
      ...one,
      scaledOut: {
        processes: 1 + WORKERS,
        acceptedPerSecond: scaled['acceptedPerSecond'] as number,
        deliveredPerSecond: scaled['deliveredPerSecond'] as number,
        seconds: scaled['seconds'] as number,
        duplicates: scaled['duplicates'] as number,
        apiPeakRssMB: scaled['serverPeakRssMB'] as number,
      },
      database: PG_TEST_URL.replace(/:\/\/([^:@/]*):[^@/]*@/, '://$1:***@'),
    };
  },
};
