/**
 * Storage conformance for the bus: notices to the other processes on one database.
 * Run against every backend (test/helpers/stores.ts); each test gets a fresh store of its own.
 */
import assert from 'node:assert/strict';
import type { StoreEvent } from '../../src/store/storage.ts';
import { Trigger } from '../../src/store/types.ts';
import { T0, mkApp, mkEndpoint, mkKey, mkMessage, publish } from '../helpers/store-fixtures.ts';
import { expectQuietFor } from '../helpers/wait.ts';
import { describeEachBackend, loadBackends } from '../helpers/stores.ts';

const backends = await loadBackends();

describeEachBackend('bus store', backends, (test) => {
  test('store events: SQLite has no one to tell; PostgreSQL tells the other handles, and of new due work', async (store, { another }) => {
    const other = await another();
    const heard: StoreEvent[] = [];
    let wake: (() => void) | null = null;
    await other.bus.subscribe((event) => {
      heard.push(event);
      wake?.();
    });
    /** Resolves once an event matching `done` was heard (PostgreSQL delivers notifications in commit order). */
    const until = (done: (e: StoreEvent) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not heard; heard so far: ${JSON.stringify(heard)}`)), 5_000);
        const check = () => {
          if (!heard.some(done)) return;
          clearTimeout(timer);
          wake = null;
          resolve();
        };
        wake = check;
        check();
      });
    const marker = (appId: string): StoreEvent => ({ type: 'endpoints-changed', appId });
    const isMarker = (appId: string) => (e: StoreEvent) => e.type === 'endpoints-changed' && e.appId === appId;

    await store.catalog.createApp(mkApp('app_A'));
    await store.catalog.createEndpoint(mkEndpoint('ep_1', 'app_A'), mkKey('k'));
    await store.catalog.createEndpoint(mkEndpoint('ep_2', 'app_A'), mkKey('k'));
    await publish(store, mkMessage('msg_1', 'app_A'), [['ep_1', 'leased'], ['ep_2', 'parked']]);
    await store.bus.broadcast(marker('after-leased'));
    if (store.dialect === 'sqlite') {
      await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 5 });
      await expectQuietFor(100, 'an event on SQLite');
      assert.deepStrictEqual(heard, [], 'SQLite: one process, no events');
      return;
    }
    await until(isMarker('after-leased'));
    assert.deepStrictEqual(heard, [marker('after-leased')], 'a broadcast is heard; a message with only leased and parked deliveries wakes no one');

    await publish(store, mkMessage('msg_2', 'app_A'), [['ep_1', 'due']], { dueAt: T0 + 5 });
    await until((e) => e.type === 'deliveries-due');
    assert.deepStrictEqual(heard.at(-1), { type: 'deliveries-due', at: T0 + 5 }, "a 'due' admission tells the others when");

    await store.queue.scheduleResend('msg_1', 'ep_1', T0 + 77, Trigger.Manual);
    await until((e) => e.type === 'deliveries-due' && e.at === T0 + 77);
    assert.deepStrictEqual(heard.at(-1), { type: 'deliveries-due', at: T0 + 77 }, 'a resend tells the others too');
  });
});
