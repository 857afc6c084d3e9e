import type { App, Endpoint, EndpointKey, EventType, Page, PageResult } from '../types.ts';

/**
 * Applications, event types, endpoints and their signing keys: the slow-changing configuration deliveries are made from.
 * Lookups by "ref" accept an id or a uid. Writes that break a uniqueness rule throw HeraldError(409).
 */
export interface CatalogStore {
  createApp(app: App): Promise<void>;
  getApp(ref: string): Promise<App | undefined>;
  listApps(page: Page): Promise<PageResult<App>>;
  updateApp(app: App): Promise<void>;
  deleteApp(id: string): Promise<void>;
  createEventType(eventType: EventType): Promise<void>;
  getEventType(name: string): Promise<EventType | undefined>;
  listEventTypes(page: Page, includeArchived: boolean): Promise<PageResult<EventType>>;
  updateEventType(eventType: EventType): Promise<void>;
  deleteEventType(name: string, expunge: boolean): Promise<void>;
  createEndpoint(endpoint: Endpoint, key: EndpointKey): Promise<void>;
  getEndpoint(appId: string, ref: string): Promise<Endpoint | undefined>;
  getEndpointById(id: string): Promise<Endpoint | undefined>;
  /** The app's HTTP endpoints, destinations left out (listDestinations). */
  listEndpoints(appId: string, page: Page): Promise<PageResult<Endpoint>>;
  /** The app's destinations: endpoint rows with a destination. */
  listDestinations(appId: string, page: Page): Promise<PageResult<Endpoint>>;
  /** Every endpoint of the app, destinations included, for fan-out (the caller caches this). */
  listAllEndpoints(appId: string): Promise<Endpoint[]>;
  updateEndpoint(endpoint: Endpoint): Promise<void>;
  deleteEndpoint(id: string): Promise<void>;
  /** Disables an endpoint (the delivery engine does, on 410 Gone); false when it was disabled already or is gone. */
  disableEndpoint(id: string, now: number): Promise<boolean>;
  /**
   * A delivery to the endpoint was exhausted: starts its failing run if none is going on. Returns when the run began
   * (undefined if the endpoint is gone).
   */
  noteEndpointExhausted(id: string, now: number): Promise<number | undefined>;
  /** Any success ends an endpoint's failing run. */
  noteEndpointsSucceeded(ids: string[]): Promise<void>;
  /** The keys that still sign at `now`, the current one first. */
  getEndpointKeys(endpointId: string, now: number): Promise<EndpointKey[]>;
  /** Adds a new current key; the old current one keeps signing until oldExpiresAt. */
  rotateEndpointKey(endpointId: string, key: EndpointKey, oldExpiresAt: number): Promise<void>;
}
