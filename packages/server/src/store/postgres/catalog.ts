import type pg from 'pg';
import type { StorageFull } from '../storage-full.ts';
import { HeraldError } from '../../lib/errors.ts';
import { assertKeyUnchanged, endpointKeyContext, sourceVerificationContext, KEY_CHECK_SETTING, type SecretBox, type SecretCodec } from '../../security/secret-box.ts';
import { take, type BucketSpec, type BucketState } from '../token-bucket.ts';
import type { App, Endpoint, EndpointKey, EventType, IdempotentResponse, Page, PageResult } from '../types.ts';
import { Binds, headersOf, jsonOrNull, paginate, sealHeaders, toApp, toEndpoint, toEventType } from './rows.ts';

const UNIQUE_VIOLATION = '23505';

/** Turns PostgreSQL's uniqueness failures into the API's 409. */
export async function conflictOnUnique<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw HeraldError.conflict(`${what} already exists`);
    throw err;
  }
}

const UPSERT_SETTING = 'INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

/**
 * Seals every secret value again with `to` (or, with onlyClear, just those still in clear), reading them with `from`,
 * inside the caller's transaction. endpoint_key has no key column: its rows are matched on the old value.
 */
async function reseal(client: pg.ClientBase, from: SecretCodec, to: SecretCodec, onlyClear: boolean): Promise<number> {
  const keys = (await client.query(`SELECT endpoint_id, key FROM endpoint_key${onlyClear ? " WHERE key NOT LIKE 'enc:%'" : ''}`)).rows;
  const sealedKeys = keys.map((k) => {
    const context = endpointKeyContext(k.endpoint_id);
    return to.seal(from.open(k.key, context), context);
  });
  await client.query(
    `UPDATE endpoint_key k SET key = n.sealed FROM unnest($1::text[], $2::text[], $3::text[]) AS n(endpoint_id, old, sealed)
     WHERE k.endpoint_id = n.endpoint_id AND k.key = n.old`,
    [keys.map((k) => k.endpoint_id), keys.map((k) => k.key), sealedKeys],
  );
  const endpoints = (await client.query(`SELECT id, headers FROM endpoint${onlyClear ? " WHERE jsonb_typeof(headers) <> 'string'" : ''}`)).rows;
  await client.query('UPDATE endpoint e SET headers = n.sealed FROM unnest($1::text[], $2::jsonb[]) AS n(id, sealed) WHERE e.id = n.id', [
    endpoints.map((e) => e.id), endpoints.map((e) => sealHeaders(e.id, headersOf(e, from), to)),
  ]);
  const sources = (await client.query(`SELECT id, verification FROM source${onlyClear ? " WHERE verification NOT LIKE 'enc:%'" : ''}`)).rows;
  await client.query('UPDATE source s SET verification = n.sealed FROM unnest($1::text[], $2::text[]) AS n(id, sealed) WHERE s.id = n.id', [
    sources.map((src) => src.id),
    sources.map((src) => to.seal(from.open(src.verification, sourceVerificationContext(src.id)), sourceVerificationContext(src.id))),
  ]);
  return keys.length + endpoints.length + sources.length;
}

/**
 * At open: the key must be the one the database's secrets are encrypted with (the first keyed open records its check
 * value), and any value still in clear (stored before encryption, or by an older version) is sealed now. Processes
 * opening the schema at once take turns on an advisory lock, so its first key is recorded once.
 */
export async function prepareSecrets(client: pg.ClientBase, secrets: SecretCodec): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('herald-secrets'), hashtext(current_schema()))");
    const { rows } = await client.query('SELECT value FROM setting WHERE key = $1 FOR UPDATE', [KEY_CHECK_SETTING]);
    const stored: string | undefined = rows[0]?.value;
    secrets.adopt(stored);
    if (secrets.check !== undefined) {
      if (stored === undefined) await client.query(UPSERT_SETTING, [KEY_CHECK_SETTING, secrets.check]);
      await reseal(client, secrets, secrets, true);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Applications, event types, endpoints, settings and idempotency records: the slow-changing part of the store.
 * Every method is one statement (so one implicit transaction) except those that seal secrets and key rotation.
 */
export class PostgresCatalog {
  readonly dialect = 'postgres' as const;

  constructor(
    protected readonly pool: pg.Pool,
    protected secrets: SecretCodec,
  ) {}

  /**
   * A transaction that seals values. It holds the key check row shared, so a rotation (which updates that row) waits
   * for it or it for the rotation; after a rotation it finds a key that is not this process's and writes nothing,
   * since a value sealed with the old key would be unreadable to every process restarted with the new one.
   */
  protected sealing<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(async (client) => {
      const { rows } = await client.query('SELECT value FROM setting WHERE key = $1 FOR SHARE', [KEY_CHECK_SETTING]);
      assertKeyUnchanged(rows[0]?.value, this.secrets);
      return work(client);
    });
  }

  /** Re-encrypts every secret under `next` and records it as the database's key, in one transaction; the store goes on with `next`. */
  async rotateEncryptionKey(next: SecretBox): Promise<number> {
    const resealed = await this.transaction(async (client) => {
      const { rows } = await client.query('SELECT value FROM setting WHERE key = $1 FOR UPDATE', [KEY_CHECK_SETTING]);
      assertKeyUnchanged(rows[0]?.value, this.secrets);
      const count = await reseal(client, this.secrets, next, false);
      await client.query(UPSERT_SETTING, [KEY_CHECK_SETTING, next.check]);
      return count;
    });
    this.secrets = next;
    return resealed;
  }

  /** Not tracked: PostgreSQL's disk_full is still answered 507 by the API, but health and metrics do not see it. */
  storageFull(): StorageFull | null {
    return null;
  }

  async getSetting(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query('SELECT value FROM setting WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.pool.query(UPSERT_SETTING, [key, value]);
  }

  createApp(app: App): Promise<void> {
    return conflictOnUnique('An application with this uid', () => this.insertApp(this.pool, app));
  }

  /** On the pool, or on a transaction's client (a source's application is made in the source's transaction). */
  protected async insertApp(db: pg.Pool | pg.ClientBase, app: App): Promise<void> {
    await db.query(
      'INSERT INTO app (id, uid, name, metadata, throttle_rate, created_at, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)',
      [app.id, app.uid, app.name, JSON.stringify(app.metadata), app.throttleRate, app.createdAt, app.updatedAt],
    );
  }

  async getApp(ref: string): Promise<App | undefined> {
    // An id match wins over a uid match.
    const { rows } = await this.pool.query('SELECT * FROM app WHERE id = $1 OR uid = $1 ORDER BY id = $1 DESC LIMIT 1', [ref]);
    return rows[0] && toApp(rows[0]);
  }

  listApps(page: Page): Promise<PageResult<App>> {
    return paginate(this.pool, 'SELECT * FROM app', 'true', new Binds(), 'id', page, toApp, (a) => a.id);
  }

  updateApp(app: App): Promise<void> {
    return conflictOnUnique('An application with this uid', async () => {
      await this.pool.query(
        'UPDATE app SET uid = $2, name = $3, metadata = $4::jsonb, throttle_rate = $5, updated_at = $6 WHERE id = $1',
        [app.id, app.uid, app.name, JSON.stringify(app.metadata), app.throttleRate, app.updatedAt],
      );
    });
  }

  async deleteApp(id: string): Promise<void> {
    // Attempts are an append-only log without foreign keys; they go with their app explicitly.
    await this.pool.query('WITH attempts AS (DELETE FROM attempt WHERE app_id = $1) DELETE FROM app WHERE id = $1', [id]);
  }

  createEventType(e: EventType): Promise<void> {
    return conflictOnUnique('An event type with this name', async () => {
      await this.pool.query(
        `INSERT INTO event_type (name, description, schemas, archived, deprecated, feature_flags, group_name, created_at, updated_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6::jsonb, $7, $8, $9)`,
        [e.name, e.description, jsonOrNull(e.schemas), e.archived, e.deprecated, jsonOrNull(e.featureFlags), e.groupName, e.createdAt, e.updatedAt],
      );
    });
  }

  async getEventType(name: string): Promise<EventType | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM event_type WHERE name = $1', [name]);
    return rows[0] && toEventType(rows[0]);
  }

  listEventTypes(page: Page, includeArchived: boolean): Promise<PageResult<EventType>> {
    return paginate(this.pool, 'SELECT * FROM event_type', includeArchived ? 'true' : 'NOT archived', new Binds(), 'name', page, toEventType, (e) => e.name);
  }

  async updateEventType(e: EventType): Promise<void> {
    await this.pool.query(
      `UPDATE event_type SET description = $2, schemas = $3::jsonb, archived = $4, deprecated = $5, feature_flags = $6::jsonb,
         group_name = $7, updated_at = $8
       WHERE name = $1`,
      [e.name, e.description, jsonOrNull(e.schemas), e.archived, e.deprecated, jsonOrNull(e.featureFlags), e.groupName, e.updatedAt],
    );
  }

  async deleteEventType(name: string, expunge: boolean): Promise<void> {
    if (expunge) await this.pool.query('DELETE FROM event_type WHERE name = $1', [name]);
    else await this.pool.query('UPDATE event_type SET archived = true, updated_at = $2 WHERE name = $1', [name, Date.now()]);
  }

  createEndpoint(ep: Endpoint, key: EndpointKey): Promise<void> {
    return conflictOnUnique('An endpoint with this uid', () => this.sealing(async (client) => {
      await client.query(
        `WITH ep AS (
           INSERT INTO endpoint (id, app_id, uid, url, description, event_types, channels, disabled, throttle_rate, metadata, headers, created_at, updated_at, ordered, filter)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10::jsonb, $11::jsonb, $12, $13, $17, $18::jsonb)
           RETURNING id
         )
         INSERT INTO endpoint_key (endpoint_id, key, created_at, expires_at) SELECT id, $14, $15, $16 FROM ep`,
        [
          ep.id, ep.appId, ep.uid, ep.url, ep.description, jsonOrNull(ep.eventTypes), jsonOrNull(ep.channels), ep.disabled,
          ep.throttleRate, JSON.stringify(ep.metadata), sealHeaders(ep.id, ep.headers, this.secrets), ep.createdAt, ep.updatedAt,
          this.secrets.seal(key.key, endpointKeyContext(ep.id)), key.createdAt, key.expiresAt, ep.ordered, jsonOrNull(ep.filter),
        ],
      );
    }));
  }

  async getEndpoint(appId: string, ref: string): Promise<Endpoint | undefined> {
    // An id match wins over a uid match.
    const { rows } = await this.pool.query(
      'SELECT * FROM endpoint WHERE app_id = $1 AND (id = $2 OR uid = $2) ORDER BY id = $2 DESC LIMIT 1',
      [appId, ref],
    );
    return rows[0] && toEndpoint(rows[0], this.secrets);
  }

  async getEndpointById(id: string): Promise<Endpoint | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM endpoint WHERE id = $1', [id]);
    return rows[0] && toEndpoint(rows[0], this.secrets);
  }

  listEndpoints(appId: string, page: Page): Promise<PageResult<Endpoint>> {
    const binds = new Binds();
    return paginate(this.pool, 'SELECT * FROM endpoint', `app_id = ${binds.add(appId)}`, binds, 'id', page, (r) => toEndpoint(r, this.secrets), (e) => e.id);
  }

  async listAllEndpoints(appId: string): Promise<Endpoint[]> {
    const { rows } = await this.pool.query('SELECT * FROM endpoint WHERE app_id = $1 ORDER BY id', [appId]);
    return rows.map((r) => toEndpoint(r, this.secrets));
  }

  updateEndpoint(ep: Endpoint): Promise<void> {
    return conflictOnUnique('An endpoint with this uid', () => this.sealing(async (client) => {
      await client.query(
        `UPDATE endpoint SET uid = $2, url = $3, description = $4, event_types = $5::jsonb, channels = $6::jsonb, disabled = $7,
           throttle_rate = $8, metadata = $9::jsonb, headers = $10::jsonb, updated_at = $11, ordered = $12, filter = $13::jsonb
         WHERE id = $1`,
        [
          ep.id, ep.uid, ep.url, ep.description, jsonOrNull(ep.eventTypes), jsonOrNull(ep.channels), ep.disabled, ep.throttleRate,
          JSON.stringify(ep.metadata), sealHeaders(ep.id, ep.headers, this.secrets), ep.updatedAt, ep.ordered, jsonOrNull(ep.filter),
        ],
      );
    }));
  }

  async disableEndpoint(id: string, now: number): Promise<boolean> {
    const result = await this.pool.query('UPDATE endpoint SET disabled = true, updated_at = $1 WHERE id = $2 AND NOT disabled', [now, id]);
    return (result.rowCount ?? 0) > 0;
  }

  async noteEndpointExhausted(id: string, now: number): Promise<number | undefined> {
    const { rows } = await this.pool.query('UPDATE endpoint SET failing_since = COALESCE(failing_since, $1) WHERE id = $2 RETURNING failing_since', [now, id]);
    return rows[0]?.failing_since;
  }

  async noteEndpointsSucceeded(ids: string[]): Promise<void> {
    await this.pool.query('UPDATE endpoint SET failing_since = NULL WHERE failing_since IS NOT NULL AND id = ANY($1::text[])', [ids]);
  }

  async deleteEndpoint(id: string): Promise<void> {
    await this.pool.query('WITH attempts AS (DELETE FROM attempt WHERE endpoint_id = $1) DELETE FROM endpoint WHERE id = $1', [id]);
  }

  async getEndpointKeys(endpointId: string, now: number): Promise<EndpointKey[]> {
    const { rows } = await this.pool.query(
      `SELECT key, created_at, expires_at FROM endpoint_key WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > $2)
       ORDER BY expires_at IS NOT NULL, created_at DESC`,
      [endpointId, now],
    );
    const context = endpointKeyContext(endpointId);
    return rows.map((r) => ({ key: this.secrets.open(r.key, context), createdAt: r.created_at, expiresAt: r.expires_at }));
  }

  rotateEndpointKey(endpointId: string, key: EndpointKey, oldExpiresAt: number): Promise<void> {
    // Three statements, in order: the expiry just given to the old key decides whether the cleanup removes it.
    return this.sealing(async (client) => {
      await client.query('UPDATE endpoint_key SET expires_at = $2 WHERE endpoint_id = $1 AND expires_at IS NULL', [endpointId, oldExpiresAt]);
      await client.query('DELETE FROM endpoint_key WHERE endpoint_id = $1 AND expires_at <= $2', [endpointId, key.createdAt]);
      await client.query('INSERT INTO endpoint_key (endpoint_id, key, created_at, expires_at) VALUES ($1, $2, $3, NULL)', [
        endpointId, this.secrets.seal(key.key, endpointKeyContext(endpointId)), key.createdAt,
      ]);
    });
  }

  takeTokens(specs: BucketSpec[], wanted: number, now: number): Promise<number> {
    // Always in key order, so two workers creating or locking the same buckets cannot deadlock.
    const buckets = [...specs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const keys = buckets.map((b) => b.key);
    return this.transaction(async (client) => {
      // Buckets exist (full) before they are locked, so two workers' first takes cannot both find none and both grant.
      await client.query(
        `INSERT INTO rate_limit (key, tokens, updated_at) SELECT k, r, $3 FROM unnest($1::text[], $2::float8[]) AS b(k, r)
         ON CONFLICT (key) DO NOTHING`,
        [keys, buckets.map((b) => b.ratePerSecond), now],
      );
      const { rows } = await client.query(
        'SELECT key, tokens, updated_at FROM rate_limit WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE',
        [keys],
      );
      const states = new Map<string, BucketState>(rows.map((r) => [r.key as string, { tokens: r.tokens as number, updatedAt: r.updated_at as number }]));
      const { granted, next } = take(buckets, states, wanted, now);
      await client.query(
        `INSERT INTO rate_limit (key, tokens, updated_at) SELECT * FROM unnest($1::text[], $2::float8[], $3::bigint[])
         ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
        [keys, next.map((n) => n.tokens), next.map((n) => n.updatedAt)],
      );
      return granted;
    });
  }

  async getIdempotentResponse(scope: string, key: string, now: number): Promise<IdempotentResponse | undefined> {
    const { rows } = await this.pool.query('SELECT status_code, body FROM idempotency WHERE scope = $1 AND key = $2 AND expires_at > $3', [
      scope, key, now,
    ]);
    return rows[0] && { statusCode: rows[0].status_code, body: rows[0].body };
  }

  async putIdempotentResponse(scope: string, key: string, response: IdempotentResponse, expiresAt: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO idempotency (scope, key, status_code, body, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, key) DO UPDATE SET status_code = excluded.status_code, body = excluded.body, expires_at = excluded.expires_at`,
      [scope, key, response.statusCode, response.body, expiresAt],
    );
  }

  protected async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      // A connection whose ROLLBACK fails is broken: it leaves the pool instead of going back.
      const broken = await client.query('ROLLBACK').then(() => undefined, (rollbackErr: Error) => rollbackErr);
      client.release(broken);
      throw err;
    }
  }
}
