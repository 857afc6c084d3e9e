import { endpointKeyContext } from '../../security/secret-box.ts';
import { chatColumns, destinationColumns } from '../common/endpoint-extras.ts';
import { jsonOrNull } from '../common/json.ts';
import { conflictOnUnique } from '../common/unique.ts';
import type { CatalogStore } from '../slices/catalog.ts';
import type { Endpoint, EndpointKey } from '../types.ts';
import { deleteApp, insertApp } from './app-sql.ts';
import { isUniqueViolation, type PgContext } from './context.ts';
import { Binds, paginate, sealHeaders, toApp, toEndpoint, toEventType } from './rows.ts';
import { sealing } from './secrets.ts';

const endpointValues = (ep: Endpoint, ctx: PgContext): unknown[] => [
  ep.id, ep.uid, ep.url, ep.description, jsonOrNull(ep.eventTypes), jsonOrNull(ep.channels), ep.disabled, ep.throttleRate,
  JSON.stringify(ep.metadata), sealHeaders(ep.id, ep.headers, ctx.secrets), ep.ordered, jsonOrNull(ep.filter), ep.concurrency,
];

/**
 * Applications, event types, endpoints and their signing keys. Every method is one statement (so one implicit
 * transaction) except those that seal secrets.
 */
export function postgresCatalog(ctx: PgContext): CatalogStore {
  const { pool } = ctx;
  return {
    createApp(app) {
      return conflictOnUnique(isUniqueViolation, 'An application with this uid', () => insertApp(pool, app));
    },

    async getApp(ref) {
      // An id match wins over a uid match.
      const { rows } = await pool.query('SELECT * FROM app WHERE id = $1 OR uid = $1 ORDER BY id = $1 DESC LIMIT 1', [ref]);
      return rows[0] && toApp(rows[0]);
    },

    listApps(page) {
      return paginate(pool, 'SELECT * FROM app', 'true', new Binds(), 'id', page, toApp, (a) => a.id);
    },

    updateApp(app) {
      return conflictOnUnique(isUniqueViolation, 'An application with this uid', async () => {
        await pool.query(
          'UPDATE app SET uid = $2, name = $3, metadata = $4::jsonb, throttle_rate = $5, updated_at = $6 WHERE id = $1',
          [app.id, app.uid, app.name, JSON.stringify(app.metadata), app.throttleRate, app.updatedAt],
        );
      });
    },

    deleteApp(id) {
      return deleteApp(pool, id);
    },

    createEventType(e) {
      return conflictOnUnique(isUniqueViolation, 'An event type with this name', async () => {
        await pool.query(
          `INSERT INTO event_type (name, description, schemas, archived, deprecated, feature_flags, group_name, created_at, updated_at)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6::jsonb, $7, $8, $9)`,
          [e.name, e.description, jsonOrNull(e.schemas), e.archived, e.deprecated, jsonOrNull(e.featureFlags), e.groupName, e.createdAt, e.updatedAt],
        );
      });
    },

    async getEventType(name) {
      const { rows } = await pool.query('SELECT * FROM event_type WHERE name = $1', [name]);
      return rows[0] && toEventType(rows[0]);
    },

    listEventTypes(page, includeArchived) {
      return paginate(pool, 'SELECT * FROM event_type', includeArchived ? 'true' : 'NOT archived', new Binds(), 'name', page, toEventType, (e) => e.name);
    },

    async updateEventType(e) {
      await pool.query(
        `UPDATE event_type SET description = $2, schemas = $3::jsonb, archived = $4, deprecated = $5, feature_flags = $6::jsonb,
           group_name = $7, updated_at = $8
         WHERE name = $1`,
        [e.name, e.description, jsonOrNull(e.schemas), e.archived, e.deprecated, jsonOrNull(e.featureFlags), e.groupName, e.updatedAt],
      );
    },

    async deleteEventType(name, expunge) {
      if (expunge) await pool.query('DELETE FROM event_type WHERE name = $1', [name]);
      else await pool.query('UPDATE event_type SET archived = true, updated_at = $2 WHERE name = $1', [name, Date.now()]);
    },

    createEndpoint(ep: Endpoint, key: EndpointKey) {
      return conflictOnUnique(isUniqueViolation, 'An endpoint with this uid', () => sealing(ctx, async (client) => {
        await client.query(
          `WITH ep AS (
             INSERT INTO endpoint (id, uid, url, description, event_types, channels, disabled, throttle_rate, metadata, headers, ordered, filter,
               concurrency, app_id, created_at, updated_at, retry_schedule, request_timeout, destination_type, destination, chat_kind, chat)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9::jsonb, $10::jsonb, $11, $12::jsonb, $13, $14, $15, $16, $20::jsonb, $21, $22, $23, $24, $25)
             RETURNING id
           )
           INSERT INTO endpoint_key (endpoint_id, key, created_at, expires_at) SELECT id, $17, $18, $19 FROM ep`,
          [
            ...endpointValues(ep, ctx), ep.appId, ep.createdAt, ep.updatedAt,
            ctx.secrets.seal(key.key, endpointKeyContext(ep.id)), key.createdAt, key.expiresAt, jsonOrNull(ep.retrySchedule), ep.requestTimeout,
            ...destinationColumns(ep, ctx.secrets), ...chatColumns(ep, ctx.secrets),
          ],
        );
      }));
    },

    async getEndpoint(appId, ref) {
      // An id match wins over a uid match.
      const { rows } = await pool.query(
        'SELECT * FROM endpoint WHERE app_id = $1 AND (id = $2 OR uid = $2) ORDER BY id = $2 DESC LIMIT 1',
        [appId, ref],
      );
      return rows[0] && toEndpoint(rows[0], ctx.secrets);
    },

    async getEndpointById(id) {
      const { rows } = await pool.query('SELECT * FROM endpoint WHERE id = $1', [id]);
      return rows[0] && toEndpoint(rows[0], ctx.secrets);
    },

    listEndpoints(appId, page) {
      const binds = new Binds();
      const where = `app_id = ${binds.add(appId)} AND destination_type IS NULL`;
      return paginate(pool, 'SELECT * FROM endpoint', where, binds, 'id', page, (r) => toEndpoint(r, ctx.secrets), (e) => e.id);
    },

    listDestinations(appId, page) {
      const binds = new Binds();
      const where = `app_id = ${binds.add(appId)} AND destination_type IS NOT NULL`;
      return paginate(pool, 'SELECT * FROM endpoint', where, binds, 'id', page, (r) => toEndpoint(r, ctx.secrets), (e) => e.id);
    },

    async listAllEndpoints(appId) {
      const { rows } = await pool.query('SELECT * FROM endpoint WHERE app_id = $1 ORDER BY id', [appId]);
      return rows.map((r) => toEndpoint(r, ctx.secrets));
    },

    updateEndpoint(ep) {
      return conflictOnUnique(isUniqueViolation, 'An endpoint with this uid', () => sealing(ctx, async (client) => {
        await client.query(
          `UPDATE endpoint SET uid = $2, url = $3, description = $4, event_types = $5::jsonb, channels = $6::jsonb, disabled = $7,
             throttle_rate = $8, metadata = $9::jsonb, headers = $10::jsonb, ordered = $11, filter = $12::jsonb, concurrency = $13,
             updated_at = $14, retry_schedule = $15::jsonb, request_timeout = $16, destination_type = $17, destination = $18,
             chat_kind = $19, chat = $20
           WHERE id = $1`,
          [...endpointValues(ep, ctx), ep.updatedAt, jsonOrNull(ep.retrySchedule), ep.requestTimeout, ...destinationColumns(ep, ctx.secrets), ...chatColumns(ep, ctx.secrets)],
        );
      }));
    },

    async deleteEndpoint(id) {
      await pool.query('WITH attempts AS (DELETE FROM attempt WHERE endpoint_id = $1) DELETE FROM endpoint WHERE id = $1', [id]);
    },

    async disableEndpoint(id, now) {
      const result = await pool.query('UPDATE endpoint SET disabled = true, updated_at = $1 WHERE id = $2 AND NOT disabled', [now, id]);
      return (result.rowCount ?? 0) > 0;
    },

    async noteEndpointExhausted(id, now) {
      const { rows } = await pool.query('UPDATE endpoint SET failing_since = COALESCE(failing_since, $1) WHERE id = $2 RETURNING failing_since', [now, id]);
      return rows[0]?.failing_since;
    },

    async noteEndpointsSucceeded(ids) {
      await pool.query('UPDATE endpoint SET failing_since = NULL WHERE failing_since IS NOT NULL AND id = ANY($1::text[])', [ids]);
    },

    async getEndpointKeys(endpointId, now) {
      const { rows } = await pool.query(
        `SELECT key, created_at, expires_at FROM endpoint_key WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > $2)
         ORDER BY expires_at IS NOT NULL, created_at DESC`,
        [endpointId, now],
      );
      const context = endpointKeyContext(endpointId);
      return rows.map((r) => ({ key: ctx.secrets.open(r.key, context), createdAt: r.created_at, expiresAt: r.expires_at }));
    },

    rotateEndpointKey(endpointId, key, oldExpiresAt) {
      // Three statements, in order: the expiry just given to the old key decides whether the cleanup removes it.
      return sealing(ctx, async (client) => {
        await client.query('UPDATE endpoint_key SET expires_at = $2 WHERE endpoint_id = $1 AND expires_at IS NULL', [endpointId, oldExpiresAt]);
        await client.query('DELETE FROM endpoint_key WHERE endpoint_id = $1 AND expires_at <= $2', [endpointId, key.createdAt]);
        await client.query('INSERT INTO endpoint_key (endpoint_id, key, created_at, expires_at) VALUES ($1, $2, $3, NULL)', [
          endpointId, ctx.secrets.seal(key.key, endpointKeyContext(endpointId)), key.createdAt,
        ]);
      });
    },
  };
}
