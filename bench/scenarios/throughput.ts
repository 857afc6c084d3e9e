import { heraldSetup, oneEndpointLoad } from '../lib/load.ts';
import { startHerald } from '../lib/processes.ts';
import type { Scenario } from '../lib/scenario.ts';

export const throughput: Scenario = {
  name: 'throughput',
  title: 'SQLite: 1 KiB messages from concurrent publishers to one endpoint; accepted/s and delivered/s end to end',
  run: (ctx) => oneEndpointLoad(ctx, () => startHerald('sqlite'), heraldSetup),
};
