import type { Bus, CatalogStore } from '../store/storage.ts';
import type { App, Endpoint } from '../store/types.ts';

interface Cached<T> {
  value: T;
  at: number;
}

/**
 * Apps by id or uid and endpoints per app (for publishing), and signing keys per endpoint (for sending), kept in memory.
 * A write through the API drops the entries here and, through the store, in every other process sharing the
 * database. `maxAgeMs` bounds how long a process can miss such a message (a dropped connection) before it rereads.
 * Keys are also dropped when the soonest rotation grace period ends.
 */
export class EndpointCache {
  /** Apps by the reference (id or uid) they were asked for; only found apps are kept. */
  private readonly apps = new Map<string, Cached<App>>();
  private readonly byApp = new Map<string, Cached<Promise<Endpoint[]>>>();
  private readonly byId = new Map<string, Cached<Endpoint>>();
  private readonly keys = new Map<string, { secrets: string[]; validUntil: number }>();

  constructor(
    private readonly store: {
      catalog: Pick<CatalogStore, 'getApp' | 'listAllEndpoints' | 'getEndpointById' | 'getEndpointKeys'>;
      bus: Pick<Bus, 'broadcast'>;
    },
    private readonly maxAgeMs = Number.POSITIVE_INFINITY,
  ) {}

  async app(ref: string): Promise<App | undefined> {
    const now = Date.now();
    const hit = this.apps.get(ref);
    if (hit && now - hit.at < this.maxAgeMs) return hit.value;
    const app = await this.store.catalog.getApp(ref);
    if (app) this.apps.set(ref, { value: app, at: now });
    else this.apps.delete(ref);
    return app;
  }

  endpointsOf(appId: string): Promise<Endpoint[]> {
    const now = Date.now();
    const hit = this.byApp.get(appId);
    if (hit && now - hit.at < this.maxAgeMs) return hit.value;
    const loading = this.store.catalog.listAllEndpoints(appId).then((list) => {
      for (const ep of list) this.byId.set(ep.id, { value: ep, at: now });
      return list;
    });
    loading.catch(() => this.byApp.delete(appId));
    this.byApp.set(appId, { value: loading, at: now });
    return loading;
  }

  async endpoint(id: string): Promise<Endpoint | undefined> {
    const now = Date.now();
    const hit = this.byId.get(id);
    if (hit && now - hit.at < this.maxAgeMs) return hit.value;
    const ep = await this.store.catalog.getEndpointById(id);
    if (ep) this.byId.set(id, { value: ep, at: now });
    else this.byId.delete(id);
    return ep;
  }

  async secrets(endpointId: string, now: number): Promise<string[]> {
    const hit = this.keys.get(endpointId);
    if (hit && hit.validUntil > now) return hit.secrets;
    const keys = await this.store.catalog.getEndpointKeys(endpointId, now);
    const expiries = keys.map((k) => k.expiresAt).filter((t): t is number => t !== null);
    const validUntil = Math.min(now + this.maxAgeMs, ...expiries);
    const secrets = keys.map((k) => k.key);
    this.keys.set(endpointId, { secrets, validUntil });
    return secrets;
  }

  /** After a write to an app or any of its endpoints: forget them here and tell the other processes. */
  invalidateApp(appId: string): void {
    this.forgetApp(appId);
    this.store.bus.broadcast({ type: 'endpoints-changed', appId }).catch(() => {
      // Other processes still reread within maxAgeMs.
    });
  }

  invalidateEndpoint(endpoint: Pick<Endpoint, 'id' | 'appId'>): void {
    this.keys.delete(endpoint.id);
    this.byId.delete(endpoint.id);
    this.invalidateApp(endpoint.appId);
  }

  /** Drops what this process holds about an app (on a change made here or announced by another process). */
  forgetApp(appId: string): void {
    for (const [ref, cached] of this.apps) if (cached.value.id === appId) this.apps.delete(ref);
    this.byApp.delete(appId);
    for (const [id, cached] of this.byId) {
      if (cached.value.appId !== appId) continue;
      this.byId.delete(id);
      this.keys.delete(id);
    }
  }
}

/** Whether a message goes to an endpoint: enabled, event type filter, channel filter (Svix semantics). */
export function endpointWants(ep: Endpoint, eventType: string, channels: readonly string[] | null): boolean {
  if (ep.disabled) return false;
  if (ep.eventTypes !== null && !ep.eventTypes.includes(eventType)) return false;
  if (ep.channels !== null && !(channels ?? []).some((c) => ep.channels!.includes(c))) return false;
  return true;
}
