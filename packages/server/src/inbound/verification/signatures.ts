import { createHash, createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { PUBLIC_PREFIX, SECRET_PREFIX, parsePublicKey, parseSecret } from '../../delivery/signing.ts';

/**
 * Why a request was refused. Thrown by the checks and turned into the stored reason, so every message here is built
 * from header names and numbers only: never a secret, a received credential or a computed signature.
 */
export class Rejection extends Error {}

export function reject(reason: string): never {
  throw new Rejection(reason);
}

export function hmac(algorithm: string, key: Buffer | string, ...parts: readonly (string | Buffer)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

// Node's own decoders skip characters they do not understand; checking the alphabet first turns garbage into a
// "malformed" reason instead of a misleading "mismatch".
export function decodeHex(text: string): Buffer | null {
  return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : null;
}

export function decodeBase64(text: string): Buffer | null {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : null;
}

/**
 * Passes when any well-formed candidate equals the expected MAC, compared in constant time. Several candidates are
 * how senders rotate secrets (both old and new sign during the grace period).
 */
export function requireSignatureMatch(candidates: readonly (Buffer | null)[], expected: Buffer, header: string, format: string): void {
  const wellFormed = candidates.filter((c): c is Buffer => c !== null);
  if (wellFormed.length === 0) reject(`malformed header ${header}: expected ${format}`);
  if (!wellFormed.some((given) => given.length === expected.length && timingSafeEqual(given, expected))) reject(`signature mismatch (${header})`);
}

/** Constant time whatever the lengths: both sides are hashed first, so neither the content nor the length leaks. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Whole Unix seconds as text; the signed content uses the text exactly as received. */
export function unixSeconds(text: string, header: string): number {
  if (!/^\d{1,12}$/.test(text)) reject(`malformed header ${header}: expected Unix time in seconds`);
  return Number(text);
}

/** Both directions: a timestamp far ahead is as suspect as an old one (a captured request held back for later). */
export function checkTimestamp(seconds: number, nowMs: number, toleranceSeconds: number): void {
  const age = Math.floor(nowMs / 1000) - seconds;
  if (age > toleranceSeconds) reject(`timestamp is ${age} s old (tolerance ${toleranceSeconds} s)`);
  if (-age > toleranceSeconds) reject(`timestamp is ${-age} s in the future (tolerance ${toleranceSeconds} s)`);
}

export type SecretEncoding = 'utf8' | 'base64' | 'hex';

/** The HMAC key of a generic secret, or null when the secret is not valid in its declared encoding. */
export function hmacKey(secret: string, encoding: SecretEncoding): Buffer | null {
  const key = encoding === 'utf8' ? Buffer.from(secret, 'utf8') : encoding === 'hex' ? decodeHex(secret) : decodeBase64(secret);
  return key && key.length > 0 ? key : null;
}

export type StandardWebhooksKey = { version: 'v1'; key: Buffer } | { version: 'v1a'; key: KeyObject };

/**
 * A `whsec_` secret verifies v1 (HMAC) signatures; a `whpk_` public key verifies v1a (ed25519) ones. The prefix is
 * required so the kind of key is never guessed, and a `whsk_` private key has no place on the receiving side.
 */
export function standardWebhooksKey(secret: string): StandardWebhooksKey | null {
  if (secret.startsWith(PUBLIC_PREFIX)) {
    const key = parsePublicKey(secret);
    return key ? { version: 'v1a', key } : null;
  }
  const bare = secret.startsWith(SECRET_PREFIX) ? parseSecret(secret) : null;
  return bare ? { version: 'v1', key: Buffer.from(bare, 'base64') } : null;
}
