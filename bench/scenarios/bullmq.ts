import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { onCleanup } from '../lib/cleanup.ts';
import { oneEndpointLoad } from '../lib/load.ts';
import { startPeer } from '../lib/processes.ts';
import type { Figure, Figures, Scenario } from '../lib/scenario.ts';
import { packageVersion } from '../lib/util.ts';

const REDIS_URL = process.env['HERALD_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

function redisConnection(): { host: string; port: number } {
  const { hostname, port } = new URL(REDIS_URL);
  return { host: hostname, port: Number(port || 6379) };
}

/**
 * What Redis keeps on disk (a BullMQ 202 is only as durable as this) and its version, or why Redis cannot be used:
 * one connection with a short timeout and no reconnecting.
 */
async function redisSettings(): Promise<Record<string, Figure> | string> {
  const redis = new Redis({ ...redisConnection(), lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let refused: Error | null = null; // connect() only says the connection closed; the 'error' event says why
  redis.on('error', (err: Error) => (refused ??= err));
  try {
    await redis.connect();
    const setting = async (name: string) => ((await redis.config('GET', name)) as string[])[1] ?? null;
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? null;
    const [save, appendonly, appendfsync] = [await setting('save'), await setting('appendonly'), await setting('appendfsync')];
    const kept = [appendonly === 'yes' ? `append-only file, fsync ${appendfsync}` : null, save ? `snapshots (save "${save}")` : null].filter(Boolean);
    return { version, save, appendonly, appendfsync, keepsOnDisk: kept.length > 0 ? kept.join(' and ') : 'nothing: a restart of Redis loses every queued job' };
  } catch (err) {
    return `Redis is not reachable at ${REDIS_URL} (${(refused ?? (err as Error)).message}); HERALD_BENCH_REDIS_URL sets where to look`;
  } finally {
    redis.disconnect();
  }
}

/** The throughput load through bench/peers/bullmq-relay.ts, on a queue of its own that is removed afterwards. */
export const bullmq: Scenario = {
  name: 'bullmq',
  title: 'the same load through a BullMQ relay (HTTP ingest, Redis queue, a worker with concurrency 64 posting with undici)',
  run: async (ctx): Promise<Figures> => {
    const redis = await redisSettings();
    if (typeof redis === 'string') return { skipped: redis };
    const queueName = `herald-bench-${randomBytes(6).toString('hex')}`;
    const queue = new Queue(queueName, { connection: redisConnection() });
    const removeQueue = onCleanup(`BullMQ queue ${queueName}`, async () => {
      await queue.obliterate({ force: true });
      await queue.close();
    });
    try {
      ctx.log(`Redis ${redis['version']}: save "${redis['save']}", appendonly ${redis['appendonly']}, appendfsync ${redis['appendfsync']}`);
      const figures = await oneEndpointLoad(ctx, (target) => startPeer('bullmq relay', 'bullmq-relay.ts', target, [queueName, REDIS_URL]), async () => 'bullmq');
      return { ...figures, bullmqVersion: packageVersion('bullmq'), queue: queueName, redis };
    } finally {
      await removeQueue(); // after oneEndpointLoad stopped the relay, so no worker recreates a key
    }
  },
};
