import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HeraldError } from '../lib/errors.ts';
import type { Store } from '../store/store.ts';

const ADMIN_HASH_SETTING = 'admin_token_sha256';

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Checks bearer tokens against the admin token's hash; the token itself is never stored. */
export class AdminAuth {
  constructor(private readonly adminHash: Buffer) {}

  authenticate(header: string | undefined): void {
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new HeraldError(401, 'authentication_failed', 'Missing or malformed Authorization header: expected "Bearer <token>"');
    if (!timingSafeEqual(sha256(match[1]!), this.adminHash)) throw new HeraldError(401, 'authentication_failed', 'Invalid token');
  }
}

/**
 * The admin token: the configured one if given; otherwise the one generated on first start, whose hash is kept
 * in the store. Returns the token in clear only when it was generated now, so the caller can print it once.
 */
export async function loadAdminAuth(store: Store, configured: string | undefined): Promise<{ auth: AdminAuth; generated?: string }> {
  if (configured) return { auth: new AdminAuth(sha256(configured)) };
  const stored = await store.getSetting(ADMIN_HASH_SETTING);
  if (stored) return { auth: new AdminAuth(Buffer.from(stored, 'hex')) };
  const token = `herald_admin_${randomBytes(24).toString('base64url')}`;
  await store.setSetting(ADMIN_HASH_SETTING, sha256(token).toString('hex'));
  return { auth: new AdminAuth(sha256(token)), generated: token };
}
