import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ApiClient, resolveConnection, UsageError, withConnectionOptions, type ConnectionOptions, type Query } from '../client.ts';

/** What every management command takes: where the server is, and whether to print the API's JSON. */
export interface CommonOptions extends ConnectionOptions {
  json?: boolean;
}

export interface ListOptions extends CommonOptions {
  limit?: string;
  iterator?: string;
}

/** A subcommand that talks to a server: --url/--token/--profile and --json. */
export function subcommand(parent: Command, nameAndArgs: string, description: string): Command {
  return withConnectionOptions(parent.command(nameAndArgs).description(description)).option('--json', "print the API's JSON response as received");
}

export interface AppOption extends CommonOptions {
  app: string;
}

/** A subcommand about something of one application (its endpoints, messages, attempts): --app is required. */
export function appSubcommand(parent: Command, nameAndArgs: string, description: string): Command {
  return subcommand(parent, nameAndArgs, description).requiredOption('--app <app>', 'the application (id or uid)');
}

/** A list subcommand: also --limit and --iterator. */
export function listSubcommand(parent: Command, description: string): Command {
  return subcommand(parent, 'list', description)
    .option('--limit <n>', 'how many to show (the API caps it at 250)')
    .option('--iterator <iterator>', 'start after this position (printed under a page that has more)');
}

export function pageQuery(opts: ListOptions): Query {
  return { limit: opts.limit === undefined ? undefined : positiveInteger(opts.limit, '--limit'), iterator: opts.iterator };
}

/** Runs `work` with a client of the server the options name, and closes its connections afterwards. */
export async function withApi<T>(opts: ConnectionOptions, work: (api: ApiClient) => Promise<T>): Promise<T> {
  const api = new ApiClient(await resolveConnection(opts));
  try {
    return await work(api);
  } finally {
    await api.close();
  }
}

/** Commander collector for an option given several times (--metadata a=1 --metadata b=2). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** "a,b , c" as ["a", "b", "c"]. */
export function csvList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Repeated k=v options as a record; the value may itself contain "=". */
export function keyValues(pairs: string[] | undefined, option: string): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const record: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${option} takes key=value (got "${pair}")`);
    record[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return record;
}

export function positiveInteger(value: string, option: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${option} must be a whole number of 1 or more (got "${value}")`);
  return n;
}

/** --throttle-rate: messages per second, or "none" to remove the limit (null in the API). */
export function throttleRate(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  return value === 'none' ? null : positiveInteger(value, '--throttle-rate');
}

const AGE_UNITS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A time as the API takes it: an RFC 3339 date-time, or an age such as 30m, 12h or 7d meaning that long ago. */
export function timeOption(value: string, option: string): string;
export function timeOption(value: string | undefined, option: string): string | undefined;
export function timeOption(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const age = /^(\d+)([smhd])$/.exec(value.trim());
  if (age) return new Date(Date.now() - Number(age[1]) * AGE_UNITS[age[2] as keyof typeof AGE_UNITS]).toISOString();
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`${option} must be a date-time such as 2026-01-31T12:00:00Z or an age such as 12h or 7d (got "${value}")`);
  return new Date(ms).toISOString();
}

/** A length of time such as 30m, 12h or 90d, in seconds. */
export function durationSeconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)([smhd])$/.exec(value.trim());
  if (!match) throw new UsageError(`${option} must be a length of time such as 30m, 12h or 90d (got "${value}")`);
  return (Number(match[1]) * AGE_UNITS[match[2] as keyof typeof AGE_UNITS]) / 1000;
}

const STATUSES = ['success', 'pending', 'fail', 'sending'];

/** A delivery status by name or number (0 success, 1 pending, 2 fail, 3 sending). */
export function statusOption(value: string | undefined, allowed = STATUSES.length): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d$/.test(value) ? Number(value) : STATUSES.indexOf(value);
  if (n < 0 || n >= allowed) throw new UsageError(`--status must be one of ${STATUSES.slice(0, allowed).join(', ')} (got "${value}")`);
  return n;
}

/** A JSON file's content, with the file named in the error when it cannot be read or parsed. */
export async function readJsonFile(file: string, option: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${option}: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${option}: ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Drops undefined fields, so a PATCH sends only what was given. */
export function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}
