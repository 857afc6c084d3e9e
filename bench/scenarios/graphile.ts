import { dropSchema, PG_TEST_URL, probePostgres, uniqueSchema } from '../../packages/server/test/helpers/pg.ts';
import { onCleanup } from '../lib/cleanup.ts';
import { oneEndpointLoad } from '../lib/load.ts';
import { startPeer } from '../lib/processes.ts';
import type { Figures, Scenario } from '../lib/scenario.ts';
import { packageVersion } from '../lib/util.ts';

/** The throughput load through bench/peers/graphile-relay.ts, in a PostgreSQL schema of its own, dropped afterwards. */
export const graphile: Scenario = {
  name: 'graphile',
  title: 'the same load through a graphile-worker relay (HTTP ingest, a committed job each, a worker with concurrency 64 posting with undici)',
  run: async (ctx): Promise<Figures> => {
    const unavailable = await probePostgres();
    if (unavailable) return { skipped: unavailable };
    const schema = uniqueSchema('graphile_bench');
    const drop = onCleanup(`schema ${schema}`, () => dropSchema(schema));
    try {
      const figures = await oneEndpointLoad(ctx, (target) => startPeer('graphile-worker relay', 'graphile-relay.ts', target, [PG_TEST_URL, schema]), async () => 'graphile');
      return { ...figures, graphileWorkerVersion: packageVersion('graphile-worker'), schema };
    } finally {
      await drop(); // after oneEndpointLoad stopped the relay
    }
  },
};
