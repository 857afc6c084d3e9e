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

/**
 * Every JSON request body of the API: strict UTF-8 and at most MAX_JSON_DEPTH levels, then Fastify's own parser
 * (which refuses `__proto__` and `constructor` keys). Routes with parsers of their own (the inbound `/in/…`, which
 * keeps the raw bytes for signature checks) are not affected.
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
    parse(request, text, done);
  });
}
