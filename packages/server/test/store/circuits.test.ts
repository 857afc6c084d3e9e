/**
 * Storage conformance for circuit breaker state.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import { Status } from '../../src/store/types.ts';
import { T0, mkApp, mkEndpoint, mkKey, mkMessage, publish, deliveriesOf } from '../helpers/store-fixtures.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

describeEachBackend('circuits store', backends, (test) => {
  test('circuits: kept while open, listed, replaced, cleared, gone with their endpoint; SQLite keeps their deliveries parked at start', async (store) => {
    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k1'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k2'));
    const open = { endpointId: 'ep_1', openedAt: T0, failures: 20, probeDelayMs: 10_000, nextProbeAt: T0 + 5_000 };
    await store.circuits.saveCircuit(open, T0);
    await store.circuits.saveCircuit({ endpointId: 'ep_gone', openedAt: T0, failures: 1, probeDelayMs: 1, nextProbeAt: null }, T0);
    assert.deepEqual(await store.circuits.listCircuits(), [open], 'nothing kept for an endpoint that does not exist');
    const probed = { ...open, failures: 21, probeDelayMs: 20_000, nextProbeAt: T0 + 15_000 };
    await store.circuits.saveCircuit(probed, T0 + 5_000);
    assert.deepEqual(await store.circuits.listCircuits(['ep_1', 'ep_2']), [probed]);
    assert.deepEqual(await store.circuits.listCircuits(['ep_2']), []);

    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased'], ['ep_2', 'leased']], { leaseUntil: T0 + 60_000 });
    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'parked'], ['ep_2', 'parked']]);
    const recovered = await store.queue.recoverAtStart(T0 + 10_000);
    if (store.dialect === 'sqlite') {
      assert.deepEqual(recovered, { deliveries: 2, endpoints: 1 }, 'only the closed endpoint\'s deliveries are made due');
      const ep1 = [...(await deliveriesOf(store, 'msg_1')), ...(await deliveriesOf(store, 'msg_2'))].filter((d) => d.endpointId === 'ep_1');
      assert.deepEqual(ep1.map((d) => [d.status, d.nextAttemptAt]), [[Status.Pending, null], [Status.Pending, null]], 'parked, the one mid-send too');
      const [probe] = await store.queue.claimParkedDeliveries('ep_1', T0 + 70_000, 1);
      assert.equal(probe?.messageId, 'msg_1', 'the probe takes the oldest');
    }

    await store.circuits.clearCircuit('ep_1');
    assert.deepEqual(await store.circuits.listCircuits(), []);
    await store.circuits.saveCircuit(open, T0);
    await store.catalog.deleteEndpoint('ep_1');
    assert.deepEqual(await store.circuits.listCircuits(), [], 'gone with the endpoint');
  });
});
