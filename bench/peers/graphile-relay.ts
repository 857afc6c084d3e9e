/**
 * A webhook relay on graphile-worker (PostgreSQL), as a user would build one: the plain HTTP ingest answers 202 once
 * addJob committed the job, and the worker (concurrency 64) posts each job's payload to the target with undici,
 * retried by graphile-worker on failure.
 *
 *   node --import tsx bench/peers/graphile-relay.ts <target-url> <connection-string> <schema>
 *
 * Migrates graphile-worker into the schema, then prints {"listening": port} once it listens on a free loopback
 * port. The schema is the caller's to drop.
 */
import { makeWorkerUtils, run, type Task } from 'graphile-worker';
import pg from 'pg';
import { request } from 'undici';
import { serveIngest, type PublishBody } from './ingest.ts';

const [target, connectionString, schema] = process.argv.slice(2);
if (!target || !connectionString || !schema) {
  process.stderr.write('usage: graphile-relay.ts <target-url> <connection-string> <schema>\n');
  process.exit(2);
}
const CONCURRENCY = 64;

const deliver: Task = async (job) => {
  const { eventType, payload } = job as PublishBody;
  const res = await request(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-event-type': eventType },
    body: JSON.stringify(payload),
  });
  await res.body.dump();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`the target answered ${res.statusCode}`);
};

// graphile-worker warns when its pool is smaller than the concurrency, so the pool has as many connections; the
// ingest and the worker share it.
const pgPool = new pg.Pool({ connectionString, max: CONCURRENCY });
const utils = await makeWorkerUtils({ pgPool, schema });
await utils.migrate();
await run({ pgPool, schema, concurrency: CONCURRENCY, noHandleSignals: true, taskList: { deliver } });
serveIngest('graphile-worker', async (body) => String((await utils.addJob('deliver', body)).id));
