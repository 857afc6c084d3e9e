import { verify } from 'node:crypto';
import { DEFAULT_TOLERANCE_SECONDS, GRAFANA_SIGNATURE_HEADER, type Verification } from './config.ts';
import { headerValue, requireHeader, type InboundRequest } from './request.ts';
import {
  Rejection, checkTimestamp, decodeBase64, decodeHex, hmac, hmacKey, reject, requireSignatureMatch, sameSecret, standardWebhooksKey, unixSeconds,
} from './signatures.ts';

type Scheme<T extends Verification['type']> = Extract<Verification, { type: T }>;

export type VerificationResult = { ok: true } | { ok: false; reason: string };

/**
 * Whether a request is genuine, checked over its body bytes exactly as received. The signature is checked before the
 * timestamp, so "timestamp is … old" means a genuine request arrived late or was replayed, not a forgery.
 */
export function verifyInbound(v: Verification, req: InboundRequest, nowMs: number): VerificationResult {
  try {
    check(v, req, nowMs);
    return { ok: true };
  } catch (err) {
    if (err instanceof Rejection) return { ok: false, reason: err.message };
    throw err;
  }
}

function check(v: Verification, req: InboundRequest, nowMs: number): void {
  switch (v.type) {
    case 'none': return;
    case 'github': return checkGitHub(v, req);
    case 'gitlab': return checkGitLab(v, req);
    case 'stripe': return checkStripe(v, req, nowMs);
    case 'shopify': return checkShopify(v, req);
    case 'slack': return checkSlack(v, req, nowMs);
    case 'standard-webhooks': return checkStandardWebhooks(v, req, nowMs);
    case 'alertmanager': return checkSenderCredentials(v, req, true);
    case 'grafana': return checkGrafana(v, req, nowMs);
    case 'hmac': return checkHmac(v, req, nowMs);
    case 'basic-auth': return checkBasicAuth(v, req);
    case 'api-key': return checkApiKey(v, req);
    default: return unsupported(v);
  }
}

/** A configuration stored by a later version, read by this one. */
function unsupported(v: never): never {
  return reject(`unsupported verification type ${JSON.stringify((v as { type?: unknown }).type)}`);
}

/**
 * The legacy SHA-1 `X-Hub-Signature` is not accepted, even alone: GitHub sends the SHA-256 header with every
 * delivery, and a sender that only has SHA-1 can still be configured explicitly as a generic "hmac" source.
 */
function checkGitHub(v: Scheme<'github'>, req: InboundRequest): void {
  const name = 'X-Hub-Signature-256';
  const header = headerValue(req.headers, name);
  if (header === undefined) {
    reject(headerValue(req.headers, 'X-Hub-Signature') ? `missing header ${name} (the legacy SHA-1 X-Hub-Signature is not accepted)` : `missing header ${name}`);
  }
  const candidate = header.startsWith('sha256=') ? decodeHex(header.slice('sha256='.length)) : null;
  requireSignatureMatch([candidate], hmac('sha256', v.secret, req.body), name, 'sha256=<hex>');
}

/** GitLab sends the webhook's secret token itself, not a signature: it is compared as a whole, in constant time. */
function checkGitLab(v: Scheme<'gitlab'>, req: InboundRequest): void {
  const name = 'X-Gitlab-Token';
  if (!sameSecret(requireHeader(req.headers, name), v.secret)) reject(`wrong token in header ${name}`);
}

/** `t=<seconds>,v1=<hex>[,v1=…]`. Other schemes (the v0 that test mode adds) are ignored, so they cannot downgrade. */
function checkStripe(v: Scheme<'stripe'>, req: InboundRequest, nowMs: number): void {
  const name = 'Stripe-Signature';
  const timestamps: string[] = [];
  const signatures: string[] = [];
  for (const item of requireHeader(req.headers, name).split(',')) {
    const [key, value = ''] = item.split('=', 2).map((part) => part.trim());
    if (key === 't') timestamps.push(value);
    else if (key === 'v1') signatures.push(value);
  }
  const [timestamp] = timestamps;
  if (timestamps.length !== 1 || timestamp === undefined) reject(`malformed header ${name}: expected one t=<timestamp>`);
  if (signatures.length === 0) reject(`malformed header ${name}: no v1 signature`);
  const seconds = unixSeconds(timestamp, name);
  // Stripe keys the HMAC with the secret as shown, whsec_ prefix included.
  requireSignatureMatch(signatures.map(decodeHex), hmac('sha256', v.secret, `${timestamp}.`, req.body), name, 'v1=<hex>');
  checkTimestamp(seconds, nowMs, v.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
}

function checkShopify(v: Scheme<'shopify'>, req: InboundRequest): void {
  const name = 'X-Shopify-Hmac-Sha256';
  requireSignatureMatch([decodeBase64(requireHeader(req.headers, name))], hmac('sha256', v.secret, req.body), name, 'base64');
}

function checkSlack(v: Scheme<'slack'>, req: InboundRequest, nowMs: number): void {
  const timestampName = 'X-Slack-Request-Timestamp';
  const timestamp = requireHeader(req.headers, timestampName);
  const seconds = unixSeconds(timestamp, timestampName);
  const name = 'X-Slack-Signature';
  const header = requireHeader(req.headers, name);
  const candidate = header.startsWith('v0=') ? decodeHex(header.slice('v0='.length)) : null;
  requireSignatureMatch([candidate], hmac('sha256', v.secret, `v0:${timestamp}:`, req.body), name, 'v0=<hex>');
  checkTimestamp(seconds, nowMs, v.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
}

/** Svix sends the same three headers as svix-*, unless configured to send webhook-*; either is accepted. */
function requireStandardHeader(req: InboundRequest, suffix: 'id' | 'timestamp' | 'signature'): string {
  return headerValue(req.headers, `webhook-${suffix}`) ?? headerValue(req.headers, `svix-${suffix}`) ?? reject(`missing header webhook-${suffix} (or svix-${suffix})`);
}

/** Space-separated `version,signature` entries; entries of other versions are ignored, as the spec asks. */
function checkStandardWebhooks(v: Scheme<'standard-webhooks'>, req: InboundRequest, nowMs: number): void {
  const key = standardWebhooksKey(v.secret) ?? reject('source misconfigured: the secret is not a usable whsec_ secret or whpk_ public key');
  const id = requireStandardHeader(req, 'id');
  const timestamp = requireStandardHeader(req, 'timestamp');
  const seconds = unixSeconds(timestamp, 'webhook-timestamp');
  const name = 'webhook-signature';
  const signatures = requireStandardHeader(req, 'signature').split(' ').flatMap((entry) => {
    const comma = entry.indexOf(',');
    return comma > 0 && entry.slice(0, comma) === key.version ? [entry.slice(comma + 1)] : [];
  });
  if (signatures.length === 0) reject(`malformed header ${name}: no ${key.version} signature`);
  const signedPrefix = `${id}.${timestamp}.`;
  if (key.version === 'v1') {
    requireSignatureMatch(signatures.map(decodeBase64), hmac('sha256', key.key, signedPrefix, req.body), name, 'v1,<base64>');
  } else {
    const content = Buffer.concat([Buffer.from(signedPrefix), req.body]);
    const decoded = signatures.map(decodeBase64).filter((s): s is Buffer => s !== null);
    if (decoded.length === 0) reject(`malformed header ${name}: expected v1a,<base64>`);
    if (!decoded.some((signature) => verify(null, content, key.key, signature))) reject(`signature mismatch (${name})`);
  }
  checkTimestamp(seconds, nowMs, v.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
}

/**
 * A generic HMAC over the body, or over timestamp + separator + body with the timestamp in its own header. The
 * signature header may carry several signatures (secret rotation) separated by commas or spaces; with a prefix, only
 * entries bearing it count, so a weaker scheme sent alongside (sha1=) cannot stand in for the configured one.
 */
function checkHmac(v: Scheme<'hmac'>, req: InboundRequest, nowMs: number): void {
  const encoding = v.secretEncoding ?? 'utf8';
  const key = hmacKey(v.secret, encoding) ?? reject(`source misconfigured: the secret is not valid ${encoding}`);
  const entries = requireHeader(req.headers, v.header).split(/[\s,]+/).filter((entry) => entry !== '');
  const prefix = v.prefix ?? '';
  const signatures = entries.filter((entry) => entry.startsWith(prefix)).map((entry) => entry.slice(prefix.length));
  if (prefix !== '' && signatures.length === 0) reject(`malformed header ${v.header}: no signature starting with ${JSON.stringify(prefix)}`);
  const decode = v.encoding === 'hex' ? decodeHex : decodeBase64;
  const format = `${prefix}<${v.encoding}>`;
  if (v.signed !== 'timestamp.body') {
    requireSignatureMatch(signatures.map(decode), hmac(v.algorithm, key, req.body), v.header, format);
    return;
  }
  const timestamp = requireHeader(req.headers, v.timestampHeader);
  const seconds = unixSeconds(timestamp, v.timestampHeader);
  requireSignatureMatch(signatures.map(decode), hmac(v.algorithm, key, timestamp + (v.separator ?? '.'), req.body), v.header, format);
  checkTimestamp(seconds, nowMs, v.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
}

/**
 * Grafana's contact point signs when given an HMAC secret: hex HMAC-SHA256 of the body, or of `timestamp:body` with a
 * timestamp header (Unix seconds). Its Authorization header or basic auth, when configured, are checked as well.
 */
function checkGrafana(v: Scheme<'grafana'>, req: InboundRequest, nowMs: number): void {
  if (v.secret !== undefined) {
    const name = v.header ?? GRAFANA_SIGNATURE_HEADER;
    const signature = decodeHex(requireHeader(req.headers, name));
    if (v.timestampHeader === undefined) {
      requireSignatureMatch([signature], hmac('sha256', v.secret, req.body), name, '<hex>');
    } else {
      const timestamp = requireHeader(req.headers, v.timestampHeader);
      const seconds = unixSeconds(timestamp, v.timestampHeader);
      requireSignatureMatch([signature], hmac('sha256', v.secret, `${timestamp}:`, req.body), name, '<hex>');
      checkTimestamp(seconds, nowMs, v.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
    }
  }
  checkSenderCredentials(v, req, v.secret === undefined);
}

/**
 * Alertmanager's and Grafana's HTTP settings: a bearer token or basic auth, whichever the source has. `required`: the
 * source has nothing else to check, so a configuration without either (which the API refuses) lets nothing in.
 */
function checkSenderCredentials(v: { token?: string; username?: string; password?: string }, req: InboundRequest, required: boolean): void {
  if (v.token !== undefined) {
    const name = 'Authorization';
    const token = /^Bearer +(.+)$/i.exec(requireHeader(req.headers, name))?.[1];
    if (token === undefined) reject(`malformed header ${name}: expected Bearer credentials`);
    if (!sameSecret(token, v.token)) reject(`wrong bearer token in header ${name}`);
  } else if (v.username !== undefined && v.password !== undefined) {
    checkBasicAuth({ username: v.username, password: v.password }, req);
  } else if (required) {
    reject('source misconfigured: no credentials to check');
  }
}

function checkBasicAuth(v: { username: string; password: string }, req: InboundRequest): void {
  const name = 'Authorization';
  const credentials = /^Basic +([A-Za-z0-9+/]+={0,2})$/i.exec(requireHeader(req.headers, name))?.[1];
  if (credentials === undefined) reject(`malformed header ${name}: expected Basic credentials`);
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) reject(`malformed header ${name}: expected user:password`);
  // Both compared every time, so the timing does not tell whether the user name was right.
  const usernameMatches = sameSecret(decoded.slice(0, colon), v.username);
  const passwordMatches = sameSecret(decoded.slice(colon + 1), v.password);
  if (!(usernameMatches && passwordMatches)) reject('wrong username or password');
}

function checkApiKey(v: Scheme<'api-key'>, req: InboundRequest): void {
  if (!sameSecret(requireHeader(req.headers, v.header), v.key)) reject(`wrong key in header ${v.header}`);
}
