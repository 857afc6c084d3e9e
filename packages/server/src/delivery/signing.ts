import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Standard Webhooks (v1, HMAC-SHA256) signing. Secrets are shown to users as `whsec_` + base64 of the raw key. */

export const SECRET_PREFIX = 'whsec_';

export function generateSecret(): string {
  return randomBytes(24).toString('base64');
}

/** Accepts `whsec_<base64>` or bare base64, as Svix does; returns the bare base64 or null when it is not one. */
export function parseSecret(input: string): string | null {
  const bare = input.startsWith(SECRET_PREFIX) ? input.slice(SECRET_PREFIX.length) : input;
  if (!/^[A-Za-z0-9+/=]{32,100}$/.test(bare)) return null;
  const bytes = Buffer.from(bare, 'base64');
  if (bytes.length < 24 || bytes.length > 64) return null;
  return bare;
}

export function formatSecret(bare: string): string {
  return SECRET_PREFIX + bare;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for one key. */
export function signV1(secretBase64: string, msgId: string, timestamp: number, body: string | Buffer): string {
  const hmac = createHmac('sha256', Buffer.from(secretBase64, 'base64'));
  hmac.update(`${msgId}.${timestamp}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/** The webhook-signature header value: one entry per key that still signs, space-separated. */
export function signatureHeader(secrets: readonly string[], msgId: string, timestamp: number, body: string | Buffer): string {
  return secrets.map((s) => signV1(s, msgId, timestamp, body)).join(' ');
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
