import { randomFillSync } from 'node:crypto';

/**
 * KSUID: 4 bytes of seconds since 2014-05-13 + 16 bytes of payload, 27 base62 characters.
 * Ids made in the same second by this process are strictly increasing (the payload is bumped rather than
 * redrawn), so "order by id" is creation order, which list pagination and replay rely on.
 */
const KSUID_EPOCH = 1_400_000_000;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KSUID_LENGTH = 27;

// Randomness is drawn 4 KiB at a time: one randomBytes call per id costs more than the rest of the id.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function random(bytes: number): Buffer {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.subarray(poolOffset - bytes, poolOffset);
}

// The last id's 128-bit payload as four 32-bit words, most significant first, and its second.
let lastSecond = -1;
const last = new Uint32Array(4);
const WORD = 2 ** 32;

/**
 * The 160-bit KSUID (timestamp word, then the payload words) in base62, by long division over 16-bit halves, so every
 * step is small-integer arithmetic: no BigInt on the hot path.
 */
const digits = Buffer.alloc(KSUID_LENGTH);
const halves = new Uint16Array(10);
const BASE62_CODES = Uint8Array.from(BASE62, (ch) => ch.charCodeAt(0));
function encodeBase62(timestamp: number, payload: Uint32Array): string {
  halves[0] = timestamp >>> 16;
  halves[1] = timestamp & 0xffff;
  for (let w = 0; w < 4; w++) {
    halves[2 + 2 * w] = payload[w]! >>> 16;
    halves[3 + 2 * w] = payload[w]! & 0xffff;
  }
  for (let d = KSUID_LENGTH - 1; d >= 0; d--) {
    let remainder = 0;
    for (let h = 0; h < 10; h++) {
      const current = (remainder << 16) | halves[h]!; // < 62 · 2^16
      const quotient = (current / 62) | 0;
      halves[h] = quotient;
      remainder = current - quotient * 62;
    }
    digits[d] = BASE62_CODES[remainder]!;
  }
  return digits.toString('latin1');
}

export function ksuid(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000) - KSUID_EPOCH;
  // A payload whose top 64 bits are all ones could overflow: draw a fresh one instead (never happens in practice).
  if (second === lastSecond && !(last[0] === 0xffffffff && last[1] === 0xffffffff)) {
    // Step by a random amount below 2^32 so consecutive ids stay unguessable yet ordered.
    let carry = 1 + random(4).readUInt32BE(0);
    for (let w = 3; w >= 0 && carry > 0; w--) {
      const sum = last[w]! + carry;
      last[w] = sum % WORD;
      carry = sum >= WORD ? 1 : 0;
    }
  } else {
    // Keep the top bit clear so a second's worth of increments can never overflow into the timestamp.
    const bytes = random(16);
    let shiftedIn = 0;
    for (let w = 0; w < 4; w++) {
      const word = bytes.readUInt32BE(w * 4);
      last[w] = ((word >>> 1) | (shiftedIn << 31)) >>> 0;
      shiftedIn = word & 1;
    }
  }
  lastSecond = second;
  return encodeBase62(second >>> 0, last);
}

export type IdPrefix = 'app' | 'ep' | 'dest' | 'msg' | 'atmpt' | 'qtask' | 'tok' | 'audit' | 'src' | 'inreq';

export function newId(prefix: IdPrefix, nowMs?: number): string {
  return `${prefix}_${ksuid(nowMs)}`;
}

/**
 * The lowest id of this type made at `ms`'s second: every id made from that second on sorts after it, every earlier
 * one before. A position in an id-ordered list that no id holds (a poller's "from this time on").
 */
export function idAtTime(prefix: IdPrefix, ms: number): string {
  return `${prefix}_${encodeBase62(Math.max(0, Math.floor(ms / 1000) - KSUID_EPOCH) >>> 0, new Uint32Array(4))}`;
}

const KSUID_TEXT = new RegExp(`^[${BASE62}]{${KSUID_LENGTH}}$`);

/** True when a string is exactly an id Herald could have made of this type: the prefix and a whole KSUID. */
export function isIssuedId(prefix: IdPrefix, value: string): boolean {
  return looksLikeId(prefix, value) && KSUID_TEXT.test(value.slice(prefix.length + 1));
}

/** True when a string has the shape of one of our ids of this type (used to tell ids from uids). */
export function looksLikeId(prefix: IdPrefix, value: string): boolean {
  return value.startsWith(`${prefix}_`);
}
