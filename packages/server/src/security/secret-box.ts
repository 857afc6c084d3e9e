import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { ConfigError } from '../config/config.ts';
import type { MasterKey } from './key-format.ts';

/**
 * Secrets at rest: AES-256-GCM under a master key, a random 96-bit IV per value. A sealed value is text,
 * `enc:v1:<key id>:<base64url(iv ‖ ciphertext ‖ tag)>`, so it fits the columns that held the value in clear.
 */

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The `setting` row holding the check value of the key the database's secrets are encrypted with. */
export const KEY_CHECK_SETTING = 'encryption_key_check';

/**
 * Additional data that binds a sealed value to its row and column: a value copied onto another endpoint (whose URL
 * someone else chose) or into the other column fails to open instead of being sent.
 */
export const endpointKeyContext = (endpointId: string): string => `endpoint_key:${endpointId}`;
export const endpointHeadersContext = (endpointId: string): string => `endpoint.headers:${endpointId}`;
export const endpointChatContext = (endpointId: string): string => `endpoint.chat:${endpointId}`;
export const endpointDestinationContext = (endpointId: string): string => `endpoint.destination:${endpointId}`;
export const endpointAuthContext = (endpointId: string): string => `endpoint.auth:${endpointId}`;
export const sourceVerificationContext = (sourceId: string): string => `source.verification:${sourceId}`;

export const isSealed = (stored: string): boolean => stored.startsWith(PREFIX);

/** How a store keeps secret values: sealed under a master key (SecretBox), or as given (UNENCRYPTED). */
export interface SecretCodec {
  /** The check value of the key new values are sealed with; undefined when values are kept as given. */
  readonly check: string | undefined;
  /** Takes on the key whose check value the database holds; refuses (ConfigError) when this codec has none. */
  adopt(storedCheck: string | undefined): void;
  seal(plaintext: string, context: string): string;
  /** A value stored in clear (before encryption was turned on) is returned as it is. */
  open(stored: string, context: string): string;
}

interface DerivedKey {
  bytes: Buffer;
  /** HMAC of a fixed text: identifies the key without revealing anything about it. */
  check: string;
  /** The check's first 8 hex digits, carried by every value sealed with the key. */
  id: string;
}

function derive(key: MasterKey): DerivedKey {
  const check = createHmac('sha256', key.bytes).update('herald key check').digest('hex').slice(0, 32);
  return { bytes: key.bytes, check, id: check.slice(0, 8) };
}

/**
 * Seals with one key and opens with any key it holds, chosen by the key id in the value. It holds more than one key
 * while a key file rotation is unfinished (see master-key.ts) and in the rotation itself.
 */
export class SecretBox implements SecretCodec {
  private readonly keys = new Map<string, DerivedKey>();
  private current: DerivedKey;

  /** `keys[0]` seals until adopt() says which key the database uses; `source` names where the keys came from. */
  constructor(keys: readonly [MasterKey, ...MasterKey[]], readonly source: string) {
    const derived = keys.map(derive);
    for (const key of derived) this.keys.set(key.id, key);
    this.current = derived[0]!;
  }

  get check(): string {
    return this.current.check;
  }

  get keyId(): string {
    return this.current.id;
  }

  isCurrent(key: MasterKey): boolean {
    return derive(key).check === this.current.check;
  }

  adopt(storedCheck: string | undefined): void {
    if (storedCheck === undefined) return;
    const key = [...this.keys.values()].find((k) => k.check === storedCheck);
    if (!key) {
      throw new ConfigError(
        `${this.source} does not match the key this database's secrets were encrypted with (the database uses key ${storedCheck.slice(0, 8)}, ` +
          `${this.source} is key ${this.current.id}); start Herald with the database's key, from HERALD_ENCRYPTION_KEY or the encryption.key file of its data directory`,
      );
    }
    this.current = key;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${this.current.id}:${body.toString('base64url')}`;
  }

  open(stored: string, context: string): string {
    if (!isSealed(stored)) return stored;
    const [id = '', data = ''] = stored.slice(PREFIX.length).split(':', 2);
    const body = Buffer.from(data, 'base64url');
    if (body.length < IV_BYTES + TAG_BYTES) throw new Error(`${context}: the stored value is not a well-formed sealed value`);
    const key = this.keys.get(id);
    if (!key) {
      throw new Error(
        `${context} is encrypted with key ${id}, which this process does not have (it has key ${this.current.id}): ` +
          'the encryption key was rotated since this process started; restart it with the new key',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, body.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`${context} fails its integrity check under key ${id}: the stored value was altered or copied from another row`);
    }
  }
}

/**
 * Before a store seals a value: the database must still use the codec's key. A rotation run after this process
 * started changed it, and a value sealed with the old key would be unreadable to every process restarted with the new.
 */
export function assertKeyUnchanged(storedCheck: string | undefined, secrets: SecretCodec): void {
  if (storedCheck === secrets.check) return;
  throw new Error(
    `the database's encryption key changed after this process started (it now uses key ${storedCheck?.slice(0, 8) ?? 'none'}): ` +
      'restart it with the new key; nothing was written',
  );
}

/** For stores opened without a key (tests and tools on throwaway databases): values stay as given. */
export const UNENCRYPTED: SecretCodec = {
  check: undefined,
  adopt(storedCheck) {
    if (storedCheck !== undefined) {
      throw new ConfigError(`this database's secrets are encrypted (key ${storedCheck.slice(0, 8)}): it can only be opened with its encryption key`);
    }
  },
  seal: (plaintext) => plaintext,
  open(stored, context) {
    if (isSealed(stored)) throw new Error(`${context} is encrypted, and this store was opened without an encryption key`);
    return stored;
  },
};
