/**
 * An open circuit breaker is visible where an operator or a customer looks: the endpoint in the API (get, list), the
 * svix client still reading it, `herald endpoint get` (--json and the record), and /metrics. With PostgreSQL an API
 * process shows the circuit a separate worker process opened.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Svix } from 'svix';
import { ADMIN_TOKEN, api, runCli, startTestHerald } from '../helpers/herald.ts';
import { PG_TEST_ENCRYPTION_KEY, PG_TEST_URL, dropSchema, postgresUnavailable, uniqueSchema } from '../helpers/pg.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const QUICK_CIRCUIT = { HERALD_CIRCUIT_BREAKER_AFTER: '3', HERALD_RETRY_SCHEDULE: '0.2,0.2,0.2,0.2,0.2,0.2' };

/** An app and an endpoint at a failing receiver, sent enough messages that its circuit opens. */
async function failingEndpoint(url: string, receiver: Receiver): Promise<string> {
  assert.equal((await api(url, 'POST', '/api/v1/app', { name: 'Acme', uid: 'acme' })).status, 201);
  const made = await api(url, 'POST', '/api/v1/app/acme/endpoint', { url: receiver.url('/down'), uid: 'down' });
  assert.equal(made.status, 201);
  for (let n = 0; n < 10; n++) assert.equal((await api(url, 'POST', '/api/v1/app/acme/msg', { eventType: 'order.paid', payload: { n } })).status, 202);
  return made.json.id as string;
}

const circuitOf = async (url: string) => (await api(url, 'GET', '/api/v1/app/acme/endpoint/down')).json.circuit;
const metricsText = async (url: string) => (await api(url, 'GET', '/metrics')).text;

test('an open circuit shows in endpoint get and list, the svix client, the CLI and /metrics, and clears when it closes', { timeout: 60_000 }, async () => {
  const receiver = await Receiver.start();
  let up = false;
  receiver.responder = (_req, res) => res.writeHead(up ? 200 : 500).end();
  const herald = await startTestHerald(QUICK_CIRCUIT);
  try {
    const endpointId = await failingEndpoint(herald.url, receiver);
    const circuit = await until('the circuit to show as open', async () => {
      const c = await circuitOf(herald.url);
      return c?.state === 'open' ? c : undefined;
    });
    assert.ok(circuit.failures >= 3, `failures: ${circuit.failures}`);
    assert.ok(Date.parse(circuit.openedAt) <= Date.now());
    assert.ok(Date.parse(circuit.nextProbeAt) > Date.parse(circuit.openedAt), 'when the next probe is');
    const listed = await api(herald.url, 'GET', '/api/v1/app/acme/endpoint');
    assert.equal(listed.json.data[0].circuit.state, 'open');

    // The svix client reads the endpoint as before (the extra field is Herald's own).
    const svix = new Svix(herald.token, { serverUrl: herald.url });
    const viaSvix = await svix.endpoint.get('acme', 'down');
    assert.equal(viaSvix.id, endpointId);
    assert.equal(viaSvix.disabled, false);

    const env = { HERALD_URL: herald.url, HERALD_TOKEN: ADMIN_TOKEN };
    const json = await runCli(['endpoint', 'get', 'down', '--app', 'acme', '--json'], env);
    assert.equal(json.code, 0, json.output);
    assert.equal(JSON.parse(json.stdout).circuit.state, 'open');
    const record = await runCli(['endpoint', 'get', 'down', '--app', 'acme'], env);
    assert.match(record.stdout, /circuit\s+open since \S+, \d+ failed attempts in a row; deliveries wait, (next probe \S+|a probe is on its way)/);
    const table = await runCli(['endpoint', 'list', '--app', 'acme'], env);
    assert.match(table.stdout, /circuit open/);

    const metrics = await metricsText(herald.url);
    assert.match(metrics, new RegExp(`herald_endpoint_circuit_open\\{endpoint_id="${endpointId}"\\} 1`));
    assert.match(metrics, /^herald_endpoint_circuits_open 1$/m);

    up = true;
    await until('the circuit to close', async () => (await circuitOf(herald.url))?.state === 'closed', 30_000);
    assert.deepEqual(await circuitOf(herald.url), { state: 'closed', openedAt: null, failures: 0, nextProbeAt: null });
    const after = await metricsText(herald.url);
    assert.match(after, /^herald_endpoint_circuits_open 0$/m);
    assert.ok(!after.includes(`herald_endpoint_circuit_open{endpoint_id="${endpointId}"}`), 'no series once closed');
    const closedRecord = await runCli(['endpoint', 'get', 'down', '--app', 'acme'], env);
    assert.match(closedRecord.stdout, /circuit\s+closed/);
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});

test('PostgreSQL: an API process shows, and counts in its metrics, the circuit a worker process opened', { timeout: 60_000 }, async (t) => {
  const skip = await postgresUnavailable();
  if (skip) return t.skip(skip);
  const schema = uniqueSchema('circuit_visible');
  const receiver = await Receiver.start();
  receiver.responder = (_req, res) => res.writeHead(500).end();
  const shared = { HERALD_DATABASE_URL: PG_TEST_URL, HERALD_DATABASE_SCHEMA: schema, HERALD_ENCRYPTION_KEY: PG_TEST_ENCRYPTION_KEY, ...QUICK_CIRCUIT };
  const apiOnly = await startTestHerald({ ...shared, HERALD_ROLE: 'api' });
  const worker = await startTestHerald({ ...shared, HERALD_ROLE: 'worker' });
  try {
    const endpointId = await failingEndpoint(apiOnly.url, receiver);
    await until('the API process to show the open circuit', async () => (await circuitOf(apiOnly.url))?.state === 'open', 20_000);
    assert.match(await metricsText(apiOnly.url), new RegExp(`herald_endpoint_circuit_open\\{endpoint_id="${endpointId}"\\} 1`));
  } finally {
    await worker.cleanup();
    await apiOnly.cleanup();
    await receiver.close();
    await dropSchema(schema);
  }
});
