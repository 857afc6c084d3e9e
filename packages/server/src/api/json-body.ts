import type { FastifyInstance } from 'fastify';
import { HeraldError } from '../lib/errors.ts';

/**
 * Objects and arrays may nest this deep in a request body, the outermost counting as level 1: as deep as Svix's
 * parser goes. Deeper bodies would overflow the stack when Herald serializes them again (a 500), so they are refused
 * before anything is parsed or stored.
 */
export const MAX_JSON_DEPTH = 128;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of objects and arrays in JSON text, brackets inside strings not counted. One pass, no recursion. */
export function jsonDepth(bytes: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > deepest) deepest = depth;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return deepest;
}

// `fatal`: a byte sequence that is not UTF-8 is an error, where the default decoder would put U+FFFD in its place.
const utf8 = new TextDecoder('utf-8', { fatal: true });
// With the `u` flag a surrogate pair is one code point, so this matches only a surrogate standing alone.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * What is wrong with the strings (keys included) of a parsed body, if anything. JSON escapes can spell what valid
 * UTF-8 cannot: a lone UTF-16 surrogate such as `\ud800` (no character at all, refused as Svix's parser does; it
 * would be stored as U+FFFD) and NUL, which PostgreSQL text cannot hold (a 500 there, while SQLite took it). NUL
 * is allowed inside a message's top-level `payload`, which Herald stores as JSON text where it stays the escape
 * `\u0000`. Recursive, but only over bodies already limited to MAX_JSON_DEPTH levels.
 */
function badString(value: unknown, nulAllowed: boolean): HeraldError | null {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) return HeraldError.badRequest('invalid_unicode', 'Request body has a string with a lone UTF-16 surrogate escape (such as \\ud800), which is not Unicode text');
    if (!nulAllowed && value.includes('\0')) return HeraldError.badRequest('nul_character', 'Request body has a NUL character (\\u0000) outside a message payload, which Herald does not store');
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    const problem = (typeof key === 'string' ? badString(key, nulAllowed) : null) ?? badString(item, nulAllowed);
    if (problem) return problem;
  }
  return null;
}

/** The body's strings, its top-level `payload` (a message's) allowed NUL. */
function badBodyString(body: unknown): HeraldError | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return badString(body, false);
  for (const [key, item] of Object.entries(body)) {
    const problem = badString(key, false) ?? badString(item, key === 'payload');
    if (problem) return problem;
  }
  return null;
}

/**
 * Every JSON request body of the API: strict UTF-8, at most MAX_JSON_DEPTH levels, Fastify's own parser (which
 * refuses `__proto__` and `constructor` keys), then only strings every store can keep. Routes with parsers of their
 * own (the inbound `/in/…`, which keeps the raw bytes for signature checks) are not affected.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (jsonDepth(bytes) > MAX_JSON_DEPTH) {
      done(HeraldError.badRequest('json_too_deep', `Request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep (the limit)`), undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      done(HeraldError.badRequest('invalid_utf8', 'Request body is not valid UTF-8 (JSON must be sent as UTF-8)'), undefined);
      return;
    }
    parse(request, text, (err, parsed) => {
      if (err) done(err, undefined);
      else {
        const problem = badBodyString(parsed);
        if (problem) done(problem, undefined);
        else done(null, parsed);
      }
    });
  });
}

/** A URL with an encoded NUL (%00) in its path or query: no id, name or filter holds one, and PostgreSQL cannot store it. */
export function checkUrlText(url: string): void {
  if (/%00/.test(url)) throw HeraldError.badRequest('nul_character', 'The URL has a NUL character (%00)');
}
