import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { routeTarget } from '@herald/wire/routes';
import type { RouteArgs, RouteKey, RouteResponse } from '@herald/wire';
import type { Command } from 'commander';
import { Agent, request, type Dispatcher } from 'undici';

/**
 * Exit codes of the commands that talk to a server, so a script can tell what failed without parsing text.
 * 0 ok; 1 anything else (a 5xx, an invalid signature); 2 bad usage or input refused by the API (400, 413, 422).
 */
export const Exit = { Ok: 0, Failure: 1, Usage: 2, Unreachable: 3, Auth: 4, NotFound: 5, Conflict: 6 } as const;

/** An answer from the API that is not a success, carrying the API's own message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }

  get exitCode(): number {
    if (this.status === 401 || this.status === 403) return Exit.Auth;
    if (this.status === 404) return Exit.NotFound;
    if (this.status === 409) return Exit.Conflict;
    if (this.status >= 400 && this.status < 500) return Exit.Usage;
    return Exit.Failure;
  }
}

/** The server could not be reached at all (refused, no such host, timed out). */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
  readonly exitCode = Exit.Unreachable;
}

/** A CLI usage problem found after parsing (missing connection, unreadable payload file...). */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = Exit.Usage;
}

export interface Connection {
  url: string;
  token: string;
  /** Where the token came from, for messages: '--token', 'HERALD_TOKEN' or 'profile "name"'. */
  source: string;
}

export interface ConnectionOptions {
  url?: string;
  token?: string;
  profile?: string;
}

export interface ProfileFile {
  current?: string;
  profiles: Record<string, { url: string; token: string }>;
}

/** The user's config directory: $XDG_CONFIG_HOME/herald, else ~/.config/herald (%APPDATA%\herald on Windows). */
export function profileFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] || (process.platform === 'win32' && env['APPDATA']) || path.join(homedir(), '.config');
  return path.join(base, 'herald', 'profiles.json');
}

async function readProfiles(file: string): Promise<ProfileFile> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as ProfileFile;
    return { current: parsed.current, profiles: parsed.profiles ?? {} };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The saved profiles (with their tokens: never print those) and the file they are in. */
export async function loadProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ProfileFile & { file: string }> {
  const file = profileFilePath(env);
  return { ...(await readProfiles(file)), file };
}

/**
 * Saves a profile in a file only its owner can read (it holds a token). Saving one never changes which profile is
 * current, unless none is yet: a second server must not silently take over every later command.
 */
export async function saveProfile(name: string, url: string, token: string): Promise<{ file: string; current: string }> {
  const file = profileFilePath();
  const profiles = await readProfiles(file);
  profiles.profiles[name] = { url, token };
  if (!profiles.current || !profiles.profiles[profiles.current]) profiles.current = name;
  await writeProfiles(file, profiles);
  return { file, current: profiles.current };
}

/** Makes a saved profile the current one (the one used when none is named). */
export async function useProfile(name: string): Promise<string> {
  const file = profileFilePath();
  const profiles = await readProfiles(file);
  if (!profiles.profiles[name]) throw new UsageError(`no profile "${name}" in ${file}; run "herald login --profile ${name}"`);
  profiles.current = name;
  await writeProfiles(file, profiles);
  return file;
}

/** Replaces the profile file at once (a temporary file renamed over it), readable by its owner only: it holds tokens. */
async function writeProfiles(file: string, profiles: ProfileFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(profiles, null, 2) + '\n', { mode: 0o600 });
  await chmod(temp, 0o600); // the mode option does not apply when the file already existed
  await rename(temp, file);
}

/** The profile used when none is named: HERALD_PROFILE, else the one "herald login" saved last. */
export async function currentProfileName(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return env['HERALD_PROFILE'] || (await readProfiles(profileFilePath(env))).current;
}

/** Removes a profile; returns whether it existed, and the current profile afterwards (another one if it was current). */
export async function removeProfile(name: string): Promise<{ removed: boolean; current?: string }> {
  const file = profileFilePath();
  const profiles = await readProfiles(file);
  if (!profiles.profiles[name]) return { removed: false, current: profiles.current };
  delete profiles.profiles[name];
  if (profiles.current === name) profiles.current = Object.keys(profiles.profiles)[0];
  await writeProfiles(file, profiles);
  return { removed: true, current: profiles.current };
}

/**
 * Which server and token to use: --url/--token flags, then HERALD_URL/HERALD_TOKEN, then the profile named by
 * --profile or HERALD_PROFILE, else the current one saved by `herald login`. URL and token are resolved separately,
 * so `HERALD_TOKEN=... herald --url ...` works too.
 */
export async function resolveConnection(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  let url = opts.url ?? env['HERALD_URL'];
  let token = opts.token ?? env['HERALD_TOKEN'];
  let source = opts.token ? '--token' : 'HERALD_TOKEN';
  if (!url || !token) {
    const file = profileFilePath(env);
    const profiles = await readProfiles(file);
    const name = opts.profile ?? env['HERALD_PROFILE'] ?? profiles.current;
    const profile = name ? profiles.profiles[name] : undefined;
    if (name && !profile && (opts.profile || env['HERALD_PROFILE'])) throw new UsageError(`no profile "${name}" in ${file}; run "herald login --profile ${name}"`);
    if (profile) {
      url ??= profile.url;
      if (!token) source = `profile "${name}"`;
      token ??= profile.token;
    }
  }
  if (!url) throw new UsageError('no Herald server given: use --url, HERALD_URL or "herald login"');
  if (!token) throw new UsageError('no API token given: use --token, HERALD_TOKEN or "herald login"');
  return { url: normalizeUrl(url), token, source };
}

export function normalizeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`the server URL must be http or https (got "${url}")`);
  return parsed.origin + parsed.pathname.replace(/\/+$/, '');
}

/** The --url, --token and --profile options every command that talks to a server takes. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', 'Herald server URL (HERALD_URL, or the profile saved by "herald login")')
    .option('--token <token>', 'API token (HERALD_TOKEN, or the profile saved by "herald login")')
    .option('--profile <name>', 'use this saved profile (HERALD_PROFILE)');
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  /** Give up after this long (default 30 s); 0 for never (streams). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Describes an error of the network layer in words a user acts on. */
function unreachable(url: string, err: unknown): UnreachableError {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const why = code === 'ECONNREFUSED' ? 'connection refused (is "herald serve" running?)'
    : code === 'ENOTFOUND' ? 'no such host'
    : code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' ? 'timed out'
    : (e.message ?? String(err));
  return new UnreachableError(`cannot reach Herald at ${url}: ${why}`);
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** How a call is sent, besides what the route takes. */
type CallOptions = Pick<RequestOptions, 'idempotencyKey' | 'timeoutMs' | 'signal' | 'headers'>;

/** A small client of Herald's REST API for the CLI: JSON in and out, errors as ApiError with the API's message. */
export class ApiClient {
  private readonly agent: Dispatcher = new Agent({ keepAliveTimeout: 10_000 });

  constructor(readonly connection: Connection) {}

  /** Calls a route of the API's table (`'GET /api/v1/app/:app_id'`): what it takes and answers are the wire package's types. */
  call<K extends RouteKey>(route: K, ...[request]: RouteArgs<K, CallOptions>): Promise<RouteResponse<K>> {
    const { params, ...opts } = (request ?? {}) as RequestOptions & { params?: Record<string, string> };
    const { method, path } = routeTarget(route, params);
    return this.request<RouteResponse<K>>(method, path, opts);
  }

  private async request<T>(method: string, apiPath: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, apiPath, opts);
    const text = await res.body.text();
    if (res.statusCode >= 400) throw this.refusal(res.statusCode, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Sends a request and returns the raw response once its headers arrived (for streams); errors are thrown. */
  async open(method: string, apiPath: string, opts: RequestOptions = {}): Promise<Dispatcher.ResponseData> {
    const res = await this.send(method, apiPath, { timeoutMs: 0, ...opts });
    if (res.statusCode >= 400) throw this.refusal(res.statusCode, await res.body.text());
    return res;
  }

  private async send(method: string, apiPath: string, opts: RequestOptions): Promise<Dispatcher.ResponseData> {
    const url = this.connection.url + apiPath + queryString(opts.query);
    const headers: Record<string, string> = { authorization: `Bearer ${this.connection.token}`, accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    Object.assign(headers, opts.headers);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const signals = [opts.signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
    try {
      return await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        dispatcher: this.agent,
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
        headersTimeout: timeoutMs > 0 ? timeoutMs : 0,
        bodyTimeout: timeoutMs > 0 ? timeoutMs : 0,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw unreachable(this.connection.url, err);
    }
  }

  /** The API's error; one about the token also says which server and token were used (the usual mistake is the profile). */
  private refusal(status: number, text: string): ApiError {
    const err = errorFrom(status, text);
    if (status !== 401 && status !== 403) return err;
    return new ApiError(status, err.code, `${err.detail} (server ${this.connection.url}, token from ${this.connection.source})`);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** The API's error shapes: {code, detail} for 4xx, {detail: [{loc, msg}]} for 422; anything else as text. */
function errorFrom(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { code?: string; detail?: unknown };
    if (Array.isArray(body.detail)) {
      const items = body.detail as { loc?: unknown[]; msg?: string }[];
      const detail = items.map((i) => `${(i.loc ?? []).filter((l) => l !== 'body').join('.') || 'request'}: ${i.msg ?? 'invalid'}`).join('; ');
      return new ApiError(status, body.code ?? 'validation', detail);
    }
    if (typeof body.detail === 'string') return new ApiError(status, body.code ?? 'error', body.detail);
  } catch {
    /* not JSON */
  }
  return new ApiError(status, 'error', text.trim() || `HTTP ${status}`);
}
