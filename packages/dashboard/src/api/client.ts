import type { Me } from './types';

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
}

/** The API's root: the dashboard lives at {root}/ui/…, the API at {root}/api/v1. */
export function apiRoot(): string {
  return window.location.origin + window.location.pathname.replace(/\/ui(\/.*)?$/, '');
}

type Query = Record<string, string | number | boolean | null | undefined>;

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
    // 422: [{loc, msg}]
    fields = b.detail.map((d: { loc?: unknown[]; msg?: unknown }) => ({ loc: (d.loc ?? []).map(String), msg: String(d.msg ?? '') }));
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

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
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
  async openStream(path: string, query: Query, signal: AbortSignal): Promise<Response> {
    const headers = { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' };
    const res = await fetch(apiRoot() + withQuery(path, query), { headers, signal, cache: 'no-store' });
    if (res.ok) return res;
    throw this.failure(res.status, await jsonOf(res));
  }

  private failure(status: number, json: unknown): ApiError {
    if (status === 401) this.onUnauthorized();
    return errorFrom(status, json);
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', withQuery(path, query), undefined, signal);
  }

  /** A GET whose answer is text to keep exactly as it came (a signed body), not JSON to parse. */
  async getText(path: string, signal?: AbortSignal): Promise<string> {
    const res = await fetch(apiRoot() + path, { headers: { authorization: `Bearer ${this.token}` }, signal });
    if (!res.ok) throw this.failure(res.status, await jsonOf(res));
    return res.text();
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  me(): Promise<Me> {
    return this.get<Me>('/api/v1/auth/me');
  }
}

/** Path segments are ids or uids, but they are always encoded. */
export const seg = encodeURIComponent;
