import { oneEndpointLoad } from '../lib/load.ts';
import { startRelay } from '../lib/processes.ts';
import type { Scenario } from '../lib/scenario.ts';

export const ceiling: Scenario = {
  name: 'ceiling',
  title: 'the same load through a relay that answers 202 and forwards, with no storage: the ceiling of this machine',
  run: async (ctx) => ({
    ...(await oneEndpointLoad(ctx, (target) => startRelay(target), async () => 'relay')),
    relay: 'bench/relay.ts: 202 at once, forwards the body with undici (64 connections), no storage',
  }),
};
