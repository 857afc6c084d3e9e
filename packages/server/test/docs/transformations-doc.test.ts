/**
 * docs/transformations.md promises that its worked example works as written: the handler in its `code` block, set
 * through the svix client, answers the simulate request it shows with the answer it shows, delivers the body it shows
 * to the URL it names (signed as sent), cancels the small invoice, and fails the invoice without a currency with the
 * attempt response it shows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Svix, Webhook } from 'svix';
import { docBlocks } from '../helpers/doc-blocks.ts';
import { api, startTestHerald } from '../helpers/herald.ts';
import { Receiver } from '../helpers/receiver.ts';
import { until } from '../helpers/wait.ts';

const { block } = docBlocks('transformations.md');

const CODE = block('code', 'invoice-to-chat');
const SIMULATE = JSON.parse(block('simulate-request', 'invoice-paid')) as { eventType: string; payload: Record<string, unknown>; code: string };

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let svix: Svix;
let receiver: Receiver;
before(async () => {
  // Retries far off: each message's first attempt is what the doc describes.
  herald = await startTestHerald({ HERALD_RETRY_SCHEDULE: '600' });
  svix = new Svix(herald.token, { serverUrl: herald.url });
  receiver = await Receiver.start();
});
after(async () => {
  await herald.cleanup();
  await receiver.close();
});

test('the simulate request is answered as the doc shows', async () => {
  const app = await svix.application.create({ name: 'doc simulate' });
  const ep = await svix.endpoint.create(app.id, { url: 'https://chat.example.com/hooks' });
  assert.equal(SIMULATE.code, '(the handler above)');
  const answer = await api(herald.url, 'POST', `/api/v1/app/${app.id}/endpoint/${ep.id}/transformation/simulate`, { ...SIMULATE, code: CODE });
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  const { durationMs, ...rest } = answer.json;
  assert.equal(typeof durationMs, 'number');
  assert.deepEqual(rest, JSON.parse(block('simulate-answer', 'invoice-paid')));
});

test('deliveries go, are cancelled and fail as the doc shows', async () => {
  const app = await svix.application.create({ name: 'doc delivery' });
  const ep = await svix.endpoint.create(app.id, { url: receiver.url('/hooks') });
  await svix.endpoint.transformation.patch(app.id, ep.id, { code: CODE, enabled: true });
  const { key } = await svix.endpoint.getSecret(app.id, ep.id);

  const paid = await svix.message.create(app.id, { eventType: SIMULATE.eventType, payload: SIMULATE.payload });
  const small = await svix.message.create(app.id, { eventType: 'invoice.paid', payload: JSON.parse(block('payload', 'invoice-small')) });
  const broken = await svix.message.create(app.id, { eventType: 'invoice.paid', payload: JSON.parse(block('payload', 'invoice-no-currency')) });
  await receiver.waitFor((all) => all.length >= 1, 10_000, 'the invoice-paid delivery');

  const [got, ...more] = receiver.received;
  assert.equal(more.length, 0, 'only the paid invoice is sent');
  assert.equal(got!.path, '/hooks/rooms/acme');
  assert.deepEqual(JSON.parse(got!.body.toString('utf8')), JSON.parse(block('delivered', 'invoice-paid')));
  new Webhook(key).verify(got!.body.toString('utf8'), {
    'webhook-id': String(got!.headers['webhook-id']), 'webhook-timestamp': String(got!.headers['webhook-timestamp']), 'webhook-signature': String(got!.headers['webhook-signature']),
  });
  assert.equal(got!.headers['webhook-id'], paid.id);

  const attemptOf = (msgId: string) => until(`the attempt of ${msgId}`, async () =>
    (await api(herald.url, 'GET', `/api/v1/app/${app.id}/attempt/msg/${msgId}`)).json.data[0] as { status: number; response: string } | undefined);
  assert.equal((await attemptOf(small.id)).status, 4, 'canceled');
  const failed = await attemptOf(broken.id);
  assert.equal(failed.status, 2);
  assert.equal(failed.response, block('failure', 'invoice-no-currency'));
});
