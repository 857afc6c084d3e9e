import type { OAuth2ClientCredentials } from '../store/slices/endpoint-auth.ts';

/** A token request as it goes out: a form POST to the token URL. */
export interface TokenPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** What is left of the deadline of the attempt that asked for it. */
  timeoutMs: number;
}

/** The token server's answer (statusCode and body), or why there was none (statusCode null, body the reason). */
export interface TokenAnswer {
  statusCode: number | null;
  body: string;
  timedOut: boolean;
}

/** What the tokens need from outside: a clock, and a way to POST (in Herald, the delivery transport, with its guard). */
export interface TokenContext {
  now(): number;
  post(request: TokenPost): Promise<TokenAnswer>;
}

export type TokenResult = { ok: true; token: string } | { ok: false; reason: string; timedOut: boolean };

interface HeldToken {
  token: string;
  /** When a new one is asked for, before this one runs out. */
  refreshAt: number;
}

/** How long a token whose answer gave no expires_in is used. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;
/** How much of a token's error answer the attempt log keeps. */
const ERROR_BODY_LIMIT = 500;
/** How often held tokens that ran out (of endpoints deleted or changed since) are looked for and dropped. */
const SWEEP_EVERY_MS = 60_000;

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): one access token per endpoint, asked for when first needed and again
 * shortly before it runs out, shared by every attempt to the endpoint. Attempts that need a token while one is being
 * asked for wait for that request instead of making their own. A token is held per endpoint and settings, so changed
 * settings never use a token the old ones got.
 */
export class OAuthTokens {
  private readonly held = new Map<string, HeldToken>();
  private readonly asking = new Map<string, Promise<TokenResult>>();
  private nextSweepAt = 0;

  constructor(private readonly context: TokenContext) {}

  /** A token to send; `timeoutMs`: how long the caller can wait for it (a request made for it keeps the first caller's deadline). */
  async token(endpointId: string, settings: OAuth2ClientCredentials, timeoutMs: number): Promise<TokenResult> {
    const key = keyOf(endpointId, settings);
    const now = this.context.now();
    this.sweep(now);
    const held = this.held.get(key);
    if (held && now < held.refreshAt) return { ok: true, token: held.token };
    let asking = this.asking.get(key);
    if (!asking) {
      asking = this.ask(key, settings, timeoutMs).finally(() => this.asking.delete(key));
      this.asking.set(key, asking);
    }
    return withinDeadline(asking, timeoutMs, settings.tokenUrl);
  }

  /** The endpoint refused `token` (401): it is not used again, and the next attempt asks for a new one. */
  refused(endpointId: string, settings: OAuth2ClientCredentials, token: string): void {
    const key = keyOf(endpointId, settings);
    if (this.held.get(key)?.token === token) this.held.delete(key);
  }

  /** Asks the token server, and holds the token it gives under `key`. */
  private async ask(key: string, settings: OAuth2ClientCredentials, timeoutMs: number): Promise<TokenResult> {
    const { tokenUrl, clientId, clientSecret, scope, audience, clientAuth } = settings;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) form.set('scope', scope);
    if (audience) form.set('audience', audience);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (clientAuth === 'body') {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined and base64-encoded.
      headers['authorization'] = `Basic ${Buffer.from(`${formEncoded(clientId)}:${formEncoded(clientSecret)}`).toString('base64')}`;
    }
    const askedAt = this.context.now();
    const answer = await this.context.post({ url: tokenUrl, headers, body: form.toString(), timeoutMs });
    const failed = (why: string): TokenResult => ({ ok: false, reason: tokenFailure(tokenUrl, why), timedOut: answer.timedOut });
    if (answer.statusCode === null) return failed(answer.body);
    if (answer.statusCode < 200 || answer.statusCode >= 300) return failed(`${answer.statusCode} ${answer.body.slice(0, ERROR_BODY_LIMIT)}`.trim());
    let parsed: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      return failed(`the ${answer.statusCode} answer is not JSON: ${answer.body.slice(0, ERROR_BODY_LIMIT)}`);
    }
    if (typeof parsed?.access_token !== 'string' || parsed.access_token === '') return failed(`the ${answer.statusCode} answer has no access_token`);
    if (typeof parsed.token_type === 'string' && parsed.token_type.toLowerCase() !== 'bearer') {
      return failed(`the token is of type ${parsed.token_type.slice(0, 50)}; only Bearer tokens are supported`);
    }
    this.held.set(key, { token: parsed.access_token, refreshAt: refreshAt(askedAt, parsed.expires_in) });
    return { ok: true, token: parsed.access_token };
  }

  /** Drops tokens that ran out: those of endpoints no attempt asks for any more would otherwise stay forever. */
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_EVERY_MS;
    for (const [key, held] of this.held) if (held.refreshAt <= now) this.held.delete(key);
  }
}

const tokenFailure = (tokenUrl: string, why: string): string => `OAuth token request to ${tokenUrl} failed: ${why}`;

const keyOf = (endpointId: string, settings: OAuth2ClientCredentials): string => JSON.stringify([endpointId, settings]);

/** application/x-www-form-urlencoded, as URLSearchParams writes it. */
const formEncoded = (text: string): string => new URLSearchParams([['', text]]).toString().slice(1);

/**
 * When the token is asked for again: at 90 % of its lifetime or 30 s before it runs out, whichever is earlier, but
 * not before half of it (a token for a few seconds is still used for a few seconds); 5 minutes without expires_in.
 */
function refreshAt(askedAt: number, expiresIn: unknown): number {
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return askedAt + DEFAULT_LIFETIME_MS;
  const lifetime = seconds * 1000;
  return askedAt + Math.max(Math.min(lifetime * 0.9, lifetime - 30_000), lifetime / 2);
}

/** The result, or a timeout once the caller's own deadline passes (a shared request may outlast it). */
function withinDeadline(result: Promise<TokenResult>, timeoutMs: number, tokenUrl: string): Promise<TokenResult> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<TokenResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: tokenFailure(tokenUrl, `timed out after ${timeoutMs / 1000}s`), timedOut: true }), timeoutMs);
  });
  return Promise.race([result, timedOut]).finally(() => clearTimeout(timer));
}
