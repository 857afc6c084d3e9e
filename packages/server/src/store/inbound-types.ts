/** The inbound gateway's rows as the store hands them out. Times are epoch milliseconds. */

/** A verification scheme as stored: the store keeps it sealed and does not look inside (src/inbound/verification.ts does). */
export type StoredVerification = { type: string } & Record<string, unknown>;

export interface Source {
  id: string;
  uid: string | null;
  name: string;
  /** The application whose endpoints are this source's destinations. */
  appId: string;
  verification: StoredVerification;
  /** What the provider is answered once its request is stored. */
  response: { status: number; body: string | null; contentType: string | null };
  /** Inspect mode: requests are captured and answered, never forwarded. */
  inspect: boolean;
  /** Seconds during which a provider delivery id seen before marks a request as a duplicate; 0: never. */
  dedupeWindowSeconds: number;
  /** Forwarded requests also carry Herald's own Standard Webhooks signature, under each destination's secret. */
  signForwarded: boolean;
  createdAt: number;
  updatedAt: number;
}

/**
 * received: stored, not yet handed to delivery (a crash in between leaves it so); accepted: forwarded (messageId);
 * rejected: failed verification; duplicate: a provider delivery id seen within the window; inspected: captured by a
 * source in inspect mode; handshake: a provider's setup request (Slack url_verification, GitHub ping), answered only.
 */
export type InboundStatus = 'received' | 'accepted' | 'rejected' | 'duplicate' | 'inspected' | 'handshake';

export interface InboundRequest {
  id: string;
  sourceId: string;
  receivedAt: number;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  ip: string | null;
  status: InboundStatus;
  reason: string | null;
  providerId: string | null;
  eventType: string | null;
  messageId: string | null;
}

export interface InboundFilter {
  status?: InboundStatus;
  since?: number;
  until?: number;
}

/** How a message passes an inbound request on: with these headers (its body is the message's payload). */
export interface ForwardSpec {
  headers: Record<string, string>;
  /** Also sign with Herald's Standard Webhooks headers. */
  sign: boolean;
  /** The body was not UTF-8: the payload holds it as base64. */
  base64?: boolean;
  /** The source it came through, whose transformation (if any) reshapes it on each attempt. */
  sourceId?: string;
}
