import type { Bus, CatalogStore, EndpointAuthStore, InboundStore, Storage, TransformationStore } from './storage.ts';
import type { StoreEvent } from './types.ts';

/**
 * Invalidation as a property of the write, not of each caller's memory: the storage returned here announces every
 * committed write that changes what an endpoint cache holds (an application, its endpoints, their signing keys,
 * transformations and authentication).
 * Once such a write commits, this process's bus listeners hear `endpoints-changed` for the application at once, and
 * the other processes sharing the database hear it through the bus. So the endpoint cache has one notice source, the
 * bus, for changes made here and elsewhere alike.
 *
 * Writes that leave the cache's view as it was announce nothing: creating an application or a source (a missing
 * application is never cached), event types (not cached), an endpoint's failing run (not part of an Endpoint).
 * Herald applies this once, to the storage startHerald opens; every part of the process is handed that storage.
 */
export function announcingCatalogChanges(storage: Storage): Storage {
  const listeners: ((event: StoreEvent) => void)[] = [];
  const changed = (appId: string | undefined): void => {
    if (appId === undefined) return;
    const event: StoreEvent = { type: 'endpoints-changed', appId };
    for (const listener of listeners) listener(event);
    storage.bus.broadcast(event).catch(() => {
      // The other processes reread within their cache's maximum age.
    });
  };
  const { catalog, inbound, transformations, endpointAuth } = storage;
  // Read before the write: once it has committed, nothing may fail the caller's request.
  const appOfEndpoint = async (id: string) => (await catalog.getEndpointById(id))?.appId;

  const catalogWrites: Partial<CatalogStore> = {
    async updateApp(app) {
      await catalog.updateApp(app);
      changed(app.id);
    },
    async deleteApp(id) {
      await catalog.deleteApp(id);
      changed(id);
    },
    async createEndpoint(endpoint, key) {
      await catalog.createEndpoint(endpoint, key);
      changed(endpoint.appId);
    },
    async updateEndpoint(endpoint) {
      await catalog.updateEndpoint(endpoint);
      changed(endpoint.appId);
    },
    async deleteEndpoint(id) {
      const appId = await appOfEndpoint(id);
      await catalog.deleteEndpoint(id);
      changed(appId);
    },
    async disableEndpoint(id, now) {
      const appId = await appOfEndpoint(id);
      const disabled = await catalog.disableEndpoint(id, now);
      if (disabled) changed(appId);
      return disabled;
    },
    async rotateEndpointKey(endpointId, key, oldExpiresAt) {
      const appId = await appOfEndpoint(endpointId);
      await catalog.rotateEndpointKey(endpointId, key, oldExpiresAt);
      changed(appId);
    },
  };
  const inboundWrites: Partial<InboundStore> = {
    /** The source's application goes with it. */
    async deleteSource(id) {
      const appId = (await inbound.getSource(id))?.appId;
      await inbound.deleteSource(id);
      changed(appId);
    },
  };
  const transformationWrites: Partial<TransformationStore> = {
    async patchEndpointTransformation(endpointId, patch, now) {
      const appId = await appOfEndpoint(endpointId);
      const patched = await transformations.patchEndpointTransformation(endpointId, patch, now);
      if (patched) changed(appId);
      return patched;
    },
    async patchSourceTransformation(sourceId, patch, now) {
      const appId = (await inbound.getSource(sourceId))?.appId;
      const patched = await transformations.patchSourceTransformation(sourceId, patch, now);
      if (patched) changed(appId);
      return patched;
    },
  };
  const endpointAuthWrites: Partial<EndpointAuthStore> = {
    async setEndpointAuth(endpointId, auth, now) {
      const appId = await appOfEndpoint(endpointId);
      const set = await endpointAuth.setEndpointAuth(endpointId, auth, now);
      if (set) changed(appId);
      return set;
    },
    async clearEndpointAuth(endpointId) {
      const appId = await appOfEndpoint(endpointId);
      const cleared = await endpointAuth.clearEndpointAuth(endpointId);
      if (cleared) changed(appId);
      return cleared;
    },
  };
  const bus: Bus = {
    async subscribe(listener) {
      await storage.bus.subscribe(listener);
      listeners.push(listener);
    },
    broadcast: (event) => storage.bus.broadcast(event),
  };
  // The slices are plain objects of closures (no `this`), so copies with some members replaced serve as well as the
  // originals; what is not replaced, dialect-specific fields included, is carried over as it is.
  return {
    ...storage, catalog: { ...catalog, ...catalogWrites }, inbound: { ...inbound, ...inboundWrites },
    transformations: { ...transformations, ...transformationWrites }, endpointAuth: { ...endpointAuth, ...endpointAuthWrites }, bus,
  };
}
