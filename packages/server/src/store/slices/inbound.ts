import type { App, Page, PageResult } from '../types.ts';
import type { InboundFilter, InboundRequest, InboundStatus, Source } from '../inbound-types.ts';

/**
 * Inbound sources and the requests they received.
 */
export interface InboundStore {
  /** The source and its destinations' application, in one transaction. */
  createSource(source: Source, app: App): Promise<void>;
  /** By id or uid. */
  getSource(ref: string): Promise<Source | undefined>;
  listSources(page: Page): Promise<PageResult<Source>>;
  updateSource(source: Source): Promise<void>;
  /** Deletes the source with its application, destinations, messages and stored requests. */
  deleteSource(id: string): Promise<void>;
  /**
   * Stores a request as it came. With `dedupeSince`, a request whose provider id an accepted request of the source
   * received since then already had is stored as a duplicate instead; returns that request's id (else null).
   */
  storeInboundRequest(request: InboundRequest, dedupeSince: number | null): Promise<{ duplicateOf: string | null }>;
  /** What became of a stored request (forwarded as messageId, or not, and why). */
  settleInboundRequest(id: string, status: InboundStatus, messageId: string | null, reason: string | null): Promise<void>;
  getInboundRequest(sourceId: string, id: string): Promise<InboundRequest | undefined>;
  listInboundRequests(sourceId: string, filter: InboundFilter, page: Page): Promise<PageResult<InboundRequest>>;
  /** Retention: deletes up to `limit` stored inbound requests received before `cutoff`; returns how many. */
  pruneInboundRequests(cutoff: number, limit: number): Promise<number>;
}
