import { routeTarget, type QueryValue, type RouteArgs, type RouteKey, type RouteParams, type RouteResponse, type WhoAmIOut } from '@herald/wire';

/** The path parameters naming one endpoint of one application. */
export type EndpointRef = RouteParams<'GET /api/v1/app/:app_id/endpoint/:endpoint_id'>;

/** An answer other than 2xx, with Herald's `{code, detail}` when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    /** A 422's fields: where (`['body', 'filter', …]`) and what is wrong. */
    readonly fields: FieldError[] = [],
  ) {
    super(detail);
  }

  /** The 422 messages about one body field (`filter`, `url`…), as "path: message". */
  about(field: string): string[] {
    return this.fields.filter((f) => f.loc[1] === field).map((f) => (f.loc.length > 2 ? `${f.loc.slice(2).join('.')}: ${f.msg}` : f.msg));
  }

  /** The 422 messages about exactly one place in the body (`'verification', 'secret'`). */
  at(...path: string[]): string[] {
    return this.fields.filter((f) => f.loc.length === path.length + 1 && path.every((p, i) => f.loc[i + 1] === p)).map((f) => f.msg);
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

export interface FieldError {
  loc: string[];
  msg: string;
  /** What kind of problem: `value_error.…` for a schema's check, or a route's own (`transformation_failed`). */
  type?: string;
}

/** The API's root: the dashboard lives at {root}/ui/…, the API at {root}/api/v1. */
export function apiRoot(): string {
  return window.location.origin + window.location.pathname.replace(/\/ui(\/.*)?$/, '');
}

type Query = Record<string, QueryValue>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function errorFrom(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as { code?: unknown; detail?: unknown };
  let detail: string;
  let fields: FieldError[] = [];
  if (typeof b.detail === 'string') detail = b.detail;
  else if (Array.isArray(b.detail)) {
    // 422: [{loc, msg, type}]
    fields = b.detail.map((d: { loc?: unknown[]; msg?: unknown; type?: unknown }) => ({
      loc: (d.loc ?? []).map(String),
      msg: String(d.msg ?? ''),
      ...(typeof d.type === 'string' ? { type: d.type } : {}),
    }));
    detail = fields.map((d) => `${d.loc.slice(1).join('.')}: ${d.msg}`).join('; ');
  } else detail = `HTTP ${status}`;
  return new ApiError(status, typeof b.code === 'string' ? b.code : status === 422 ? 'validation' : 'error', detail, fields);
}

async function jsonOf(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Every call sends the token; a 401 (expired or revoked) signs the user out through onUnauthorized. */
export class ApiClient {
  constructor(
    readonly token: string,
    private readonly onUnauthorized: () => void = () => {},
  ) {}

  /** Calls a route of the API's table (`'GET /api/v1/app/:app_id'`): what it takes and answers are the wire package's types. */
  call<K extends RouteKey>(route: K, ...[request]: RouteArgs<K, { signal?: AbortSignal }>): Promise<RouteResponse<K>> {
    const { params, query, body, signal } = (request ?? {}) as { params?: Record<string, string>; query?: Query; body?: unknown; signal?: AbortSignal };
    const { method, path } = routeTarget(route, params);
    return this.request<RouteResponse<K>>(method, withQuery(path, query), body, signal);
  }

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(apiRoot() + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    const json = await jsonOf(res);
    if (!res.ok) throw this.failure(res.status, json);
    return json as T;
  }

  /**
   * Opens a server-sent event stream with fetch (EventSource cannot send the token): the 2xx response, whose body
   * the caller reads (see api/stream.ts), or an ApiError.
   */
  async openStream(route: 'GET /api/v1/app/:app_id/attempt/stream', params: RouteParams<typeof route>, query: Query, signal: AbortSignal): Promise<Response> {
    const headers = { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' };
    const res = await fetch(apiRoot() + withQuery(routeTarget(route, params).path, query), { headers, signal, cache: 'no-store' });
    if (res.ok) return res;
    throw this.failure(res.status, await jsonOf(res));
  }

  private failure(status: number, json: unknown): ApiError {
    if (status === 401) this.onUnauthorized();
    return errorFrom(status, json);
  }

  /** A GET whose answer is text to keep exactly as it came (a signed body), not JSON to parse. */
  async getText(route: 'GET /api/v1/app/:app_id/msg/:msg_id/content', params: RouteParams<typeof route>, signal?: AbortSignal): Promise<string> {
    const res = await fetch(apiRoot() + routeTarget(route, params).path, { headers: { authorization: `Bearer ${this.token}` }, signal });
    if (!res.ok) throw this.failure(res.status, await jsonOf(res));
    return res.text();
  }

  me(): Promise<WhoAmIOut> {
    return this.call('GET /api/v1/auth/me');
  }
}
