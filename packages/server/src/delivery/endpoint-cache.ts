import type { CatalogStore, EndpointAuth, EndpointAuthStore, TransformationStore } from '../store/storage.ts';
import type { App, Endpoint } from '../store/types.ts';

interface Cached<T> {
  value: T;
  at: number;
}

/**
 * Apps by id or uid and endpoints per app (for publishing), and signing keys, transformations and authentication per
 * endpoint (for sending; a source's transformation too), kept in memory.
 * Every write that changes them announces itself on the bus, here and in every other process sharing the database
 * (store/catalog-changes.ts), and each process's bus listener hands the notice to forgetApp. `maxAgeMs` bounds how
 * long a process can miss such a notice (a dropped connection) before it rereads. Keys are also dropped when the
 * soonest rotation grace period ends.
 */
export class EndpointCache {
  /** Apps by the reference (id or uid) they were asked for; only found apps are kept. */
  private readonly apps = new Map<string, Cached<App>>();
  private readonly byApp = new Map<string, Cached<Promise<Endpoint[]>>>();
  private readonly byId = new Map<string, Cached<Endpoint>>();
  private readonly keys = new Map<string, { secrets: string[]; validUntil: number }>();
  /**
   * The code each endpoint's (or inbound source's) attempts run through, null when none is enabled, by `kind:id`, with
   * the application it delivers for: a change to it is announced for that application.
   */
  private readonly transformations = new Map<string, Cached<string | null> & { appId: string }>();
  /** How each endpoint's requests authenticate, null when they do not, with the application it belongs to. */
  private readonly auths = new Map<string, Cached<EndpointAuth | null> & { appId: string }>();

  constructor(
    private readonly catalog: Pick<CatalogStore, 'getApp' | 'listAllEndpoints' | 'getEndpointById' | 'getEndpointKeys'>,
    private readonly transformationStore: Pick<TransformationStore, 'getEndpointTransformation' | 'getSourceTransformation'>,
    private readonly authStore: Pick<EndpointAuthStore, 'getEndpointAuth'>,
    private readonly maxAgeMs = Number.POSITIVE_INFINITY,
  ) {}

  async app(ref: string): Promise<App | undefined> {
    const now = Date.now();
    const hit = this.apps.get(ref);
    if (hit && now - hit.at < this.maxAgeMs) return hit.value;
    const app = await this.catalog.getApp(ref);
    if (app) this.apps.set(ref, { value: app, at: now });
    else this.apps.delete(ref);
    return app;
  }

  endpointsOf(appId: string): Promise<Endpoint[]> {
    const now = Date.now();
    const hit = this.byApp.get(appId);
    if (hit && now - hit.at < this.maxAgeMs) return hit.value;
    const loading = this.catalog.listAllEndpoints(appId).then((list) => {
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
    const ep = await this.catalog.getEndpointById(id);
    if (ep) this.byId.set(id, { value: ep, at: now });
    else this.byId.delete(id);
    return ep;
  }

  /**
   * The endpoint as held now, without reading the store: undefined when it is not held (never read, forgotten after a
   * change, or too old). For the delivery hot path, which reads it again (endpoint()) only then.
   */
  heldEndpoint(id: string): Endpoint | undefined {
    const hit = this.byId.get(id);
    return hit && Date.now() - hit.at < this.maxAgeMs ? hit.value : undefined;
  }

  async secrets(endpointId: string, now: number): Promise<string[]> {
    const hit = this.keys.get(endpointId);
    if (hit && hit.validUntil > now) return hit.secrets;
    const keys = await this.catalog.getEndpointKeys(endpointId, now);
    const expiries = keys.map((k) => k.expiresAt).filter((t): t is number => t !== null);
    const validUntil = Math.min(now + this.maxAgeMs, ...expiries);
    const secrets = keys.map((k) => k.key);
    this.keys.set(endpointId, { secrets, validUntil });
    return secrets;
  }

  /**
   * The enabled transformation's code of an endpoint, or of the inbound source a forwarded request came through; null
   * when it has none (or it is disabled). `appId`: the application it delivers for.
   */
  async transformation(kind: 'endpoint' | 'source', id: string, appId: string): Promise<string | null> {
    const now = Date.now();
    const key = `${kind}:${id}`;
    const hit = this.transformations.get(key);
    if (hit && now - hit.at < this.maxAgeMs) return hit.value;
    const { code, enabled } = kind === 'endpoint'
      ? await this.transformationStore.getEndpointTransformation(id)
      : await this.transformationStore.getSourceTransformation(id);
    const value = enabled && code ? code : null;
    this.transformations.set(key, { value, at: now, appId });
    return value;
  }

  /** The endpoint's authentication (basic, OAuth 2.0, client certificate), null when it has none. `appId`: its application. */
  async auth(endpointId: string, appId: string): Promise<EndpointAuth | null> {
    const now = Date.now();
    const hit = this.auths.get(endpointId);
    if (hit && now - hit.at < this.maxAgeMs) return hit.value;
    const value = await this.authStore.getEndpointAuth(endpointId);
    this.auths.set(endpointId, { value, at: now, appId });
    return value;
  }

  /** Drops what this process holds about an app (on a change announced by this process's storage or another process). */
  forgetApp(appId: string): void {
    for (const [ref, cached] of this.apps) if (cached.value.id === appId) this.apps.delete(ref);
    this.byApp.delete(appId);
    for (const [id, cached] of this.byId) {
      if (cached.value.appId !== appId) continue;
      this.byId.delete(id);
      this.keys.delete(id);
    }
    // Keys of an endpoint not held by id (it was forgotten while an attempt read them) may be this app's too.
    for (const id of this.keys.keys()) if (!this.byId.has(id)) this.keys.delete(id);
    for (const [key, cached] of this.transformations) if (cached.appId === appId) this.transformations.delete(key);
    for (const [id, cached] of this.auths) if (cached.appId === appId) this.auths.delete(id);
  }
}

/**
 * Whether a message goes to an endpoint: enabled, event type filter, channel filter (Svix semantics). A polling
 * destination is read by its consumers instead: nothing is delivered to it.
 */
export function endpointWants(ep: Endpoint, eventType: string, channels: readonly string[] | null): boolean {
  if (ep.disabled || ep.destination?.type === 'pollingEndpoint') return false;
  if (ep.eventTypes !== null && !ep.eventTypes.includes(eventType)) return false;
  if (ep.channels !== null && !(channels ?? []).some((c) => ep.channels!.includes(c))) return false;
  return true;
}
