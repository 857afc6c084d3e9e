/**
 * Hostile requests generated from what the server says about itself: its OpenAPI document (every documented
 * operation, with the schemas of its path, query and body) and Fastify's route table (the undocumented routes).
 * Each case is either `bad` (the answer must be a JSON 4xx) or `edge` (valid by the schema but odd: a read may
 * answer 2xx, never 5xx). Used by test/hostile-routes.test.ts.
 */

export type Schema = {
  type?: string | string[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
};

export interface Operation {
  method: string;
  /** As routed, with `:name` placeholders. */
  route: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  /** The JSON body schema, when the operation takes one. */
  body: Schema | null;
  /** True when the operation needs no token. */
  open: boolean;
  /** True when it answers JSON (a stream, by contrast, would hold a valid request open). */
  answersJson: boolean;
}

export interface HostileCase {
  operation: string;
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  kind: 'bad' | 'edge';
}

type OpenApiParameter = { in: string; name: string; schema: Schema };
type OpenApiContent = { content?: Record<string, { schema: Schema }> };
type OpenApiOperation = { parameters?: OpenApiParameter[]; requestBody?: OpenApiContent; responses?: Record<string, OpenApiContent>; security?: unknown[] };

/** Every operation the OpenAPI document lists. */
export function operationsOf(doc: { paths: Record<string, Record<string, OpenApiOperation>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      out.push({
        method: method.toUpperCase(),
        route: path.replace(/\{(\w+)\}/g, ':$1'),
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
        open: Array.isArray(op.security) && op.security.length === 0,
        answersJson: Object.values(op.responses ?? {}).some((r) => r.content?.['application/json'] !== undefined),
      });
    }
  }
  return out;
}

/**
 * Fastify's route table (`printRoutes({commonPrefix: false})`) as method and path pairs. Each line is a tree branch
 * `│   ├── /segment (GET, HEAD)`; its indentation (4 characters a level) says which line it continues.
 */
export function routeTable(printed: string): { method: string; route: string }[] {
  const out: { method: string; route: string }[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const match = /^([│ ├└─]*?)(?:├── |└── )(\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean)) out.push({ method, route: stack.join('') });
  }
  return out;
}

// ---- values ----

const typesOf = (s: Schema): string[] =>
  s.anyOf ? s.anyOf.flatMap(typesOf) : s.type ? [s.type].flat() : s.const !== undefined ? [typeof s.const] : s.enum ? [...new Set(s.enum.map((v) => (v === null ? 'null' : typeof v)))] : [];

const jsonTypeOf = (v: unknown): string[] =>
  v === null ? ['null'] : Array.isArray(v) ? ['array'] : typeof v === 'number' ? (Number.isInteger(v) ? ['integer', 'number'] : ['number']) : [typeof v];

/** Three JSON values of types the schema does not allow, scalar ones first (none when it allows anything). */
export function wrongTyped(schema: Schema): unknown[] {
  const allowed = typesOf(schema);
  if (allowed.length === 0) return [];
  return [123, 'text', {}, [], null, true, 1.5].filter((v) => !jsonTypeOf(v).some((t) => allowed.includes(t))).slice(0, 3);
}

/** A value the schema accepts, as far as a simple reading of it goes (enough to reach the one wrong field). */
export function plausible(schema: Schema): unknown {
  if (schema.anyOf) return plausible(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0]!);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const type = [schema.type].flat()[0];
  switch (type) {
    case 'string':
      if (schema.format === 'date-time') return new Date(Date.UTC(2026, 0, 1)).toISOString();
      if (schema.format === 'uri') return 'https://example.com/hostile';
      return 'hostile-value'.slice(0, Math.max(schema.maxLength ?? 13, schema.minLength ?? 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return schema.items && (schema.minItems ?? 0) > 0 ? [plausible(schema.items)] : [];
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((name) => [name, plausible(schema.properties?.[name] ?? {})]));
    default:
      return null;
  }
}

const violates = (schema: Schema, value: string): boolean =>
  (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) || (schema.maxLength !== undefined && value.length > schema.maxLength);

/** Query texts the parameter's schema refuses. */
function badQueryValues(schema: Schema): string[] {
  const options = schema.anyOf ?? [schema];
  const types = typesOf(schema);
  const values = new Set<string>();
  if (options.some((o) => o.enum || o.const !== undefined)) values.add('sideways');
  if (types.includes('integer') && !types.includes('string')) {
    ['abc', '1.5', '', '12abc'].forEach((v) => values.add(v));
    for (const o of options) {
      if (o.minimum !== undefined) values.add(String(o.minimum - 1));
      if (o.maximum !== undefined) values.add(String(o.maximum + 1));
    }
  }
  if (types.includes('boolean') && !types.includes('string')) ['maybe', '2', ''].forEach((v) => values.add(v));
  for (const o of options.filter((o) => o.type === 'string')) {
    if (o.format === 'date-time') ['yesterday', '2026-13-45T00:00:00Z', '2026-01-01'].forEach((v) => values.add(v));
    if (o.maxLength !== undefined) values.add('x'.repeat(o.maxLength + 1));
    if (o.pattern !== undefined) ['bad value!', '../etc', '\u0000'].filter((v) => violates(o, v)).forEach((v) => values.add(v));
    if (o.minLength) values.add('');
  }
  return [...values];
}

/** Query texts the schema accepts but that a handler may trip over. */
function edgeQueryValues(schema: Schema): string[] {
  const types = typesOf(schema);
  const values: string[] = [];
  // Numbers JavaScript reads but people rarely write: hexadecimal, an exponent, one past the safe integers.
  if (types.includes('integer')) values.push('9007199254740993', '0x10', '1e400');
  if (types.includes('string')) values.push('🦀'.repeat(10), "' OR 1=1 --", '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00Z');
  return values;
}

// ---- cases ----

/** A malformed id for each path parameter: not a valid uid, too long for the router, encoded control bytes. */
// (No dot segments: a client, fetch included, resolves '..' before sending, so the request would name another route.)
const MALFORMED_SEGMENTS = ['bad%20id!', 'x'.repeat(301), '%FF%FE'];

/** Id prefixes of the things a path parameter names, for an unknown id of the right shape. */
const ID_PREFIX: Record<string, string> = {
  app_id: 'app', endpoint_id: 'ep', msg_id: 'msg', attempt_id: 'atmpt', task_id: 'qtask', token_id: 'tok', source_id: 'src', request_id: 'inreq',
};
const UNKNOWN_KSUID = '2ZZZZZZZZZZZZZZZZZZZZZZZZZZ';

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

const fill = (route: string, values: Record<string, string>) => route.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? `unknown-${name}`);

export function casesFor(op: Operation, ids: Record<string, string>, token: string): HostileCase[] {
  const operation = `${op.method} ${op.route}`;
  const auth = { authorization: `Bearer ${token}` };
  const path = fill(op.route, ids);
  const cases: HostileCase[] = [];
  const add = (what: string, c: Partial<HostileCase>) =>
    cases.push({ operation, what, method: op.method, path, headers: auth, kind: 'bad', ...c, ...(c.headers ? { headers: c.headers } : {}) });
  const json = (body: string | Uint8Array<ArrayBuffer>, contentType = 'application/json') => ({ headers: { ...auth, 'content-type': contentType }, body });

  // Who is asking.
  if (!op.open) {
    add('no token', { headers: {} });
    add('a wrong token', { headers: { authorization: 'Bearer not-a-token-0123456789' } });
    add('a token of 8000 characters', { headers: { authorization: `Bearer ${'t'.repeat(8000)}` } });
    // Headers that might steer how an error is written: still Herald's JSON.
    add('basic instead of bearer, asking for HTML', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=', accept: 'text/html', 'x-request-id': 'r'.repeat(10_000) } });
  }

  // Path parameters: unknown ids of the right shape, and malformed ones.
  for (const name of op.pathParams) {
    const prefix = ID_PREFIX[name];
    if (prefix) {
      add(`unknown ${name} (id)`, { path: fill(op.route, { ...ids, [name]: `${prefix}_${UNKNOWN_KSUID}` }) });
      add(`unknown ${name} (uid)`, { path: fill(op.route, { ...ids, [name]: 'no-such-uid' }) });
    } else if (name === 'event_type_name') {
      add(`unknown ${name}`, { path: fill(op.route, { ...ids, [name]: 'no.such.type' }) });
    }
    for (const segment of MALFORMED_SEGMENTS) add(`malformed ${name} ${segment.slice(0, 20)}`, { path: fill(op.route, { ...ids, [name]: segment }) });
  }

  // Query values, one parameter at a time.
  for (const { name, schema } of op.query) {
    // Cursors Herald cannot have issued, for any list (event types are listed by name, so these are no names either).
    if (name === 'iterator') for (const value of ['not issued!', '-', '%FF']) add(`query iterator=${value}`, { path: `${path}?iterator=${encodeURIComponent(value)}` });
    for (const value of badQueryValues(schema)) add(`query ${name}=${value.slice(0, 20)}`, { path: `${path}?${name}=${encodeURIComponent(value)}` });
    if (op.method === 'GET' && op.answersJson) {
      for (const value of edgeQueryValues(schema)) add(`query ${name}=${value.slice(0, 20)} (edge)`, { path: `${path}?${name}=${encodeURIComponent(value)}`, kind: 'edge' });
      add(`query ${name} repeated (edge)`, { path: `${path}?${name}=1&${name}=2`, kind: 'edge' });
    }
  }

  // Bodies that no JSON route can take, whether or not it reads its body.
  if (op.method !== 'GET' && op.method !== 'DELETE') {
    add('malformed JSON', json('{"a":'));
    add('nested 200 levels', json(`{"a":${nested(199)}}`));
    add('nested 100,000 levels', json(nested(100_000)));
    add('invalid UTF-8', json(new Uint8Array(Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]))));
    add('over 1 MiB', json(`{"name":"${'x'.repeat(1024 * 1024)}"}`));
    add('prototype poisoning', json('{"__proto__":{"admin":true},"name":"x"}'));
    add('form-encoded', json('name=x', 'application/x-www-form-urlencoded'));
    add('multipart', json('--b\r\n\r\nx\r\n--b--', 'multipart/form-data; boundary=b'));
    add('XML', json('<name>x</name>', 'application/xml'));
    add('JSON in UTF-16', json(new Uint8Array(Buffer.from('{"name":"x"}', 'utf16le')), 'application/json; charset=utf-16'));
    add('malformed JSON with a long idempotency key', { ...json('{'), headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': 'k'.repeat(5000) } });
  }

  // Bodies of the wrong shape for routes that read one.
  if (op.body) {
    add('empty JSON body', json(''));
    for (const text of ['[]', 'null', '1', '"text"', 'true']) add(`JSON ${text} for an object`, json(text));
    add('plain text', json('hello', 'text/plain'));
    const base = plausible(op.body) as Record<string, unknown>;
    for (const [name, schema] of Object.entries(op.body.properties ?? {})) {
      for (const value of wrongTyped(schema)) add(`body ${name}=${JSON.stringify(value)}`, json(JSON.stringify({ ...base, [name]: value })));
      if (typesOf(schema).includes('string')) {
        // Text JSON can escape but no store should take: a lone surrogate anywhere, NUL outside a message payload.
        add(`body ${name} with a lone surrogate`, json(JSON.stringify({ ...base, [name]: 'a\ud800b' })));
        if (name !== 'payload') add(`body ${name} with NUL`, json(JSON.stringify({ ...base, [name]: 'a\u0000b' })));
      }
      for (const o of schema.anyOf ?? [schema]) {
        if (o.type === 'string' && o.maxLength !== undefined && o.maxLength < 100_000) add(`body ${name} too long`, json(JSON.stringify({ ...base, [name]: 'x'.repeat(o.maxLength + 1) })));
        if (o.type === 'string' && o.pattern && violates(o, 'bad value!')) add(`body ${name} off-pattern`, json(JSON.stringify({ ...base, [name]: 'bad value!' })));
        if (o.type === 'integer' && o.maximum !== undefined) add(`body ${name} above maximum`, json(JSON.stringify({ ...base, [name]: o.maximum + 1 })));
        if (o.type === 'array' && o.maxItems !== undefined && o.items) add(`body ${name} too many items`, json(JSON.stringify({ ...base, [name]: Array.from({ length: o.maxItems + 1 }, (_, i) => `${String(plausible(o.items!))}${i}`) })));
      }
    }
  }
  return cases;
}

/** Strings a schema without a pattern takes, but that code handling them may not expect. */
const ODD_TEXT = ['🦀 ünïcödé ‮RTL', '<script>alert(1)</script>', "' OR 1=1; --", '%s%n%x', '\\', ' '];

/**
 * Writes that are valid by the schema (so they may well succeed and change what is stored) with odd values in one
 * field at a time: never a 5xx. Only fields without a pattern, format or choice list get odd text.
 */
export function oddWritesFor(op: Operation, ids: Record<string, string>, token: string): HostileCase[] {
  if (!op.body?.properties) return [];
  const operation = `${op.method} ${op.route}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const base = plausible(op.body) as Record<string, unknown>;
  const cases: HostileCase[] = [];
  for (const [name, schema] of Object.entries(op.body.properties)) {
    for (const o of schema.anyOf ?? [schema]) {
      const values: unknown[] = [];
      if (o.type === 'string' && !o.pattern && !o.format && !o.enum && o.const === undefined) {
        values.push(...ODD_TEXT.filter((t) => t.length <= (o.maxLength ?? Infinity) && t.length >= (o.minLength ?? 0)));
        if (o.maxLength !== undefined && o.maxLength <= 100_000) values.push('x'.repeat(o.maxLength));
      }
      if (o.type === 'integer') values.push(o.minimum ?? -(2 ** 53 - 1), o.maximum ?? 2 ** 53 - 1);
      if (o.type === 'object' && o.additionalProperties !== false && !o.properties) values.push({ '🦀': 'ü', '': '', 'a.b[0]': '$' });
      for (const value of values) {
        cases.push({ operation, what: `body ${name}=${JSON.stringify(value).slice(0, 24)} (odd, valid)`, method: op.method, path: fill(op.route, ids), headers, body: JSON.stringify({ ...base, [name]: value }), kind: 'edge' });
      }
    }
  }
  return cases;
}
