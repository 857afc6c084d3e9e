import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { HeraldError } from '../lib/errors.ts';
import type { ApiToken, TokenScope } from '../store/access-types.ts';
import type { AccessStore, SettingsStore } from '../store/storage.ts';

const ADMIN_HASH_SETTING = 'admin_token_sha256';

/**
 * How long a token looked up in the store is trusted without asking again. A revocation takes effect at once in
 * the process that made it and within this time in the others sharing a PostgreSQL database.
 */
export const TOKEN_CACHE_MS = 5_000;
/** last-used is written at most this often per token: it is for people, and a write per request would cost. */
const LAST_USED_PRECISION_MS = 60_000;
const MAX_CACHED_TOKENS = 10_000;

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Who is making a request, as the access rules see them. */
export interface Principal {
  /** null: the admin token given at start (or generated on first start). */
  tokenId: string | null;
  name: string;
  scope: TokenScope;
  /** The one application an app token reaches. */
  appId: string | null;
  readOnly: boolean;
  /** Requests per second; null: the server's default. */
  rateLimit: number | null;
}

export const ADMIN_PRINCIPAL: Principal = Object.freeze({ tokenId: null, name: 'admin', scope: 'admin', appId: null, readOnly: false, rateLimit: null });

/** A new token in clear (shown once) and the hash and prefix that are stored. */
export function generateToken(kind: 'tok' | 'portal'): { token: string; tokenHash: string; prefix: string } {
  const token = `herald_${kind}_${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: sha256(token).toString('hex'), prefix: token.slice(0, kind.length + 14) };
}

const principalOf = (t: ApiToken): Principal =>
  ({ tokenId: t.id, name: t.name, scope: t.scope, appId: t.appId, readOnly: t.readOnly, rateLimit: t.rateLimit });

interface CachedToken {
  principal: Principal;
  expiresAt: number | null;
  trustedUntil: number;
}

/** What an Authenticator reads: named tokens by hash (noting their use), and the generated admin token's hash. */
export interface TokenSources {
  access: Pick<AccessStore, 'findApiTokenByHash' | 'noteApiTokenUsed'>;
  settings: Pick<SettingsStore, 'getSetting'>;
}

/** Checks bearer tokens: the admin token against its hash, named tokens by their hash in the store. */
export class Authenticator {
  private readonly cache = new Map<string, CachedToken>();
  private readonly lastNoted = new Map<string, number>();

  private storedAdminHash: { hash: Buffer | null; until: number } = { hash: null, until: 0 };

  /** A null adminHash is read from the store (a worker process, which never generates the admin token itself). */
  constructor(
    private readonly store: TokenSources,
    private readonly adminHash: Buffer | null,
    private readonly log: Logger,
  ) {}

  async authenticate(header: string | undefined, now = Date.now()): Promise<Principal> {
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new HeraldError(401, 'authentication_failed', 'Missing or malformed Authorization header: expected "Bearer <token>"');
    const hash = sha256(match[1]!);
    const adminHash = this.adminHash ?? (await this.adminHashFromStore(now));
    if (adminHash && timingSafeEqual(hash, adminHash)) return ADMIN_PRINCIPAL;
    const key = hash.toString('hex');
    let cached = this.cache.get(key);
    if (!cached || cached.trustedUntil <= now) {
      const token = await this.store.access.findApiTokenByHash(key);
      if (!token) {
        this.cache.delete(key);
        throw new HeraldError(401, 'authentication_failed', 'Invalid token');
      }
      if (this.cache.size >= MAX_CACHED_TOKENS) this.cache.clear();
      cached = { principal: principalOf(token), expiresAt: token.expiresAt, trustedUntil: now + TOKEN_CACHE_MS };
      this.cache.set(key, cached);
    }
    if (cached.expiresAt !== null && cached.expiresAt <= now) throw new HeraldError(401, 'authentication_failed', 'Token expired');
    this.noteUsed(cached.principal.tokenId!, now);
    return cached.principal;
  }

  private async adminHashFromStore(now: number): Promise<Buffer | null> {
    if (this.storedAdminHash.hash === null && this.storedAdminHash.until <= now) {
      const stored = await this.store.settings.getSetting(ADMIN_HASH_SETTING);
      this.storedAdminHash = { hash: stored ? Buffer.from(stored, 'hex') : null, until: now + TOKEN_CACHE_MS };
    }
    return this.storedAdminHash.hash;
  }

  /** A token was revoked here: it stops working at once in this process. */
  forget(tokenId: string): void {
    for (const [key, cached] of this.cache) if (cached.principal.tokenId === tokenId) this.cache.delete(key);
  }

  private noteUsed(tokenId: string, now: number): void {
    if (now - (this.lastNoted.get(tokenId) ?? 0) < LAST_USED_PRECISION_MS) return;
    if (this.lastNoted.size >= MAX_CACHED_TOKENS) this.lastNoted.clear();
    this.lastNoted.set(tokenId, now);
    this.store.access.noteApiTokenUsed(tokenId, now).catch((err) => this.log.warn({ err, tokenId }, 'could not record when a token was last used'));
  }
}

/**
 * The authenticator with the admin token: the configured one if given; otherwise the one generated on the first
 * start of an API process, whose hash is kept in the store. Returns the admin token in clear only when it was generated now, so the caller
 * can print it once.
 */
export async function loadAuthenticator(
  store: TokenSources & { settings: Pick<SettingsStore, 'setSetting'> },
  configured: string | undefined,
  log: Logger,
  options: { generate: boolean } = { generate: true },
): Promise<{ auth: Authenticator; generated?: string }> {
  if (configured) return { auth: new Authenticator(store, sha256(configured), log) };
  const stored = await store.settings.getSetting(ADMIN_HASH_SETTING);
  if (stored) return { auth: new Authenticator(store, Buffer.from(stored, 'hex'), log) };
  // Only a process that can print it makes the admin token; others pick its hash up once an API process made it.
  if (!options.generate) return { auth: new Authenticator(store, null, log) };
  const token = `herald_admin_${randomBytes(24).toString('base64url')}`;
  await store.settings.setSetting(ADMIN_HASH_SETTING, sha256(token).toString('hex'));
  return { auth: new Authenticator(store, sha256(token), log), generated: token };
}

/**
 * Undoes the generation of an admin token that was never shown (the start failed before printing it, say on a port
 * in use): the next start generates one again and shows it, instead of the server keeping a token nobody has.
 */
export async function forgetGeneratedAdminToken(store: { settings: Pick<SettingsStore, 'setSetting'> }): Promise<void> {
  await store.settings.setSetting(ADMIN_HASH_SETTING, '');
}
