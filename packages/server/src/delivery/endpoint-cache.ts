import type { Store } from '../store/store.ts';
import type { Endpoint } from '../store/types.ts';

/**
 * Endpoints per app (for fan-out on publish) and signing keys per endpoint (for sending), kept in memory and
 * dropped when the API writes to them. Keys are also dropped when the soonest rotation grace period ends.
 */
export class EndpointCache {
  private readonly byApp = new Map<string, Promise<Endpoint[]>>();
  private readonly byId = new Map<string, Endpoint>();
  private readonly keys = new Map<string, { secrets: string[]; validUntil: number }>();

  constructor(private readonly store: Store) {}

  endpointsOf(appId: string): Promise<Endpoint[]> {
    let cached = this.byApp.get(appId);
    if (!cached) {
      cached = this.store.listAllEndpoints(appId).then((list) => {
        for (const ep of list) this.byId.set(ep.id, ep);
        return list;
      });
      cached.catch(() => this.byApp.delete(appId));
      this.byApp.set(appId, cached);
    }
    return cached;
  }

  async endpoint(id: string): Promise<Endpoint | undefined> {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const ep = await this.store.getEndpointById(id);
    if (ep) this.byId.set(id, ep);
    return ep;
  }

  async secrets(endpointId: string, now: number): Promise<string[]> {
    const hit = this.keys.get(endpointId);
    if (hit && hit.validUntil > now) return hit.secrets;
    const keys = await this.store.getEndpointKeys(endpointId, now);
    const expiries = keys.map((k) => k.expiresAt).filter((t): t is number => t !== null);
    const validUntil = expiries.length > 0 ? Math.min(...expiries) : Number.POSITIVE_INFINITY;
    const secrets = keys.map((k) => k.key);
    this.keys.set(endpointId, { secrets, validUntil });
    return secrets;
  }

  /** Call after any write to an app's endpoints (or the app itself). */
  invalidateApp(appId: string): void {
    this.byApp.delete(appId);
    for (const [id, ep] of this.byId) if (ep.appId === appId) this.byId.delete(id);
  }

  invalidateEndpoint(endpoint: Pick<Endpoint, 'id' | 'appId'>): void {
    this.byApp.delete(endpoint.appId);
    this.byId.delete(endpoint.id);
    this.keys.delete(endpoint.id);
  }
}

/** Whether a message goes to an endpoint: enabled, event type filter, channel filter (Svix semantics). */
export function endpointWants(ep: Endpoint, eventType: string, channels: readonly string[] | null): boolean {
  if (ep.disabled) return false;
  if (ep.eventTypes !== null && !ep.eventTypes.includes(eventType)) return false;
  if (ep.channels !== null && !(channels ?? []).some((c) => ep.channels!.includes(c))) return false;
  return true;
}
