import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

/** One sample's value from the Prometheus text format, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('/metrics: attempts by outcome, attempt latency, failures per endpoint, queue, API requests; the admin token is required', async () => {
  const receiver = await Receiver.start();
  receiver.responder = (req, res) => res.writeHead(req.path === '/bad' ? 500 : 204).end();
  const herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '3600' });
  try {
    const app = await api(herald.url, 'POST', '/api/v1/app', { name: 'metrics' });
    const good = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: receiver.url('/good'), filterTypes: ['ok'] });
    const bad = await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/endpoint`, { url: receiver.url('/bad'), filterTypes: ['bad'] });
    for (const eventType of ['ok', 'ok', 'bad']) {
      assert.equal((await api(herald.url, 'POST', `/api/v1/app/${app.json.id}/msg`, { eventType, payload: {} })).status, 202);
    }
    await api(herald.url, 'GET', '/api/v1/no/such/route');

    const unauthenticated = await fetch(`${herald.url}/metrics`);
    assert.equal(unauthenticated.status, 401);

    const text = await until('the three attempts to be counted', async () => {
      const res = await api(herald.url, 'GET', '/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      return (sample(res.text, 'herald_attempts_total{outcome="success"}') ?? 0) >= 2 && (sample(res.text, 'herald_attempts_total{outcome="retry"}') ?? 0) >= 1
        ? res.text : undefined;
    });
    assert.equal(sample(text, 'herald_attempts_total{outcome="success"}'), 2);
    assert.equal(sample(text, 'herald_attempts_total{outcome="retry"}'), 1);
    assert.equal(sample(text, 'herald_attempt_duration_seconds_count{outcome="success"}'), 2);
    assert.equal(sample(text, `herald_endpoint_failed_attempts_total{endpoint_id="${bad.json.id}"}`), 1);
    assert.equal(sample(text, `herald_endpoint_failed_attempts_total{endpoint_id="${good.json.id}"}`), undefined);
    assert.equal(sample(text, 'herald_api_requests_total{route="/api/v1/app/:app_id/msg",method="POST",status="202"}'), 3);
    assert.equal(sample(text, 'herald_api_requests_total{route="unmatched",method="GET",status="404"}'), 1);
    assert.equal(sample(text, 'herald_deliveries_queued'), 1, 'the failed delivery waits for its retry in an hour');
    assert.equal(sample(text, 'herald_oldest_due_delivery_age_seconds'), 0, 'nothing is late');
    assert.ok((sample(text, 'herald_process_resident_memory_bytes') ?? 0) > 0);
  } finally {
    await herald.cleanup();
    await receiver.close();
  }
});
