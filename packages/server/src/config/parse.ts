import { readFileSync } from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { decodeMasterKey, type MasterKey } from '../security/key-format.ts';

/** How each setting's value is checked and read, whichever source it came from; a bad one is a ConfigError naming it. */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A setting as given by one source, before validation: strings from env and flags, any JSON from the file. */
export type RawValue = unknown;

function describe(value: RawValue): string {
  return JSON.stringify(value) ?? String(value);
}

export function integer(min: number, max: number) {
  return (value: RawValue, source: string): number => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`${source} must be an integer from ${min} to ${max} (got ${describe(value)})`);
    }
    return n;
  };
}

export function positiveNumber(max: number) {
  return (value: RawValue, source: string): number => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n) || n <= 0 || n > max) {
      throw new ConfigError(`${source} must be a number of seconds above 0 and at most ${max} (got ${describe(value)})`);
    }
    return n;
  };
}

export function boolean(value: RawValue, source: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  }
  throw new ConfigError(`${source} must be true or false (got ${describe(value)})`);
}

export function nonEmptyString(value: RawValue, source: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`${source} must be a non-empty string (got ${describe(value)})`);
  }
  return value;
}

export function optionalToken(value: RawValue, source: string): string | undefined {
  const token = nonEmptyString(value, source);
  if (token.length < 16) throw new ConfigError(`${source} must be at least 16 characters long`);
  return token;
}

export function retrySchedule(value: RawValue, source: string): readonly number[] {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').map((s) => s.trim()) : null;
  if (!parts || parts.length === 0 || parts.some((p) => p === '')) {
    throw new ConfigError(`${source} must be a comma-separated list of seconds, e.g. 5,300,1800 (got ${describe(value)})`);
  }
  const seconds = parts.map((p) => (typeof p === 'number' ? p : Number(p)));
  if (seconds.some((s) => !Number.isFinite(s) || s < 0 || s > 30 * 86400)) {
    throw new ConfigError(`${source} entries must be seconds from 0 to 2592000 (got ${describe(value)})`);
  }
  if (seconds.length > 50) throw new ConfigError(`${source} may hold at most 50 retries`);
  return Object.freeze(seconds);
}

/** A PEM file that can be read now (read again when the server starts); its absolute path. */
export function readablePemFile(value: RawValue, source: string): string {
  const file = path.resolve(nonEmptyString(value, source));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${source}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!text.includes('-----BEGIN ')) throw new ConfigError(`${source}: ${file} is not a PEM file`);
  return file;
}

/** Comma-separated CIDRs such as 10.0.0.0/8,fd00::/8 (a bare address is one host). */
export function cidrList(value: RawValue, source: string): readonly string[] {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : null;
  if (!parts) throw new ConfigError(`${source} must be a comma-separated list of CIDRs such as 10.0.0.0/8 (got ${describe(value)})`);
  return Object.freeze(parts.map((p) => {
    const text = String(p).includes('/') ? String(p) : `${String(p)}/${String(p).includes(':') ? 128 : 32}`;
    try {
      ipaddr.parseCIDR(text);
    } catch {
      throw new ConfigError(`${source}: "${String(p)}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
    }
    return text;
  }));
}

/**
 * Origins separated by commas or spaces, each a scheme, host (its first label may be *) and optional port, or 'self':
 * they go into a Content-Security-Policy header as they are, so anything else is refused.
 */
export function originList(value: RawValue, source: string): readonly string[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : null;
  if (!parts) throw new ConfigError(`${source} must be a list of origins such as https://app.example.com (got ${describe(value)})`);
  return Object.freeze(parts.map((p) => {
    if (p === "'self'") return p;
    let url: URL | null = null;
    try {
      url = new URL(p);
    } catch {
      /* reported below */
    }
    const valid = url !== null && ['http:', 'https:'].includes(url.protocol) && url.origin === p && /^(\*\.)?[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname);
    if (!valid) throw new ConfigError(`${source}: "${p}" is not an origin such as https://app.example.com or https://*.example.com (no path, no trailing /)`);
    return p;
  }));
}

/** Never echoed back in an error: the value is a secret. */
export function encryptionKey(value: RawValue, source: string): MasterKey {
  const key = typeof value === 'string' ? decodeMasterKey(value) : null;
  if (!key) throw new ConfigError(`${source} must be 32 random bytes as base64 or as 64 hex digits (make one with: openssl rand -base64 32)`);
  return key;
}

/** A URL with one of the given schemes, e.g. urlSetting(['postgres', 'postgresql'], 'postgres://user@host:5432/dbname'). */
function urlSetting(schemes: readonly string[], example: string) {
  return (value: RawValue, source: string): string => {
    const text = nonEmptyString(value, source);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(`${source} must be a URL such as ${example}`);
    }
    if (!schemes.includes(url.protocol.slice(0, -1))) {
      throw new ConfigError(`${source} must start with ${schemes.map((s) => `${s}://`).join(' or ')} (got ${url.protocol}//)`);
    }
    return text;
  };
}

export const postgresUrl = urlSetting(['postgres', 'postgresql'], 'postgres://user@host:5432/dbname');
export const httpUrl = urlSetting(['http', 'https'], 'https://herald.example.com');

export function identifier(value: RawValue, source: string): string {
  const name = nonEmptyString(value, source);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new ConfigError(`${source} must be a lower-case SQL identifier: letters, digits and _ (got ${describe(value)})`);
  }
  return name;
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (value: RawValue, source: string): T => {
    const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      throw new ConfigError(`${source} must be one of ${choices.join(', ')} (got ${describe(value)})`);
    }
    return v as T;
  };
}

/** false, true, a number of proxy hops, or the proxies' addresses and CIDRs (comma-separated). */
export function trustProxy(value: RawValue, source: string): boolean | number | readonly string[] {
  if (typeof value === 'boolean' || typeof value === 'number') return typeof value === 'number' ? integer(1, 100)(value, source) : value;
  const text = nonEmptyString(value, source).trim().toLowerCase();
  if (['true', 'false'].includes(text)) return text === 'true';
  if (/^\d+$/.test(text)) return integer(1, 100)(text, source);
  return cidrList(text, source);
}
