import { FILTER_MAX_CONDITIONS, type EndpointFilterIn } from '@herald/wire';
import { HeraldError } from '../lib/errors.ts';

/**
 * Endpoint filters, a Herald extension to Svix endpoints: conditions on a message's JSON body and (for messages the
 * inbound gateway received) on the request's headers. An endpoint gets a message only when every condition holds.
 */

/** The filter's shape is the API's (packages/wire): what an endpoint stores is what was validated there. */
export type EndpointFilter = EndpointFilterIn;

export interface FilterSubject {
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const MAX_PATH = 256;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

/** A dot path's keys; null when malformed (an empty key, or a backslash not escaping "." or "\"). */
export function parsePath(path: string): string[] | null {
  const keys: string[] = [];
  let key = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\') {
      const next = path[++i];
      if (next !== '.' && next !== '\\') return null;
      key += next;
    } else if (c === '.') {
      if (key === '') return null;
      keys.push(key);
      key = '';
    } else key += c;
  }
  if (key === '') return null;
  keys.push(key);
  return keys;
}

/**
 * What the schema leaves out: header names, paths and the total number of conditions. A filter without conditions
 * comes back as null, so such an endpoint costs nothing when publishing.
 */
export function checkFilter<F extends EndpointFilter | null | undefined>(filter: F, field = 'filter'): F | null {
  if (!filter) return filter;
  const names = Object.keys(filter.headers ?? {});
  const paths = Object.keys(filter.body ?? {});
  const count = names.length + paths.length;
  if (count > FILTER_MAX_CONDITIONS) throw HeraldError.validation(['body', field], `at most ${FILTER_MAX_CONDITIONS} conditions (headers and body together)`);
  for (const name of names) {
    if (!HEADER_NAME.test(name)) throw HeraldError.validation(['body', field, 'headers', name], 'is not a valid HTTP header name');
  }
  for (const path of paths) {
    if (path.length > MAX_PATH || parsePath(path) === null) {
      throw HeraldError.validation(
        ['body', field, 'body', path],
        `is not a dot path: keys separated by ".", none empty, ${MAX_PATH} characters at most; write a literal "." as "\\." and "\\" as "\\\\"`,
      );
    }
  }
  return count === 0 ? null : filter;
}

/** A condition as a test: a presence check, or the values that match. */
type Test = { exists: boolean } | { anyOf: readonly unknown[] };
interface Compiled {
  headers: { name: string; test: Test }[];
  body: { keys: string[]; test: Test }[];
}

/** One condition of a filter, on a header or a body field. */
type Condition = NonNullable<EndpointFilter['body']>[string] | NonNullable<EndpointFilter['headers']>[string];

function testOf(condition: Condition): Test {
  if (Array.isArray(condition)) return { anyOf: condition };
  if (typeof condition === 'object' && condition !== null) return { exists: condition.$exists };
  return { anyOf: [condition] };
}

/** Filters are compiled once per object: the endpoint cache keeps the same objects between publishes. */
const compiled = new WeakMap<EndpointFilter, Compiled | null>();

/** null for a filter with a malformed path (never from the API): it matches nothing rather than everything. */
function compile(filter: EndpointFilter): Compiled | null {
  const body: Compiled['body'] = [];
  for (const [path, condition] of Object.entries(filter.body ?? {})) {
    const keys = parsePath(path);
    if (keys === null) return null;
    body.push({ keys, test: testOf(condition) });
  }
  const headers = Object.entries(filter.headers ?? {}).map(([name, condition]) => ({ name: name.toLowerCase(), test: testOf(condition) }));
  return { headers, body };
}

const INDEX = /^(0|[1-9]\d{0,9})$/;

/** The JSON value at a path; undefined when there is none (JSON has no undefined, so it cannot be a value). */
function valueAt(body: unknown, keys: readonly string[]): unknown {
  let at = body;
  for (const key of keys) {
    if (Array.isArray(at)) at = INDEX.test(key) ? at[Number(key)] : undefined;
    else if (typeof at === 'object' && at !== null && Object.hasOwn(at, key)) at = (at as Record<string, unknown>)[key];
    else return undefined;
  }
  return at;
}

/** Node gives header names in lower case; other callers may not, so a miss looks again ignoring case. */
function headerAt(headers: FilterSubject['headers'], name: string): string | string[] | undefined {
  if (Object.hasOwn(headers, name)) return headers[name];
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

const holds = (test: Test, value: unknown): boolean =>
  'exists' in test ? (value !== undefined) === test.exists : test.anyOf.includes(value);

/** Whether a message (its body, and the headers it came with) passes an endpoint's filter; null lets everything pass. */
export function filterMatches(filter: EndpointFilter | null, subject: FilterSubject): boolean {
  if (!filter) return true;
  let c = compiled.get(filter);
  if (c === undefined) compiled.set(filter, (c = compile(filter)));
  if (c === null) return false;
  for (const { keys, test } of c.body) if (!holds(test, valueAt(subject.body, keys))) return false;
  for (const { name, test } of c.headers) {
    const value = headerAt(subject.headers, name);
    // A repeated header matches when any of its values does.
    if (Array.isArray(value) && 'anyOf' in test ? !value.some((v) => holds(test, v)) : !holds(test, value)) return false;
  }
  return true;
}
