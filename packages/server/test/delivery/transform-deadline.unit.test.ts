import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Attempts } from '../../src/delivery/attempt.ts';
import { EndpointCache } from '../../src/delivery/endpoint-cache.ts';
import type { Recorder } from '../../src/delivery/recorder.ts';
import type { SignedRequest, Transport, TransportOutcome } from '../../src/delivery/transport.ts';
import type { AttemptOutcome, ClaimedDelivery, Endpoint } from '../../src/store/types.ts';
import type { TransformRunner } from '../../src/transform/runner.ts';

/**
 * An attempt's lease covers one request timeout from when the attempt began. A transformation that waited for the
 * sandbox takes its time out of the request's deadline, and an attempt left without time is not sent at all: a
 * request that outlived the lease could be sent a second time by another worker.
 */

const endpoint: Endpoint = {
  id: 'ep_1', appId: 'app_1', uid: null, url: 'https://receiver.example/hook', description: '', eventTypes: null, channels: null, disabled: false,
  throttleRate: null, concurrency: null, retrySchedule: null, requestTimeout: null, destination: null, chat: null, ordered: false, filter: null,
  metadata: {}, headers: {}, createdAt: 0, updatedAt: 0,
};

function rig(transformMs: number) {
  const sent: SignedRequest[] = [];
  const recorded: AttemptOutcome[] = [];
  const transport: Transport = {
    judgesEndpoint: true,
    accepts: () => true,
    send: async (request): Promise<TransportOutcome> => {
      sent.push(request);
      return { statusCode: 200, body: 'ok', durationMs: 1, timedOut: false, retryAfter: null, abortRequested: false };
    },
  };
  const cache = new EndpointCache(
    {
      getApp: async () => undefined, listAllEndpoints: async () => [endpoint], getEndpointById: async () => endpoint,
      getEndpointKeys: async () => [{ key: Buffer.alloc(32, 1).toString('base64'), createdAt: 0, expiresAt: null }],
    },
    { getEndpointTransformation: async () => ({ code: 'function handler(w) { return w; }', enabled: true, updatedAt: 0 }), getSourceTransformation: async () => ({ code: null, enabled: false, updatedAt: null }) },
    { getEndpointAuth: async () => null },
  );
  const transforms: Pick<TransformRunner, 'run'> = {
    run: async (_code, webhook) => {
      await new Promise((resolve) => setTimeout(resolve, transformMs));
      return { ok: true, webhook: { ...webhook, method: 'POST' }, cancel: false, durationMs: transformMs };
    },
  };
  const recorder = { add: (outcome: AttemptOutcome) => recorded.push(outcome), flush: async () => {} } as unknown as Recorder;
  const attempts = new Attempts({ noteEndpointExhausted: async () => undefined, disableEndpoint: async () => false }, cache, [transport], recorder, transforms, {
    retrySchedule: [60], userAgent: 'test', disableFailingEndpointAfterMs: 0, notify: () => {}, requestTimeoutMs: 1_000,
  }, pino({ level: 'silent' }));
  const item: ClaimedDelivery = {
    deliveryId: 1, messageId: 'msg_1', endpointId: 'ep_1', appId: 'app_1', eventType: 'e', attempts: 0, trigger: 0, payload: '{"a":1}', lease: 1, leaseUntil: Date.now() + 3_000,
  };
  return { attempts, item, sent, recorded };
}

test('the request gets what the transformation left of the attempt\'s deadline', async () => {
  const { attempts, item, sent } = rig(300);
  await attempts.run(item);
  assert.equal(sent.length, 1);
  // At least the transformation's 300 ms came out of the 1 s deadline (more on a busy machine, never less).
  assert.ok(sent[0]!.timeoutMs <= 700 && sent[0]!.timeoutMs > 0, `timeout ${sent[0]!.timeoutMs} ms`);
});

test('an attempt the transformation left without time is not sent, and is retried', async () => {
  const { attempts, item, sent, recorded } = rig(900);
  await attempts.run(item);
  assert.equal(sent.length, 0, 'nothing was sent');
  assert.equal(recorded.length, 1);
  assert.match(recorded[0]!.attempt.response, /waited too long for the sandbox/);
  assert.equal(recorded[0]!.nextAttemptAt !== null, true, 'retried');
});
