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

let lastSecond = -1;
let lastPayload = 0n;
const PAYLOAD_MAX = (1n << 128n) - 1n;

function encodeBase62(value: bigint): string {
  let out = '';
  while (value > 0n) {
    out = BASE62[Number(value % 62n)]! + out;
    value /= 62n;
  }
  return out.padStart(KSUID_LENGTH, '0');
}

export function ksuid(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000) - KSUID_EPOCH;
  let payload: bigint;
  if (second === lastSecond && lastPayload < PAYLOAD_MAX - (1n << 64n)) {
    // Step by a random amount below 2^32 so consecutive ids stay unguessable yet ordered.
    payload = lastPayload + 1n + BigInt(random(4).readUInt32BE(0));
  } else {
    // Keep the top bit clear so a second's worth of increments can never overflow into the timestamp.
    payload = BigInt('0x' + random(16).toString('hex')) >> 1n;
  }
  lastSecond = second;
  lastPayload = payload;
  return encodeBase62((BigInt(second >>> 0) << 128n) | payload);
}

export type IdPrefix = 'app' | 'ep' | 'msg' | 'atmpt' | 'qtask' | 'tok' | 'audit' | 'src' | 'inreq';

export function newId(prefix: IdPrefix, nowMs?: number): string {
  return `${prefix}_${ksuid(nowMs)}`;
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
