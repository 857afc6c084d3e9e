import Database from 'better-sqlite3';
import type { StorageFull } from '../storage-full.ts';
import type { Database as DB, Statement } from 'better-sqlite3';
import { HeraldError } from '../../lib/errors.ts';
import { assertKeyUnchanged, endpointKeyContext, KEY_CHECK_SETTING, sourceVerificationContext, UNENCRYPTED, type SecretBox, type SecretCodec } from '../../security/secret-box.ts';
import { take, type BucketSpec, type BucketState } from '../token-bucket.ts';
import type { App, Endpoint, EndpointKey, EventType, IdempotentResponse, Page, PageResult } from '../types.ts';
import { migrate } from './migrate.ts';
import { jsonOrNull } from '../common/rows.ts';
import { headersOf, paginate, sealHeaders, toApp, toEndpoint, toEventType } from './rows.ts';
import { WriteQueue } from './write-queue.ts';

export interface SqliteOptions {
  file: string;
  synchronous: 'normal' | 'full';
  /** Encrypts endpoint secrets and custom header values; without it they are stored as given (tests only). */
  secrets?: SecretBox;
}

/** Set while old copies of resealed values may still be in the file (see scrubIfPending). */
const SCRUB_PENDING_SETTING = 'encryption_scrub_pending';
const UPSERT_SETTING = 'INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

/** Turns SQLite's uniqueness failures into the API's 409. */
export function conflictOnUnique<T>(what: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT_UNIQUE') || (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw HeraldError.conflict(`${what} already exists`);
    }
    throw err;
  }
}

/** Applications, event types, endpoints, settings and idempotency records: the slow-changing part of the store. */
export class SqliteCatalog {
  readonly dialect = 'sqlite' as const;
  readonly migrationsApplied: readonly number[];
  protected readonly db: DB;
  protected readonly writes: WriteQueue;
  protected secrets: SecretCodec;
  private readonly mapEndpoint = (row: Record<string, unknown>): Endpoint => toEndpoint(row, this.secrets);

  constructor(options: SqliteOptions) {
    this.db = new Database(options.file);
    this.secrets = options.secrets ?? UNENCRYPTED;
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      this.migrationsApplied = migrate(this.db);
      this.prepareSecrets();
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.writes = new WriteQueue(this.db);
  }

  /**
   * At open: the key must be the one the database's secrets are encrypted with (the first keyed open records its
   * check value), and any value still in clear (stored before encryption, or by an older version) is sealed now.
   */
  private prepareSecrets(): void {
    this.db.transaction(() => {
      const stored = this.getSettingNow(KEY_CHECK_SETTING);
      this.secrets.adopt(stored);
      if (this.secrets.check === undefined) return;
      if (stored === undefined) this.stmt(UPSERT_SETTING).run(KEY_CHECK_SETTING, this.secrets.check);
      if (this.reseal(this.secrets, this.secrets, true) > 0) this.stmt(UPSERT_SETTING).run(SCRUB_PENDING_SETTING, '1');
    }).immediate();
    this.scrubIfPending();
  }

  /** Seals every secret value again with `to` (with onlyClear, just those still in clear), reading them with `from`. */
  private reseal(from: SecretCodec, to: SecretCodec, onlyClear: boolean): number {
    const keys = this.db
      .prepare(`SELECT rowid, endpoint_id, key FROM endpoint_key${onlyClear ? " WHERE key NOT LIKE 'enc:%'" : ''}`)
      .all() as { rowid: number; endpoint_id: string; key: string }[];
    const updateKey = this.db.prepare('UPDATE endpoint_key SET key = ? WHERE rowid = ?');
    for (const k of keys) {
      const context = endpointKeyContext(k.endpoint_id);
      updateKey.run(to.seal(from.open(k.key, context), context), k.rowid);
    }
    const endpoints = this.db
      .prepare(`SELECT id, headers FROM endpoint${onlyClear ? " WHERE headers NOT LIKE 'enc:%'" : ''}`)
      .all() as { id: string; headers: string }[];
    const updateHeaders = this.db.prepare('UPDATE endpoint SET headers = ? WHERE id = ?');
    for (const ep of endpoints) updateHeaders.run(sealHeaders(ep.id, headersOf(ep, from), to), ep.id);
    const sources = this.db
      .prepare(`SELECT id, verification FROM source${onlyClear ? " WHERE verification NOT LIKE 'enc:%'" : ''}`)
      .all() as { id: string; verification: string }[];
    const updateSource = this.db.prepare('UPDATE source SET verification = ? WHERE id = ?');
    for (const src of sources) {
      const context = sourceVerificationContext(src.id);
      updateSource.run(to.seal(from.open(src.verification, context), context), src.id);
    }
    return keys.length + endpoints.length + sources.length;
  }

  /**
   * After values were resealed, their old copies (in clear, or under a retired key) can linger in freed cells and
   * pages and in the unused space of pages that b-tree rebalancing rewrote: the whole file is rewritten once (VACUUM)
   * and the WAL emptied. The marker is set in the resealing transaction, so a VACUUM that fails (a full disk) is
   * retried at the next open rather than skipped.
   */
  private scrubIfPending(): void {
    if (this.getSettingNow(SCRUB_PENDING_SETTING) === undefined) return;
    try {
      this.db.exec('VACUUM');
    } catch (err) {
      throw new Error(
        `the database was not rewritten to remove old copies of its re-encrypted secrets (${(err as Error).message}); ` +
          'it needs free disk space about its own size: Herald tries again at the next start',
      );
    }
    this.stmt('DELETE FROM setting WHERE key = ?').run(SCRUB_PENDING_SETTING);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  private getSettingNow(key: string): string | undefined {
    return (this.stmt('SELECT value FROM setting WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  /**
   * Re-encrypts every secret under `next` and records it as the database's key, in one transaction (on the write
   * queue, so no write of this process can come between). The store goes on with `next`.
   */
  async rotateEncryptionKey(next: SecretBox): Promise<number> {
    const resealed = await this.writes.run(() => {
      this.checkKeyUnchanged();
      const count = this.reseal(this.secrets, next, false);
      this.stmt(UPSERT_SETTING).run(KEY_CHECK_SETTING, next.check);
      this.stmt(UPSERT_SETTING).run(SCRUB_PENDING_SETTING, '1');
      return count;
    });
    this.secrets = next;
    this.scrubIfPending();
    return resealed;
  }

  /** Inside the write transaction, before a value is sealed (see assertKeyUnchanged). */
  protected checkKeyUnchanged(): void {
    assertKeyUnchanged(this.getSettingNow(KEY_CHECK_SETTING), this.secrets);
  }

  private readonly statements = new Map<string, Statement>();

  /** Prepares each distinct SQL text once; preparing costs more than running most of these queries. */
  protected stmt(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  storageFull(): StorageFull | null {
    return this.writes.full;
  }

  async close(): Promise<void> {
    // Let queued writes commit before the handle goes away.
    await this.writes.run(() => undefined);
    this.db.close();
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.getSettingNow(key);
  }

  setSetting(key: string, value: string): Promise<void> {
    return this.writes.run(() => {
      this.stmt(UPSERT_SETTING).run(key, value);
    });
  }

  createApp(app: App): Promise<void> {
    return this.writes.run(() => conflictOnUnique('An application with this uid', () => this.insertApp(app)));
  }

  /** Inside a write: also how a source's application is made, in the source's transaction. */
  protected insertApp(app: App): void {
    this
      .stmt('INSERT INTO app (id, uid, name, metadata, throttle_rate, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(app.id, app.uid, app.name, JSON.stringify(app.metadata), app.throttleRate, app.createdAt, app.updatedAt);
  }

  async getApp(ref: string): Promise<App | undefined> {
    const row = this.stmt('SELECT * FROM app WHERE id = ? UNION ALL SELECT * FROM app WHERE uid = ? LIMIT 1').get(ref, ref);
    return row ? toApp(row as Record<string, unknown>) : undefined;
  }

  async listApps(page: Page): Promise<PageResult<App>> {
    return paginate(this.db, 'SELECT * FROM app', '1=1', [], 'id', page, toApp, (a) => a.id);
  }

  updateApp(app: App): Promise<void> {
    return this.writes.run(() =>
      conflictOnUnique('An application with this uid', () => {
        this
          .stmt('UPDATE app SET uid = ?, name = ?, metadata = ?, throttle_rate = ?, updated_at = ? WHERE id = ?')
          .run(app.uid, app.name, JSON.stringify(app.metadata), app.throttleRate, app.updatedAt, app.id);
      }),
    );
  }

  deleteApp(id: string): Promise<void> {
    return this.writes.run(() => {
      // Attempts are an append-only log without foreign keys; they go with their app explicitly.
      this.stmt('DELETE FROM attempt WHERE app_id = ?').run(id);
      this.stmt('DELETE FROM app WHERE id = ?').run(id);
    });
  }

  createEventType(e: EventType): Promise<void> {
    return this.writes.run(() =>
      conflictOnUnique('An event type with this name', () => {
        this
          .stmt(
            `INSERT INTO event_type (name, description, schemas, archived, deprecated, feature_flags, group_name, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(e.name, e.description, jsonOrNull(e.schemas), +e.archived, +e.deprecated, jsonOrNull(e.featureFlags), e.groupName, e.createdAt, e.updatedAt);
      }),
    );
  }

  async getEventType(name: string): Promise<EventType | undefined> {
    const row = this.stmt('SELECT * FROM event_type WHERE name = ?').get(name);
    return row ? toEventType(row as Record<string, unknown>) : undefined;
  }

  async listEventTypes(page: Page, includeArchived: boolean): Promise<PageResult<EventType>> {
    return paginate(this.db, 'SELECT * FROM event_type', includeArchived ? '1=1' : 'archived = 0', [], 'name', page, toEventType, (e) => e.name);
  }

  updateEventType(e: EventType): Promise<void> {
    return this.writes.run(() => {
      this
        .stmt(
          `UPDATE event_type SET description = ?, schemas = ?, archived = ?, deprecated = ?, feature_flags = ?, group_name = ?, updated_at = ?
           WHERE name = ?`,
        )
        .run(e.description, jsonOrNull(e.schemas), +e.archived, +e.deprecated, jsonOrNull(e.featureFlags), e.groupName, e.updatedAt, e.name);
    });
  }

  deleteEventType(name: string, expunge: boolean): Promise<void> {
    return this.writes.run(() => {
      if (expunge) this.stmt('DELETE FROM event_type WHERE name = ?').run(name);
      else this.stmt('UPDATE event_type SET archived = 1, updated_at = ? WHERE name = ?').run(Date.now(), name);
    });
  }

  createEndpoint(ep: Endpoint, key: EndpointKey): Promise<void> {
    return this.writes.run(() =>
      conflictOnUnique('An endpoint with this uid', () => {
        this.checkKeyUnchanged();
        this
          .stmt(
            `INSERT INTO endpoint (id, app_id, uid, url, description, event_types, channels, disabled, throttle_rate, ordered, filter, metadata, headers, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            ep.id, ep.appId, ep.uid, ep.url, ep.description, jsonOrNull(ep.eventTypes), jsonOrNull(ep.channels), +ep.disabled,
            ep.throttleRate, +ep.ordered, jsonOrNull(ep.filter), JSON.stringify(ep.metadata), sealHeaders(ep.id, ep.headers, this.secrets), ep.createdAt, ep.updatedAt,
          );
        this
          .stmt('INSERT INTO endpoint_key (endpoint_id, key, created_at, expires_at) VALUES (?, ?, ?, ?)')
          .run(ep.id, this.secrets.seal(key.key, endpointKeyContext(ep.id)), key.createdAt, key.expiresAt);
      }),
    );
  }

  async getEndpoint(appId: string, ref: string): Promise<Endpoint | undefined> {
    const row = this
      .stmt('SELECT * FROM endpoint WHERE app_id = ? AND id = ? UNION ALL SELECT * FROM endpoint WHERE app_id = ? AND uid = ? LIMIT 1')
      .get(appId, ref, appId, ref);
    return row ? this.mapEndpoint(row as Record<string, unknown>) : undefined;
  }

  async getEndpointById(id: string): Promise<Endpoint | undefined> {
    const row = this.stmt('SELECT * FROM endpoint WHERE id = ?').get(id);
    return row ? this.mapEndpoint(row as Record<string, unknown>) : undefined;
  }

  async listEndpoints(appId: string, page: Page): Promise<PageResult<Endpoint>> {
    return paginate(this.db, 'SELECT * FROM endpoint', 'app_id = ?', [appId], 'id', page, this.mapEndpoint, (e) => e.id);
  }

  async listAllEndpoints(appId: string): Promise<Endpoint[]> {
    return (this.stmt('SELECT * FROM endpoint WHERE app_id = ? ORDER BY id').all(appId) as Record<string, unknown>[]).map(this.mapEndpoint);
  }

  updateEndpoint(ep: Endpoint): Promise<void> {
    return this.writes.run(() =>
      conflictOnUnique('An endpoint with this uid', () => {
        this.checkKeyUnchanged();
        this
          .stmt(
            `UPDATE endpoint SET uid = ?, url = ?, description = ?, event_types = ?, channels = ?, disabled = ?, throttle_rate = ?,
             ordered = ?, filter = ?, metadata = ?, headers = ?, updated_at = ? WHERE id = ?`,
          )
          .run(
            ep.uid, ep.url, ep.description, jsonOrNull(ep.eventTypes), jsonOrNull(ep.channels), +ep.disabled, ep.throttleRate,
            +ep.ordered, jsonOrNull(ep.filter), JSON.stringify(ep.metadata), sealHeaders(ep.id, ep.headers, this.secrets), ep.updatedAt, ep.id,
          );
      }),
    );
  }

  disableEndpoint(id: string, now: number): Promise<boolean> {
    return this.writes.run(() => this.stmt('UPDATE endpoint SET disabled = 1, updated_at = ? WHERE id = ? AND disabled = 0').run(now, id).changes > 0);
  }

  noteEndpointExhausted(id: string, now: number): Promise<number | undefined> {
    return this.writes.run(() => {
      const row = this.stmt('UPDATE endpoint SET failing_since = COALESCE(failing_since, ?) WHERE id = ? RETURNING failing_since').get(now, id) as
        | { failing_since: number }
        | undefined;
      return row?.failing_since;
    });
  }

  noteEndpointsSucceeded(ids: string[]): Promise<void> {
    return this.writes.run(() => {
      this.stmt('UPDATE endpoint SET failing_since = NULL WHERE failing_since IS NOT NULL AND id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
    });
  }

  deleteEndpoint(id: string): Promise<void> {
    return this.writes.run(() => {
      this.stmt('DELETE FROM attempt WHERE endpoint_id = ?').run(id);
      this.stmt('DELETE FROM endpoint WHERE id = ?').run(id);
    });
  }

  async getEndpointKeys(endpointId: string, now: number): Promise<EndpointKey[]> {
    const rows = this
      .stmt(
        `SELECT key, created_at, expires_at FROM endpoint_key WHERE endpoint_id = ? AND (expires_at IS NULL OR expires_at > ?)
         ORDER BY expires_at IS NOT NULL, created_at DESC`,
      )
      .all(endpointId, now) as { key: string; created_at: number; expires_at: number | null }[];
    const context = endpointKeyContext(endpointId);
    return rows.map((r) => ({ key: this.secrets.open(r.key, context), createdAt: r.created_at, expiresAt: r.expires_at }));
  }

  rotateEndpointKey(endpointId: string, key: EndpointKey, oldExpiresAt: number): Promise<void> {
    return this.writes.run(() => {
      this.checkKeyUnchanged();
      this.stmt('UPDATE endpoint_key SET expires_at = ? WHERE endpoint_id = ? AND expires_at IS NULL').run(oldExpiresAt, endpointId);
      this.stmt('DELETE FROM endpoint_key WHERE endpoint_id = ? AND expires_at <= ?').run(endpointId, key.createdAt);
      this
        .stmt('INSERT INTO endpoint_key (endpoint_id, key, created_at, expires_at) VALUES (?, ?, ?, NULL)')
        .run(endpointId, this.secrets.seal(key.key, endpointKeyContext(endpointId)), key.createdAt);
    });
  }

  takeTokens(buckets: BucketSpec[], wanted: number, now: number): Promise<number> {
    return this.writes.run(() => {
      const read = this.stmt('SELECT tokens, updated_at FROM rate_limit WHERE key = ?');
      const states = new Map<string, BucketState>();
      for (const { key } of buckets) {
        const row = read.get(key) as { tokens: number; updated_at: number } | undefined;
        if (row) states.set(key, { tokens: row.tokens, updatedAt: row.updated_at });
      }
      const { granted, next } = take(buckets, states, wanted, now);
      const write = this.stmt(
        'INSERT INTO rate_limit (key, tokens, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at',
      );
      buckets.forEach((b, i) => write.run(b.key, next[i]!.tokens, next[i]!.updatedAt));
      return granted;
    });
  }

  async getIdempotentResponse(scope: string, key: string, now: number): Promise<IdempotentResponse | undefined> {
    return this.getIdempotentResponseNow(scope, key, now);
  }

  protected getIdempotentResponseNow(scope: string, key: string, now: number): IdempotentResponse | undefined {
    const row = this
      .stmt('SELECT status_code, body FROM idempotency WHERE scope = ? AND key = ? AND expires_at > ?')
      .get(scope, key, now) as { status_code: number; body: string } | undefined;
    return row ? { statusCode: row.status_code, body: row.body } : undefined;
  }

  putIdempotentResponse(scope: string, key: string, response: IdempotentResponse, expiresAt: number): Promise<void> {
    return this.writes.run(() => this.insertIdempotency(scope, key, response, expiresAt));
  }

  protected insertIdempotency(scope: string, key: string, response: IdempotentResponse, expiresAt: number): void {
    this
      .stmt(
        `INSERT INTO idempotency (scope, key, status_code, body, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (scope, key) DO UPDATE SET status_code = excluded.status_code, body = excluded.body, expires_at = excluded.expires_at`,
      )
      .run(scope, key, response.statusCode, response.body, expiresAt);
  }
}
