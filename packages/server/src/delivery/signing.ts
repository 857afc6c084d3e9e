import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/**
 * Standard Webhooks signing. Symmetric (v1, HMAC-SHA256): secrets are shown as `whsec_` + base64 of the raw key and
 * stored bare. Asymmetric (v1a, ed25519): secret keys are `whsk_` + base64(32-byte seed ‖ 32-byte public key), as
 * Svix has them, and stored with that prefix, which is how the two are told apart; receivers verify with the public
 * key `whpk_` + base64(public key) and need no shared secret.
 */

export const SECRET_PREFIX = 'whsec_';
export const ASYMMETRIC_PREFIX = 'whsk_';
export const PUBLIC_PREFIX = 'whpk_';

const base64url = (b: Buffer) => b.toString('base64url');

/** The private key of a `whsk_` secret, or null when it is not a well-formed one (seed and public key must agree). */
function ed25519Key(secret: string): KeyObject | null {
  const raw = Buffer.from(secret.slice(ASYMMETRIC_PREFIX.length), 'base64');
  if (raw.length !== 64) return null;
  try {
    const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: base64url(raw.subarray(0, 32)), x: base64url(raw.subarray(32)) }, format: 'jwk' });
    const derived = createPublicKey(key).export({ format: 'jwk' }).x;
    return derived === base64url(raw.subarray(32)) ? key : null;
  } catch {
    return null;
  }
}

/** Decoded signing keys, so an attempt does not rebuild its endpoint's key object (bounded: cleared when full). */
const keyObjects = new Map<string, KeyObject>();

function signingKey(secret: string): KeyObject {
  const cached = keyObjects.get(secret);
  if (cached) return cached;
  const key = ed25519Key(secret);
  if (!key) throw new Error('a stored whsk_ secret is malformed');
  if (keyObjects.size >= 10_000) keyObjects.clear();
  keyObjects.set(secret, key);
  return key;
}

/** A new ed25519 secret key, `whsk_…`. */
export function generateAsymmetricSecret(): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return ASYMMETRIC_PREFIX + Buffer.concat([d, x]).toString('base64');
}

/** The `whpk_` public key of a `whsk_` secret; null for a symmetric one. */
export function publicKeyOf(secret: string): string | null {
  if (!secret.startsWith(ASYMMETRIC_PREFIX)) return null;
  return PUBLIC_PREFIX + Buffer.from(secret.slice(ASYMMETRIC_PREFIX.length), 'base64').subarray(32).toString('base64');
}

export function generateSecret(): string {
  return randomBytes(24).toString('base64');
}

/** Accepts `whsec_<base64>` or bare base64, as Svix does; returns the bare base64 or null when it is not one. */
export function parseSecret(input: string): string | null {
  if (input.startsWith(ASYMMETRIC_PREFIX)) return ed25519Key(input) ? input : null;
  const bare = input.startsWith(SECRET_PREFIX) ? input.slice(SECRET_PREFIX.length) : input;
  if (!/^[A-Za-z0-9+/=]{32,100}$/.test(bare)) return null;
  const bytes = Buffer.from(bare, 'base64');
  if (bytes.length < 24 || bytes.length > 64) return null;
  return bare;
}

export function formatSecret(stored: string): string {
  return stored.startsWith(ASYMMETRIC_PREFIX) ? stored : SECRET_PREFIX + stored;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for one key. */
export function signV1(secretBase64: string, msgId: string, timestamp: number, body: string | Buffer): string {
  const hmac = createHmac('sha256', Buffer.from(secretBase64, 'base64'));
  hmac.update(`${msgId}.${timestamp}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/** What a v1a signature covers: "id.timestamp.body" as bytes (v1 feeds the same to its HMAC in two updates). */
function signedContent(msgId: string, timestamp: number, body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${msgId}.${timestamp}.`), typeof body === 'string' ? Buffer.from(body) : body]);
}

/** `v1a,<base64 ed25519 signature of "id.timestamp.body">` for one `whsk_` secret. */
export function signV1a(secret: string, msgId: string, timestamp: number, body: string | Buffer): string {
  const signed = signedContent(msgId, timestamp, body);
  return `v1a,${sign(null, signed, signingKey(secret)).toString('base64')}`;
}

/** The webhook-signature header value: one entry per key that still signs (v1 or v1a by its kind), space-separated. */
export function signatureHeader(secrets: readonly string[], msgId: string, timestamp: number, body: string | Buffer): string {
  return secrets.map((s) => (s.startsWith(ASYMMETRIC_PREFIX) ? signV1a(s, msgId, timestamp, body) : signV1(s, msgId, timestamp, body))).join(' ');
}

/** The ed25519 public key of a `whpk_` string (32 bytes), or null when it is not one. */
export function parsePublicKey(input: string): KeyObject | null {
  if (!input.startsWith(PUBLIC_PREFIX)) return null;
  const raw = Buffer.from(input.slice(PUBLIC_PREFIX.length), 'base64');
  if (raw.length !== 32) return null;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(raw) }, format: 'jwk' });
  } catch {
    return null;
  }
}

/** Whether any `v1a` entry of a webhook-signature header is a valid ed25519 signature under the public key. */
export function verifyV1a(publicKey: KeyObject, msgId: string, timestamp: number, body: string | Buffer, header: string): boolean {
  const signed = signedContent(msgId, timestamp, body);
  return header.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    return version === 'v1a' && signature !== undefined && verify(null, signed, publicKey, Buffer.from(signature, 'base64'));
  });
}

/** Constant-time check of a webhook-signature header against one secret (used by tests and, later, inbound). */
export function verifyV1(secretBase64: string, msgId: string, timestamp: number, body: string | Buffer, header: string): boolean {
  const expected = Buffer.from(signV1(secretBase64, msgId, timestamp, body).slice(3), 'base64');
  for (const entry of header.split(' ')) {
    const [version, sig] = entry.split(',', 2);
    if (version !== 'v1' || !sig) continue;
    const given = Buffer.from(sig, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  return false;
}
