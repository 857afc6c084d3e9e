/**
 * Storage conformance for the inbound gateway (sources, stored requests, de-duplication, forwarded messages), run
 * against every backend (SQLite, PostgreSQL).
 */
import assert from 'node:assert/strict';
import type { App, InboundRequest, Source, Storage } from '../../src/store/storage.ts';
import { mkEndpoint, mkKey } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();
const T0 = 1_700_000_000_000;

const mkApp = (id: string): App => ({ id, uid: null, name: id, metadata: {}, throttleRate: null, createdAt: T0, updatedAt: T0 });

const mkSource = (id: string, appId: string, over: Partial<Source> = {}): Source => ({
  id, uid: null, name: `source ${id}`, appId, verification: { type: 'github', secret: 'It\'s a Secret to Everybody' },
  response: { status: 202, body: '{"ok":true}', contentType: 'application/json' }, inspect: false, dedupeWindowSeconds: 86_400,
  signForwarded: false, createdAt: T0, updatedAt: T0, ...over,
});

const mkRequest = (id: string, sourceId: string, over: Partial<InboundRequest> = {}): InboundRequest => ({
  id, sourceId, receivedAt: T0, method: 'POST', path: '/in/gh', query: '', headers: { 'x-github-event': 'push', 'x-multi': ['a', 'b'] },
  body: Buffer.from([0x7b, 0x7d, 0xff, 0x00]), ip: '192.0.2.1', status: 'received', reason: null, providerId: null, eventType: 'push',
  messageId: null, ...over,
});

const page = (limit = 50, iterator: string | null = null) => ({ limit, iterator, order: 'ascending' as const });

describeEachBackend('inbound store', backends, (withStore) => {
  withStore('a source round-trips with its application, by id and uid, and updates', async (store) => {
    const source = mkSource('src_1', 'app_1', { uid: 'github' });
    await store.inbound.createSource(source, mkApp('app_1'));
    assert.deepEqual(await store.inbound.getSource('src_1'), source);
    assert.deepEqual(await store.inbound.getSource('github'), source);
    assert.equal((await store.catalog.getApp('app_1'))?.id, 'app_1');
    const changed = { ...source, name: 'renamed', inspect: true, signForwarded: true, verification: { type: 'none' }, updatedAt: T0 + 1 };
    await store.inbound.updateSource(changed);
    assert.deepEqual(await store.inbound.getSource('src_1'), changed);
    await assert.rejects(store.inbound.createSource(mkSource('src_2', 'app_2', { uid: 'github' }), mkApp('app_2')), /already exists/);
    assert.equal(await store.catalog.getApp('app_2'), undefined, 'a refused source leaves no application behind');
    assert.deepEqual((await store.inbound.listSources(page())).data.map((s) => s.id), ['src_1']);
  });

  withStore('stored requests keep their bytes and headers, settle, list and filter', async (store) => {
    await store.inbound.createSource(mkSource('src_1', 'app_1'), mkApp('app_1'));
    const request = mkRequest('inreq_1', 'src_1');
    assert.deepEqual(await store.inbound.storeInboundRequest(request, null), { duplicateOf: null });
    assert.deepEqual(await store.inbound.getInboundRequest('src_1', 'inreq_1'), request);
    assert.equal(await store.inbound.getInboundRequest('src_other', 'inreq_1'), undefined);
    await store.inbound.settleInboundRequest('inreq_1', 'accepted', 'msg_1', null);
    assert.equal((await store.inbound.getInboundRequest('src_1', 'inreq_1'))?.messageId, 'msg_1');
    await store.inbound.storeInboundRequest(mkRequest('inreq_2', 'src_1', { status: 'rejected', reason: 'signature mismatch', receivedAt: T0 + 10 }), null);
    assert.deepEqual((await store.inbound.listInboundRequests('src_1', {}, page())).data.map((q) => q.id), ['inreq_1', 'inreq_2']);
    assert.deepEqual((await store.inbound.listInboundRequests('src_1', { status: 'rejected' }, page())).data.map((q) => q.id), ['inreq_2']);
    assert.deepEqual((await store.inbound.listInboundRequests('src_1', { since: T0 + 5 }, page())).data.map((q) => q.id), ['inreq_2']);
  });

  withStore('a provider id seen on an accepted request within the window marks a duplicate', async (store) => {
    await store.inbound.createSource(mkSource('src_1', 'app_1'), mkApp('app_1'));
    await store.inbound.storeInboundRequest(mkRequest('inreq_1', 'src_1', { providerId: 'delivery-1' }), T0);
    // Not yet accepted (its forwarding may have failed): a retry is not a duplicate of it.
    assert.deepEqual(await store.inbound.storeInboundRequest(mkRequest('inreq_2', 'src_1', { providerId: 'delivery-1' }), T0), { duplicateOf: null });
    await store.inbound.settleInboundRequest('inreq_2', 'accepted', 'msg_2', null);
    assert.deepEqual(await store.inbound.storeInboundRequest(mkRequest('inreq_3', 'src_1', { providerId: 'delivery-1', receivedAt: T0 + 1 }), T0), { duplicateOf: 'inreq_2' });
    const duplicate = await store.inbound.getInboundRequest('src_1', 'inreq_3');
    assert.equal(duplicate?.status, 'duplicate');
    assert.equal(duplicate?.reason, 'duplicate of inreq_2');
    // Outside the window, or with no window, it is new again.
    assert.deepEqual(await store.inbound.storeInboundRequest(mkRequest('inreq_4', 'src_1', { providerId: 'delivery-1' }), T0 + 100), { duplicateOf: null });
    assert.deepEqual(await store.inbound.storeInboundRequest(mkRequest('inreq_5', 'src_1', { providerId: 'delivery-1' }), null), { duplicateOf: null });
  });

  withStore('retention deletes stored requests received before the cutoff, in batches', async (store) => {
    await store.inbound.createSource(mkSource('src_1', 'app_1'), mkApp('app_1'));
    for (let i = 0; i < 5; i++) await store.inbound.storeInboundRequest(mkRequest(`inreq_${i}`, 'src_1', { receivedAt: T0 + i }), null);
    assert.equal(await store.inbound.pruneInboundRequests(T0 + 3, 2), 2);
    assert.equal(await store.inbound.pruneInboundRequests(T0 + 3, 2), 1);
    assert.deepEqual((await store.inbound.listInboundRequests('src_1', {}, page())).data.map((q) => q.id), ['inreq_3', 'inreq_4']);
  });

  withStore('deleting a source deletes its application and stored requests', async (store) => {
    await store.inbound.createSource(mkSource('src_1', 'app_1'), mkApp('app_1'));
    await store.inbound.storeInboundRequest(mkRequest('inreq_1', 'src_1'), null);
    await store.inbound.deleteSource('src_1');
    assert.equal(await store.inbound.getSource('src_1'), undefined);
    assert.equal(await store.catalog.getApp('app_1'), undefined);
    assert.equal(await store.inbound.getInboundRequest('src_1', 'inreq_1'), undefined);
  });

  withStore('a forwarded message carries its forwarding to the claim', async (store) => {
    await store.inbound.createSource(mkSource('src_1', 'app_1'), mkApp('app_1'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_1', { url: 'https://example.com/deploy' }), mkKey('c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'));
    const forward = { headers: { 'x-github-event': 'push', 'content-type': 'application/json' }, sign: true };
    await store.history.createMessage({
      message: { id: 'msg_1', appId: 'app_1', eventId: null, eventType: 'push', channels: null, tags: null, payload: '{"ref":"main"}', createdAt: T0, deliverAt: null },
      deliveries: [{ endpointId: 'ep_1', admission: 'due' }], dueAt: T0, leaseUntil: T0, forward,
    });
    const [claimed] = await store.queue.claimDueDeliveries(T0 + 1, T0 + 60_000, 10);
    assert.deepEqual(claimed?.forward, forward);
    assert.equal(claimed?.payload, '{"ref":"main"}');
  });
});
