import type { Logger } from 'pino';
import { iso } from '../lib/time.ts';
import type { CatalogStore, HistoryStore } from '../store/storage.ts';
import type { App } from '../store/types.ts';
import type { EndpointCache } from './endpoint-cache.ts';
import type { Publish } from './publish.ts';

/**
 * Operational webhooks tell the operator when something is wrong: they are ordinary messages of one internal
 * application whose endpoints are the ones registered under /api/v1/operational-webhook/endpoint, so they are signed,
 * retried and logged like every other webhook.
 */
export const OPERATIONAL_APP_ID = 'app_operational';

/** What the delivery engine and the API report; the payloads follow Svix's operational webhook events. */
export type OperationalEvent =
  | {
      type: 'message.attempt.failing' | 'message.attempt.exhausted' | 'message.attempt.recovered';
      appId: string;
      endpointId: string;
      messageId: string;
      attempt: { id: string; timestamp: number; responseStatusCode: number };
    }
  /** `reason`, Herald's addition: why, in words (its deliveries kept failing, 410 Gone, a chat tool's refusal). */
  | { type: 'endpoint.disabled'; appId: string; endpointId: string; failSince: number; reason?: string }
  | { type: 'endpoint.enabled'; appId: string; endpointId: string }
  /** Herald's own: the endpoint's circuit breaker opened (its deliveries wait while it is probed) or closed again. */
  | { type: 'endpoint.circuit.opened'; appId: string; endpointId: string; failures: number }
  | { type: 'endpoint.circuit.closed'; appId: string; endpointId: string };

export class OperationalWebhooks {
  private app: Promise<App> | null = null;

  constructor(
    private readonly store: { catalog: Pick<CatalogStore, 'getApp' | 'createApp'>; history: Pick<HistoryStore, 'getMessage'> },
    private readonly endpoints: EndpointCache,
    /** Operational webhooks are published like any message (into the engine, when this process runs one). */
    private readonly publish: Publish,
    private readonly log: Logger,
  ) {}

  /** The internal application, created on first use. */
  application(): Promise<App> {
    this.app ??= this.loadOrCreate().catch((err) => {
      this.app = null;
      throw err;
    });
    return this.app;
  }

  private async loadOrCreate(): Promise<App> {
    const existing = await this.store.catalog.getApp(OPERATIONAL_APP_ID);
    if (existing) return existing;
    const now = Date.now();
    const app: App = { id: OPERATIONAL_APP_ID, uid: null, name: 'Operational webhooks', metadata: {}, throttleRate: null, createdAt: now, updatedAt: now };
    try {
      await this.store.catalog.createApp(app);
    } catch {
      // Another process created it first.
    }
    return (await this.store.catalog.getApp(OPERATIONAL_APP_ID)) ?? app;
  }

  /** Sends the event to every operational endpoint that wants it; never throws (it is a side channel). */
  emit(event: OperationalEvent): void {
    if (event.appId === OPERATIONAL_APP_ID) return; // failures of operational endpoints themselves do not loop
    void this.send(event).catch((err) => this.log.error({ err, event: event.type }, 'could not send an operational webhook'));
  }

  private async send(event: OperationalEvent): Promise<void> {
    const [app, endpoint] = await Promise.all([this.endpoints.app(event.appId), this.endpoints.endpoint(event.endpointId)]);
    const base = { appId: event.appId, appUid: app?.uid ?? null, endpointId: event.endpointId };
    let data: Record<string, unknown>;
    if (event.type === 'endpoint.disabled') data = { ...base, endpointUid: endpoint?.uid ?? null, failSince: iso(event.failSince), ...(event.reason && { reason: event.reason }) };
    else if (event.type === 'endpoint.enabled' || event.type === 'endpoint.circuit.closed') data = { ...base, endpointUid: endpoint?.uid ?? null };
    else if (event.type === 'endpoint.circuit.opened') data = { ...base, endpointUid: endpoint?.uid ?? null, failures: event.failures };
    else {
      const message = await this.store.history.getMessage(event.appId, event.messageId);
      data = {
        ...base,
        msgId: event.messageId,
        msgEventId: message?.eventId ?? null,
        lastAttempt: { id: event.attempt.id, timestamp: iso(event.attempt.timestamp), responseStatusCode: event.attempt.responseStatusCode },
      };
    }
    const operational = await this.application();
    await this.publish({ app: operational, message: { eventType: event.type, payload: { type: event.type, data } } });
  }
}
