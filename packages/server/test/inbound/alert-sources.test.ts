/**
 * The alerting and CI/CD senders as inbound providers: Prometheus Alertmanager and Grafana (alert groups, firing and
 * resolved), GitLab (pipeline and other events) and GitHub's workflow_run and check_run. First each scheme's checks,
 * event types and delivery ids as pure functions; then through a real server: what is accepted, refused, dropped as
 * a duplicate, and routed by event type and body filter.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import {
  REDACTED, VerificationSchema, providerDeliveryId, providerEventType, redactVerification, verificationConfigProblem, verifyInbound,
  type InboundRequest, type Verification,
} from '../../src/inbound/verification.ts';
import { api, deliveriesSettled, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';

const NOW_MS = Date.UTC(2026, 2, 2, 9, 20, 0);
const NOW_S = Math.floor(NOW_MS / 1000);
const TOKEN = 'am-token-0123456789abcdef0123456789';
const GRAFANA_SECRET = 'grafana-hmac-secret-0123456789';
const GITLAB_SECRET = 'gitlab-secret-token-0123456789';

const request = (headers: InboundRequest['headers'], body: string): InboundRequest => ({ headers, body: Buffer.from(body) });
const ok = (v: Verification, req: InboundRequest, nowMs = NOW_MS) => assert.deepEqual(verifyInbound(v, req, nowMs), { ok: true });
/** Why it was refused; never a secret or a credential the request carried. */
function refusal(v: Verification, req: InboundRequest, nowMs = NOW_MS): string {
  const result = verifyInbound(v, req, nowMs);
  assert.equal(result.ok, false, 'expected a rejection');
  const reason = result.ok ? '' : result.reason;
  for (const secret of [TOKEN, GRAFANA_SECRET, GITLAB_SECRET, ...Object.values(req.headers).flat()]) {
    if (typeof secret === 'string' && secret.length >= 16) assert.ok(!reason.includes(secret), `"${reason}" leaks "${secret}"`);
  }
  return reason;
}

const alert = (instance: string, fingerprint: string, status = 'firing', startsAt = '2026-03-02T09:14:05.123Z') => ({
  status,
  labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', instance },
  annotations: { summary: 'checkout 5xx ratio above 5% for 10 minutes' },
  startsAt,
  endsAt: status === 'resolved' ? '2026-03-02T09:41:05.123Z' : '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=job%3Acheckout_5xx%3Aratio5m+%3E+0.05',
  fingerprint,
});
/** An Alertmanager notification (webhook_config, version 4), written as Go's encoder does: compact, then a newline. */
const alertGroup = (status: string, alerts = [alert('checkout-7d9f:8080', 'c2b5a8e1f0d3a4b6', status), alert('checkout-5b1c:8080', '9e0f1d2c3b4a5968', status)]) => `${JSON.stringify({
  version: '4', groupKey: '{}:{alertname="HighErrorRate", service="checkout"}', truncatedAlerts: 0, status, receiver: 'herald',
  groupLabels: { alertname: 'HighErrorRate', service: 'checkout' }, commonLabels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' },
  commonAnnotations: { summary: 'checkout 5xx ratio above 5% for 10 minutes' }, externalURL: 'http://alertmanager.example.com:9093', alerts,
})}\n`;
/** Grafana's webhook contact point: the same group, with Grafana's own fields. */
const grafanaGroup = (status: string) => JSON.stringify({
  ...JSON.parse(alertGroup(status)), version: '1', orgId: 1, state: status === 'firing' ? 'alerting' : 'ok',
  title: `[${status.toUpperCase()}:2] HighErrorRate checkout`, message: '**Firing**\n\nValue: B=0.07',
});
const hmacHex = (key: string, ...parts: string[]) => parts.reduce((mac, part) => mac.update(part), createHmac('sha256', key)).digest('hex');
const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('Alertmanager', () => {
  const v: Verification = { type: 'alertmanager', token: TOKEN };

  test("its http_config's bearer token or basic auth is checked; anything else is refused", () => {
    ok(v, request(bearer(), alertGroup('firing')));
    ok(v, request({ authorization: `bearer ${TOKEN}` }, alertGroup('firing')));
    assert.equal(refusal(v, request(bearer('am-token-0123456789abcdef0123456780'), '{}')), 'wrong bearer token in header Authorization');
    assert.equal(refusal(v, request({}, '{}')), 'missing header Authorization');
    assert.equal(refusal(v, request(basic('alertmanager', TOKEN), '{}')), 'malformed header Authorization: expected Bearer credentials');
    const withBasic: Verification = { type: 'alertmanager', username: 'alertmanager', password: TOKEN };
    ok(withBasic, request(basic('alertmanager', TOKEN), '{}'));
    assert.equal(refusal(withBasic, request(basic('alertmanager', `${TOKEN}x`), '{}')), 'wrong username or password');
    // The API refuses such a configuration; should one be stored anyway, it lets nothing in.
    assert.equal(refusal({ type: 'alertmanager' }, request(bearer(), '{}')), 'source misconfigured: no credentials to check');
    assert.equal(refusal({ type: 'grafana' }, request(bearer(), '{}')), 'source misconfigured: no credentials to check');
  });

  test('the event type is alertmanager.<the group status>', () => {
    assert.equal(providerEventType(v, request(bearer(), alertGroup('firing'))), 'alertmanager.firing');
    assert.equal(providerEventType(v, request(bearer(), alertGroup('resolved'))), 'alertmanager.resolved');
    for (const body of ['{}', 'not json', '{"status":"Firing, really!"}']) assert.equal(providerEventType(v, request(bearer(), body)), null, body);
  });

  test('the delivery id is the same for the same notification and changes with news', () => {
    const id = (body: string) => providerDeliveryId(v, request(bearer(), body));
    const firing = id(alertGroup('firing'));
    assert.match(firing ?? '', /^[0-9a-f]{64}$/);
    // A retry or the other replica of an HA pair: the same group, whatever its spacing or the order of its alerts.
    assert.equal(id(JSON.stringify(JSON.parse(alertGroup('firing')), null, 2)), firing);
    assert.equal(id(alertGroup('firing', [alert('checkout-5b1c:8080', '9e0f1d2c3b4a5968'), alert('checkout-7d9f:8080', 'c2b5a8e1f0d3a4b6')])), firing);
    const news = [
      alertGroup('resolved'),
      alertGroup('firing', [alert('checkout-7d9f:8080', 'c2b5a8e1f0d3a4b6')]),
      alertGroup('firing', [alert('checkout-7d9f:8080', 'c2b5a8e1f0d3a4b6'), alert('checkout-5b1c:8080', '9e0f1d2c3b4a5968', 'resolved')]),
      alertGroup('firing', [alert('checkout-7d9f:8080', 'c2b5a8e1f0d3a4b6', 'firing', '2026-03-02T11:02:05.123Z'), alert('checkout-5b1c:8080', '9e0f1d2c3b4a5968')]),
    ];
    assert.equal(new Set([firing, ...news.map(id)]).size, 1 + news.length, 'resolved, fewer alerts, one resolved, one firing again: each is news');
    assert.equal(id('{"status":"firing"}'), null, 'no group key, no id');
  });
});

describe('Grafana', () => {
  const signed: Verification = { type: 'grafana', secret: GRAFANA_SECRET };
  const body = grafanaGroup('firing');

  test('its HMAC-SHA256 signature (hex, X-Grafana-Alerting-Signature) over the body', () => {
    ok(signed, request({ 'x-grafana-alerting-signature': hmacHex(GRAFANA_SECRET, body) }, body));
    assert.equal(refusal(signed, request({ 'x-grafana-alerting-signature': hmacHex(GRAFANA_SECRET, body) }, body.replace('firing', 'resolved'))), 'signature mismatch (X-Grafana-Alerting-Signature)');
    assert.equal(refusal(signed, request({}, body)), 'missing header X-Grafana-Alerting-Signature');
    assert.equal(refusal(signed, request({ 'x-grafana-alerting-signature': `sha256=${hmacHex(GRAFANA_SECRET, body)}` }, body)), 'malformed header X-Grafana-Alerting-Signature: expected <hex>');
    const renamed: Verification = { ...signed, header: 'X-Alert-Signature' };
    ok(renamed, request({ 'x-alert-signature': hmacHex(GRAFANA_SECRET, body) }, body));
  });

  test('with a timestamp header, over timestamp:body, within the tolerance', () => {
    const v: Verification = { ...signed, timestampHeader: 'X-Grafana-Alerting-Timestamp' };
    const headers = (at: number, signature = hmacHex(GRAFANA_SECRET, `${at}:`, body)) => ({ 'x-grafana-alerting-timestamp': String(at), 'x-grafana-alerting-signature': signature });
    ok(v, request(headers(NOW_S - 20), body));
    assert.equal(refusal(v, request(headers(NOW_S - 600), body)), 'timestamp is 600 s old (tolerance 300 s)');
    assert.equal(refusal(v, request(headers(NOW_S, hmacHex(GRAFANA_SECRET, body)), body)), 'signature mismatch (X-Grafana-Alerting-Signature)');
    ok({ ...v, toleranceSeconds: 900 }, request(headers(NOW_S - 600), body));
  });

  test('a signature and basic auth together must both hold; a bearer token alone is enough', () => {
    const both: Verification = { ...signed, username: 'grafana', password: GRAFANA_SECRET };
    const signature = { 'x-grafana-alerting-signature': hmacHex(GRAFANA_SECRET, body) };
    ok(both, request({ ...signature, ...basic('grafana', GRAFANA_SECRET) }, body));
    assert.equal(refusal(both, request(signature, body)), 'missing header Authorization');
    ok({ type: 'grafana', token: TOKEN }, request(bearer(), body));
  });

  test('event type grafana.<status>; the delivery id comes from the group, as for Alertmanager', () => {
    assert.equal(providerEventType(signed, request({}, body)), 'grafana.firing');
    assert.equal(providerEventType(signed, request({}, grafanaGroup('resolved'))), 'grafana.resolved');
    assert.equal(providerDeliveryId(signed, request({}, body)), providerDeliveryId({ type: 'alertmanager', token: TOKEN }, request({}, alertGroup('firing'))));
  });
});

describe('GitLab and GitHub CI/CD events', () => {
  const v: Verification = { type: 'gitlab', secret: GITLAB_SECRET };
  const pipeline = JSON.stringify({ object_kind: 'pipeline', object_attributes: { id: 31, ref: 'main', status: 'failed' }, project: { path_with_namespace: 'acme/api' } });

  test('X-Gitlab-Token must be the secret token', () => {
    ok(v, request({ 'x-gitlab-token': GITLAB_SECRET }, pipeline));
    assert.equal(refusal(v, request({ 'x-gitlab-token': `${GITLAB_SECRET}-and-more` }, pipeline)), 'wrong token in header X-Gitlab-Token');
    assert.equal(refusal(v, request({}, pipeline)), 'missing header X-Gitlab-Token');
  });

  test("the event type is the body's object_kind (a system hook's event_name); the delivery id is Idempotency-Key", () => {
    const headers = { 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-event-uuid': randomUUID(), 'idempotency-key': 'f4a3c5d2-9b1e-4c7a-8d6f-2e1b0a9c8d7e' };
    assert.equal(providerEventType(v, request(headers, pipeline)), 'pipeline');
    assert.equal(providerEventType(v, request({ 'x-gitlab-event': 'System Hook' }, '{"event_name":"project_create"}')), 'project_create');
    assert.equal(providerDeliveryId(v, request(headers, pipeline)), 'f4a3c5d2-9b1e-4c7a-8d6f-2e1b0a9c8d7e');
    assert.equal(providerDeliveryId(v, request({ 'x-gitlab-event-uuid': randomUUID() }, pipeline)), null, 'before GitLab 17.4: no id, no de-duplication');
  });

  test("GitHub's workflow_run and check_run are event types as X-GitHub-Event names them", () => {
    const github: Verification = { type: 'github', secret: GITLAB_SECRET };
    assert.equal(providerEventType(github, request({ 'x-github-event': 'workflow_run' }, '{}')), 'workflow_run');
    assert.equal(providerEventType(github, request({ 'x-github-event': 'check_run' }, '{}')), 'check_run');
  });
});

describe('configuration', () => {
  const validate = new Ajv({ strict: false }).compile(VerificationSchema);

  test('each usable configuration passes; credentials that do not go together are refused with why', () => {
    const usable: Verification[] = [
      { type: 'alertmanager', token: TOKEN }, { type: 'alertmanager', username: 'alertmanager', password: TOKEN }, { type: 'gitlab', secret: GITLAB_SECRET },
      { type: 'grafana', secret: GRAFANA_SECRET, header: 'X-Signature', timestampHeader: 'X-Timestamp', toleranceSeconds: 60 },
      { type: 'grafana', token: TOKEN }, { type: 'grafana', secret: GRAFANA_SECRET, username: 'grafana', password: TOKEN },
    ];
    for (const v of usable) assert.ok(validate(structuredClone(v)) && verificationConfigProblem(v) === null, JSON.stringify(v));
    const problems: [Verification, string][] = [
      [{ type: 'alertmanager' }, 'give token (a bearer token) or username and password'],
      [{ type: 'alertmanager', token: TOKEN, username: 'a', password: TOKEN }, 'give token or username and password, not both'],
      [{ type: 'alertmanager', username: 'alertmanager' }, 'username and password go together'],
      [{ type: 'grafana' }, 'give secret (the HMAC signature secret), token or username and password'],
      [{ type: 'grafana', token: TOKEN, timestampHeader: 'X-Timestamp' }, "timestampHeader needs secret (the contact point's HMAC signature secret)"],
      [{ type: 'grafana', secret: GRAFANA_SECRET, toleranceSeconds: 60 }, 'toleranceSeconds needs timestampHeader: without a timestamp there is nothing to check'],
    ];
    for (const [v, why] of problems) assert.equal(verificationConfigProblem(v), why);
    for (const bad of [{ type: 'gitlab', secret: 'short' }, { type: 'gitlab', token: GITLAB_SECRET }, { type: 'alertmanager', token: `${TOKEN} ` }]) assert.equal(validate(bad), false, JSON.stringify(bad));
  });

  test('a token is a secret: redacted, and the redacted form is refused back', () => {
    const redacted = redactVerification({ type: 'grafana', secret: GRAFANA_SECRET, token: TOKEN });
    assert.deepEqual(redacted, { type: 'grafana', secret: REDACTED, token: REDACTED });
    assert.equal(validate(redacted), false);
  });
});

describe('through Herald: accepted, refused, de-duplicated and routed', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let receiver: Receiver;
  const post = async (path: string, body: string, headers: Record<string, string>) =>
    (await fetch(herald.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })).status;
  const source = async (uid: string, verification: Verification) => {
    const res = await api(herald.url, 'POST', '/api/v1/source', { name: uid, uid, verification });
    assert.equal(res.status, 201, res.text);
  };
  const destination = async (app: string, path: string, more: Record<string, unknown> = {}) => {
    const res = await api(herald.url, 'POST', `/api/v1/app/${app}/endpoint`, { url: receiver.url(path), ...more });
    assert.equal(res.status, 201, res.text);
  };
  const stored = async (uid: string) =>
    ((await api(herald.url, 'GET', `/api/v1/source/${uid}/request?limit=50`)).json.data as { body: string; status: string; eventType: string | null; providerId: string | null }[]).reverse();
  const bodiesAt = (path: string) => receiver.on(path).map((r) => r.body.toString());

  before(async () => {
    [herald, receiver] = await Promise.all([startTestHerald(), Receiver.start()]);
  });
  after(async () => {
    await herald.cleanup();
    await receiver.close();
  });

  test("Alertmanager: a replica's copy is a duplicate, resolved is routed apart, the token is not passed on", async () => {
    await source('alertmanager', { type: 'alertmanager', token: TOKEN });
    await destination('source-alertmanager', '/paging', { eventTypes: ['alertmanager.firing'] });
    await destination('source-alertmanager', '/timeline');
    const [firing, resolved] = [alertGroup('firing'), alertGroup('resolved')];
    for (const body of [firing, firing, resolved]) assert.equal(await post('/in/alertmanager', body, bearer()), 200);
    assert.equal(await post('/in/alertmanager', firing, bearer('not-the-token-0123456789abcdef')), 401);
    await deliveriesSettled(herald);
    assert.deepEqual(bodiesAt('/paging'), [firing]);
    assert.deepEqual(bodiesAt('/timeline').sort(), [firing, resolved].sort());
    assert.equal(receiver.on('/timeline')[0]!.headers.authorization, undefined, "Alertmanager's credential for Herald stays with Herald");
    const requests = await stored('alertmanager');
    assert.deepEqual(requests.map((r) => [r.status, r.eventType]), [
      ['accepted', 'alertmanager.firing'], ['duplicate', 'alertmanager.firing'], ['accepted', 'alertmanager.resolved'], ['rejected', 'alertmanager.firing'],
    ]);
    assert.equal(requests[0]!.providerId, requests[1]!.providerId);
  });

  test('GitLab: failed pipelines reach the chat-ops service once, whatever GitLab retries; its token is not passed on', async () => {
    await source('gitlab', { type: 'gitlab', secret: GITLAB_SECRET });
    await destination('source-gitlab', '/pipelines-failed', { eventTypes: ['pipeline'], filter: { body: { 'object_attributes.status': 'failed' } } });
    const pipeline = (status: string) => JSON.stringify({ object_kind: 'pipeline', object_attributes: { id: 31, ref: 'main', status }, project: { path_with_namespace: 'acme/api' } });
    const headers = (key = randomUUID()) => ({ 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-token': GITLAB_SECRET, 'x-gitlab-event-uuid': randomUUID(), 'idempotency-key': key });
    const retried = headers();
    for (const [body, h] of [[pipeline('running'), headers()], [pipeline('failed'), retried], [pipeline('failed'), { ...retried, 'x-gitlab-event-uuid': randomUUID() }]] as const) {
      assert.equal(await post('/in/gitlab', body, h), 200);
    }
    assert.equal(await post('/in/gitlab', pipeline('failed'), { ...headers(), 'x-gitlab-token': 'a-guessed-token-0123456789' }), 401);
    await deliveriesSettled(herald);
    assert.deepEqual(bodiesAt('/pipelines-failed'), [pipeline('failed')]);
    assert.equal(receiver.on('/pipelines-failed')[0]!.headers['x-gitlab-token'], undefined);
    // Every request is stored: GitLab's retry (same Idempotency-Key) as a duplicate of the first, not forwarded again.
    const requests = await stored('gitlab');
    assert.deepEqual(requests.map((r) => [r.status, r.providerId]), [
      ['accepted', requests[0]!.providerId], ['accepted', retried['idempotency-key']], ['duplicate', retried['idempotency-key']], ['rejected', requests[3]!.providerId],
    ]);
  });

  test('GitHub: only completed, failed workflow runs pass a dot-path filter; check_run is an event type of its own', async () => {
    const secret = 'github-webhook-secret-0123456789';
    await source('github', { type: 'github', secret });
    // Filters take dot paths; a nested object is no condition and is refused rather than read some other way.
    const nested = await api(herald.url, 'POST', '/api/v1/app/source-github/endpoint', { url: receiver.url('/x'), filter: { body: { workflow_run: { conclusion: 'failure' } } } });
    assert.equal(nested.status, 422, nested.text);
    await destination('source-github', '/ci-failed', { eventTypes: ['workflow_run'], filter: { body: { action: 'completed', 'workflow_run.conclusion': 'failure' } } });
    const run = (action: string, conclusion: string | null) => JSON.stringify({ action, workflow_run: { id: 30433642, name: 'CI', head_branch: 'main', status: action === 'completed' ? 'completed' : 'in_progress', conclusion } });
    const checkRun = JSON.stringify({ action: 'completed', check_run: { name: 'test', conclusion: 'failure' } });
    const sent: [string, string][] = [['workflow_run', run('requested', null)], ['workflow_run', run('completed', 'success')], ['workflow_run', run('completed', 'failure')], ['check_run', checkRun]];
    for (const [event, body] of sent) {
      assert.equal(await post('/in/github', body, { 'x-github-event': event, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${hmacHex(secret, body)}` }), 200);
    }
    await deliveriesSettled(herald);
    assert.deepEqual(bodiesAt('/ci-failed'), [run('completed', 'failure')]);
    assert.deepEqual((await stored('github')).map((r) => r.eventType), ['workflow_run', 'workflow_run', 'workflow_run', 'check_run']);
  });
});
