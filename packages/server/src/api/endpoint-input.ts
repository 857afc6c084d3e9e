import type { HeraldConfig } from '../config/config.ts';
import { refusedLiteralTarget } from '../delivery/guard.ts';
import { LISTEN_PROTOCOL, listenNameOf } from '../delivery/listen-hub.ts';
import { HeraldError } from '../lib/errors.ts';

/** Rules for what users put on endpoints: target URLs and custom headers. */

/** The settings that decide which endpoint URLs are accepted. */
export type EndpointUrlRules = Pick<HeraldConfig, 'endpointHttpsOnly' | 'allowPrivateTargets' | 'allowPrivateCidrs' | 'requestTimeout'>;

/**
 * An endpoint's own request timeout may shorten the server's, not lengthen it: a delivery's lease is sized for the
 * server's timeout, and an attempt outliving it could be claimed and sent again by another worker.
 */
export function checkRequestTimeout(seconds: number | null, rules: Pick<HeraldConfig, 'requestTimeout'>): number | null {
  if (seconds !== null && seconds > rules.requestTimeout) {
    throw HeraldError.validation(['body', 'requestTimeout'], `must be at most the server's HERALD_REQUEST_TIMEOUT (${rules.requestTimeout} s); raise that to allow longer`);
  }
  return seconds;
}

export function checkEndpointUrl(url: string, rules: EndpointUrlRules, field = 'url'): string {
  const httpsOnly = rules.endpointHttpsOnly;
  if (url.startsWith(LISTEN_PROTOCOL)) {
    if (listenNameOf(url) === null) throw HeraldError.validation(['body', field], 'must be herald-listen://NAME, NAME of letters, digits, ".", "_" or "-"');
    return url;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw HeraldError.validation(['body', field], 'must be an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw HeraldError.validation(['body', field], 'must be an http or https URL (or herald-listen://NAME for a "herald listen" session)');
  }
  if (httpsOnly && parsed.protocol !== 'https:') {
    throw HeraldError.validation(['body', field], 'must be an https URL (this server has HERALD_ENDPOINT_HTTPS_ONLY set)');
  }
  if (parsed.username || parsed.password) {
    throw HeraldError.validation(['body', field], 'must not carry credentials; use a custom header instead');
  }
  const refused = refusedLiteralTarget(parsed.hostname, { allowPrivate: rules.allowPrivateTargets, allowCidrs: rules.allowPrivateCidrs });
  if (refused) {
    throw HeraldError.validation(['body', field], `${refused}, and this server refuses private targets: set HERALD_ALLOW_PRIVATE_TARGETS=true ` +
      '(or list the range in HERALD_ALLOW_PRIVATE_CIDRS) to deliver there');
  }
  return url;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
/** Headers Herald sets itself or that would break the request; a custom header may not replace them. */
const RESERVED = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'user-agent']);
const RESERVED_PREFIXES = ['webhook-', 'svix-', 'proxy-'];
const SENSITIVE = /auth|key|token|secret|cookie|password|signature/i;

export function checkHeaders(headers: Record<string, string | null>, field = 'headers'): void {
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) throw HeraldError.validation(['body', field, name], 'is not a valid HTTP header name');
    if (seen.has(lower)) throw HeraldError.validation(['body', field, name], 'names a header given already (header names are case-insensitive)');
    seen.add(lower);
    if (RESERVED.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p))) {
      throw HeraldError.validation(['body', field, name], 'is set by Herald and cannot be overridden');
    }
    if (value !== null && (/[\r\n\0]/.test(value) || value.length > 4096)) {
      throw HeraldError.validation(['body', field, name], 'header value must be at most 4096 characters without line breaks');
    }
  }
  if (Object.keys(headers).length > 50) throw HeraldError.validation(['body', field], 'at most 50 custom headers');
}

/** Sensitive header values (credentials) are not returned by the API, only their names. */
export function redactHeaders(headers: Record<string, string>): { headers: Record<string, string>; sensitive: string[] } {
  const shown: Record<string, string> = {};
  const sensitive: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (SENSITIVE.test(name)) sensitive.push(name);
    else shown[name] = value;
  }
  return { headers: shown, sensitive };
}
