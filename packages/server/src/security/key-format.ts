import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

export const MASTER_KEY_BYTES = 32;

/**
 * The master key that encrypts secrets at rest. It prints as [redacted] (logged, serialized or inspected), so a
 * config object or an error that carries it never shows it.
 */
export class MasterKey {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    if (bytes.length !== MASTER_KEY_BYTES) throw new Error(`a master key has ${MASTER_KEY_BYTES} bytes, not ${bytes.length}`);
    this.#bytes = Buffer.from(bytes);
  }

  static generate(): MasterKey {
    return new MasterKey(randomBytes(MASTER_KEY_BYTES));
  }

  get bytes(): Buffer {
    return this.#bytes;
  }

  /** The form key files hold and HERALD_ENCRYPTION_KEY accepts. */
  toBase64(): string {
    return this.#bytes.toString('base64');
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'MasterKey [redacted]';
  }
}

/** 64 hex digits, or base64 (standard or URL-safe, padding optional) of exactly 32 bytes; null for anything else. */
export function decodeMasterKey(text: string): MasterKey | null {
  const value = text.trim();
  // Hex first: 64 hex digits are also valid base64, but of 48 bytes.
  if (/^[0-9a-fA-F]{64}$/.test(value)) return new MasterKey(Buffer.from(value, 'hex'));
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return null;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === MASTER_KEY_BYTES ? new MasterKey(bytes) : null;
}
