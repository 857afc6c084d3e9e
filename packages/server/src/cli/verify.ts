import { ASYMMETRIC_PREFIX, PUBLIC_PREFIX, parsePublicKey, parseSecret, publicKeyOf, verifyV1, verifyV1a } from '../delivery/signing.ts';

/** The Standard Webhooks reference libraries accept timestamps within ±5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface VerifyInput {
  secret: string;
  id: string;
  timestamp: string;
  signature: string;
  body: Buffer;
  toleranceSeconds: number;
  nowSeconds: number;
}

export interface Verdict {
  valid: boolean;
  /** One line per finding, most important first. */
  reasons: string[];
}

/**
 * Checks a received webhook the way a receiver should, and when it fails says why as precisely as the evidence
 * allows. An HMAC cannot tell a wrong secret from a changed body, but the usual ways a body gets changed on its way
 * into a handler (re-serialized JSON, a trailing newline) can be tried and named.
 */
export function diagnose(input: VerifyInput): Verdict {
  const malformed: string[] = [];
  // An ed25519 endpoint is checked with its public key (or the secret key it is derived from); others by HMAC.
  const asymmetric = input.secret.startsWith(PUBLIC_PREFIX) || input.secret.startsWith(ASYMMETRIC_PREFIX);
  const publicKeyText = input.secret.startsWith(ASYMMETRIC_PREFIX) ? publicKeyOf(parseSecret(input.secret) ?? '') : input.secret;
  const publicKey = asymmetric && publicKeyText ? parsePublicKey(publicKeyText) : null;
  const secret = asymmetric ? null : parseSecret(input.secret);
  if (asymmetric ? !publicKey : !secret) {
    malformed.push('malformed secret: expected whsec_ followed by base64 of 24 to 64 bytes, or an ed25519 key (whpk_ public, whsk_ secret)');
  }
  if (!input.id || input.id.includes('.')) malformed.push('malformed webhook-id: it must be present and contain no "."');
  if (!/^\d+$/.test(input.timestamp.trim())) malformed.push(`malformed webhook-timestamp: expected integer Unix seconds, got "${input.timestamp}"`);
  const entries = input.signature.split(' ').filter(Boolean);
  const scheme = asymmetric ? 'v1a' : 'v1';
  const signatures = entries.filter((e) => new RegExp(`^${scheme},[A-Za-z0-9+/]+=*$`).test(e));
  if (signatures.length === 0) malformed.push(`malformed webhook-signature: no "${scheme},<base64>" entry in "${input.signature}"`);
  if (malformed.length > 0) return { valid: false, reasons: malformed };

  const timestamp = Number(input.timestamp.trim());
  const skew = input.nowSeconds - timestamp;
  const timely = Math.abs(skew) <= input.toleranceSeconds;
  const age = skew >= 0 ? `${skew} s old` : `${-skew} s in the future`;
  const matches = (body: Buffer | string) =>
    publicKey ? verifyV1a(publicKey, input.id, timestamp, body, signatures.join(' ')) : verifyV1(secret!, input.id, timestamp, body, signatures.join(' '));

  if (matches(input.body)) {
    if (timely) return { valid: true, reasons: [`signature valid; timestamp ${age}, within ±${input.toleranceSeconds} s`] };
    return { valid: false, reasons: [`timestamp outside tolerance: ${age} (allowed ±${input.toleranceSeconds} s); the signature itself matches (a replay, or a clock off)`] };
  }
  const reasons = [`signature does not match this body with this ${publicKey ? 'public key' : 'secret'}`];
  const text = input.body.toString('utf8');
  // Most specific first: a compact JSON body with a newline added also "matches" once re-serialized (which drops the
  // newline), so the newline checks must run before the re-serialization one or they could never be reported.
  const variants: [string, () => string | null][] = [
    ['a trailing newline was added to the body', () => (/\r?\n$/.test(text) ? text.replace(/\r?\n$/, '') : null)],
    ['a trailing newline was removed from the body', () => text + '\n'],
    ['the body was re-serialized (JSON spacing or key order changed): verify the raw bytes as received, not a parsed and re-encoded copy', () => {
      try {
        return JSON.stringify(JSON.parse(text));
      } catch {
        return null;
      }
    }],
  ];
  const found = variants.find(([, variant]) => {
    const candidate = variant();
    return candidate !== null && candidate !== text && matches(candidate);
  });
  if (found) reasons.push(`body changed: ${found[0]}`);
  else if (publicKey) reasons.push('either the public key is wrong (compare it with GET /api/v1/app/{app}/endpoint/{endpoint}/public-key, and check for a rotation) or the body was changed on its way');
  else reasons.push('either the secret is wrong (compare it with GET /api/v1/app/{app}/endpoint/{endpoint}/secret, and check for a rotation) or the body was changed on its way');
  if (!timely) reasons.push(`also, the timestamp is outside tolerance: ${age} (allowed ±${input.toleranceSeconds} s)`);
  return { valid: false, reasons };
}
