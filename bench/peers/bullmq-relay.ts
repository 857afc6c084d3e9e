/**
 * A webhook relay on BullMQ, as a user would build one before adopting a gateway: the plain HTTP ingest answers 202
 * once Redis acknowledged the job, and one worker (concurrency 64) posts each job's payload to the target with undici,
 * retried by BullMQ on failure. Completed jobs are removed, as BullMQ's guide advises for a high-volume queue.
 *
 *   node --import tsx bench/peers/bullmq-relay.ts <target-url> <queue-name> [redis-url]
 *
 * Prints {"listening": port} once it listens on a free loopback port. The queue is the caller's to remove.
 */
import { Queue, Worker } from 'bullmq';
import { request } from 'undici';
import { serveIngest, type PublishBody } from './ingest.ts';

const [target, queueName, redisUrl = 'redis://127.0.0.1:6379'] = process.argv.slice(2);
if (!target || !queueName) {
  process.stderr.write('usage: bullmq-relay.ts <target-url> <queue-name> [redis-url]\n');
  process.exit(2);
}
const { hostname, port } = new URL(redisUrl);
const connection = { host: hostname, port: Number(port || 6379) };

const queue = new Queue<PublishBody>(queueName, {
  connection,
  defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 },
});

const worker = new Worker<PublishBody>(
  queueName,
  async (job) => {
    const res = await request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': job.id ?? '', 'x-event-type': job.data.eventType },
      body: JSON.stringify(job.data.payload),
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`the target answered ${res.statusCode}`);
  },
  { connection: { ...connection, maxRetriesPerRequest: null }, concurrency: 64 },
);
let failures = 0;
worker.on('failed', (job, err) => {
  if (failures++ < 5) process.stderr.write(`bullmq relay: job ${job?.id} failed: ${err.message}\n`);
});
worker.on('error', (err) => process.stderr.write(`bullmq relay: worker: ${err.message}\n`));

await worker.waitUntilReady();
serveIngest('bullmq', async (body) => (await queue.add(body.eventType, body)).id ?? '');
