import { endpointKeyContext } from '../../security/secret-box.ts';
import { chatColumns, destinationColumns } from '../common/endpoint-extras.ts';
import { jsonOrNull } from '../common/json.ts';
import type { CatalogStore } from '../slices/catalog.ts';
import type { App, Endpoint } from '../types.ts';
import type { SqliteConnection } from './connection.ts';
import { sealHeaders, toApp, toEndpoint, toEventType } from './rows.ts';
import { checkKeyUnchanged } from './secrets.ts';
import { conflictOnUnique, paginate } from './sql.ts';

type Row = Record<string, any>;

/** Inside a write: an application's row (also how a source's application is made, in the source's transaction). */
export function insertApp(c: SqliteConnection, app: App): void {
  c.stmt('INSERT INTO app (id, uid, name, metadata, throttle_rate, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(app.id, app.uid, app.name, JSON.stringify(app.metadata), app.throttleRate, app.createdAt, app.updatedAt);
}

/** Inside a write: an application with everything of it (also how a source goes, with its application). */
export function deleteAppRows(c: SqliteConnection, id: string): void {
  // Attempts are an append-only log without foreign keys; they go with their app explicitly.
  c.stmt('DELETE FROM attempt WHERE app_id = ?').run(id);
  c.stmt('DELETE FROM app WHERE id = ?').run(id);
}

/** Applications, event types, endpoints and their signing keys. */
export function sqliteCatalog(c: SqliteConnection): CatalogStore {
  const { writes } = c;
  const mapEndpoint = (row: Row): Endpoint => toEndpoint(row, c.secrets);
  return {
    createApp(app) {
      return writes.run(() => conflictOnUnique('An application with this uid', () => insertApp(c, app)));
    },

    async getApp(ref) {
      const row = c.stmt('SELECT * FROM app WHERE id = ? UNION ALL SELECT * FROM app WHERE uid = ? LIMIT 1').get(ref, ref);
      return row ? toApp(row as Row) : undefined;
    },

    async listApps(page) {
      return paginate(c.db, 'SELECT * FROM app', '1=1', [], 'id', page, toApp, (a) => a.id);
    },

    updateApp(app) {
      return writes.run(() =>
        conflictOnUnique('An application with this uid', () => {
          c.stmt('UPDATE app SET uid = ?, name = ?, metadata = ?, throttle_rate = ?, updated_at = ? WHERE id = ?')
            .run(app.uid, app.name, JSON.stringify(app.metadata), app.throttleRate, app.updatedAt, app.id);
        }),
      );
    },

    deleteApp(id) {
      return writes.run(() => deleteAppRows(c, id));
    },

    createEventType(e) {
      return writes.run(() =>
        conflictOnUnique('An event type with this name', () => {
          c.stmt(
            `INSERT INTO event_type (name, description, schemas, archived, deprecated, feature_flags, group_name, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(e.name, e.description, jsonOrNull(e.schemas), +e.archived, +e.deprecated, jsonOrNull(e.featureFlags), e.groupName, e.createdAt, e.updatedAt);
        }),
      );
    },

    async getEventType(name) {
      const row = c.stmt('SELECT * FROM event_type WHERE name = ?').get(name);
      return row ? toEventType(row as Row) : undefined;
    },

    async listEventTypes(page, includeArchived) {
      return paginate(c.db, 'SELECT * FROM event_type', includeArchived ? '1=1' : 'archived = 0', [], 'name', page, toEventType, (e) => e.name);
    },

    updateEventType(e) {
      return writes.run(() => {
        c.stmt(
          `UPDATE event_type SET description = ?, schemas = ?, archived = ?, deprecated = ?, feature_flags = ?, group_name = ?, updated_at = ?
           WHERE name = ?`,
        ).run(e.description, jsonOrNull(e.schemas), +e.archived, +e.deprecated, jsonOrNull(e.featureFlags), e.groupName, e.updatedAt, e.name);
      });
    },

    deleteEventType(name, expunge) {
      return writes.run(() => {
        if (expunge) c.stmt('DELETE FROM event_type WHERE name = ?').run(name);
        else c.stmt('UPDATE event_type SET archived = 1, updated_at = ? WHERE name = ?').run(Date.now(), name);
      });
    },

    createEndpoint(ep, key) {
      return writes.run(() =>
        conflictOnUnique('An endpoint with this uid', () => {
          checkKeyUnchanged(c);
          c.stmt(
            `INSERT INTO endpoint (id, app_id, uid, url, description, event_types, channels, disabled, throttle_rate, concurrency, ordered, filter, metadata,
               headers, created_at, updated_at, retry_schedule, request_timeout, destination_type, destination, chat_kind, chat)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            ep.id, ep.appId, ep.uid, ep.url, ep.description, jsonOrNull(ep.eventTypes), jsonOrNull(ep.channels), +ep.disabled,
            ep.throttleRate, ep.concurrency, +ep.ordered, jsonOrNull(ep.filter), JSON.stringify(ep.metadata), sealHeaders(ep.id, ep.headers, c.secrets), ep.createdAt, ep.updatedAt,
            jsonOrNull(ep.retrySchedule), ep.requestTimeout, ...destinationColumns(ep, c.secrets), ...chatColumns(ep, c.secrets),
          );
          c.stmt('INSERT INTO endpoint_key (endpoint_id, key, created_at, expires_at) VALUES (?, ?, ?, ?)')
            .run(ep.id, c.secrets.seal(key.key, endpointKeyContext(ep.id)), key.createdAt, key.expiresAt);
        }),
      );
    },

    async getEndpoint(appId, ref) {
      const row = c.stmt('SELECT * FROM endpoint WHERE app_id = ? AND id = ? UNION ALL SELECT * FROM endpoint WHERE app_id = ? AND uid = ? LIMIT 1')
        .get(appId, ref, appId, ref);
      return row ? mapEndpoint(row as Row) : undefined;
    },

    async getEndpointById(id) {
      const row = c.stmt('SELECT * FROM endpoint WHERE id = ?').get(id);
      return row ? mapEndpoint(row as Row) : undefined;
    },

    async listEndpoints(appId, page) {
      return paginate(c.db, 'SELECT * FROM endpoint', 'app_id = ? AND destination_type IS NULL', [appId], 'id', page, mapEndpoint, (e) => e.id);
    },

    async listDestinations(appId, page) {
      return paginate(c.db, 'SELECT * FROM endpoint', 'app_id = ? AND destination_type IS NOT NULL', [appId], 'id', page, mapEndpoint, (e) => e.id);
    },

    async listAllEndpoints(appId) {
      return (c.stmt('SELECT * FROM endpoint WHERE app_id = ? ORDER BY id').all(appId) as Row[]).map(mapEndpoint);
    },

    updateEndpoint(ep) {
      return writes.run(() =>
        conflictOnUnique('An endpoint with this uid', () => {
          checkKeyUnchanged(c);
          c.stmt(
            `UPDATE endpoint SET uid = ?, url = ?, description = ?, event_types = ?, channels = ?, disabled = ?, throttle_rate = ?,
             concurrency = ?, ordered = ?, filter = ?, metadata = ?, headers = ?, updated_at = ?, retry_schedule = ?, request_timeout = ?,
             destination_type = ?, destination = ?, chat_kind = ?, chat = ? WHERE id = ?`,
          ).run(
            ep.uid, ep.url, ep.description, jsonOrNull(ep.eventTypes), jsonOrNull(ep.channels), +ep.disabled, ep.throttleRate,
            ep.concurrency, +ep.ordered, jsonOrNull(ep.filter), JSON.stringify(ep.metadata), sealHeaders(ep.id, ep.headers, c.secrets), ep.updatedAt,
            jsonOrNull(ep.retrySchedule), ep.requestTimeout, ...destinationColumns(ep, c.secrets), ...chatColumns(ep, c.secrets), ep.id,
          );
        }),
      );
    },

    deleteEndpoint(id) {
      return writes.run(() => {
        c.stmt('DELETE FROM attempt WHERE endpoint_id = ?').run(id);
        c.stmt('DELETE FROM endpoint WHERE id = ?').run(id);
      });
    },

    disableEndpoint(id, now) {
      return writes.run(() => c.stmt('UPDATE endpoint SET disabled = 1, updated_at = ? WHERE id = ? AND disabled = 0').run(now, id).changes > 0);
    },

    noteEndpointExhausted(id, now) {
      return writes.run(() => {
        const row = c.stmt('UPDATE endpoint SET failing_since = COALESCE(failing_since, ?) WHERE id = ? RETURNING failing_since').get(now, id) as
          | { failing_since: number }
          | undefined;
        return row?.failing_since;
      });
    },

    noteEndpointsSucceeded(ids) {
      return writes.run(() => {
        c.stmt('UPDATE endpoint SET failing_since = NULL WHERE failing_since IS NOT NULL AND id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
      });
    },

    async getEndpointKeys(endpointId, now) {
      const rows = c.stmt(
        `SELECT key, created_at, expires_at FROM endpoint_key WHERE endpoint_id = ? AND (expires_at IS NULL OR expires_at > ?)
         ORDER BY expires_at IS NOT NULL, created_at DESC`,
      ).all(endpointId, now) as { key: string; created_at: number; expires_at: number | null }[];
      const context = endpointKeyContext(endpointId);
      return rows.map((r) => ({ key: c.secrets.open(r.key, context), createdAt: r.created_at, expiresAt: r.expires_at }));
    },

    rotateEndpointKey(endpointId, key, oldExpiresAt) {
      return writes.run(() => {
        checkKeyUnchanged(c);
        c.stmt('UPDATE endpoint_key SET expires_at = ? WHERE endpoint_id = ? AND expires_at IS NULL').run(oldExpiresAt, endpointId);
        c.stmt('DELETE FROM endpoint_key WHERE endpoint_id = ? AND expires_at <= ?').run(endpointId, key.createdAt);
        c.stmt('INSERT INTO endpoint_key (endpoint_id, key, created_at, expires_at) VALUES (?, ?, ?, NULL)')
          .run(endpointId, c.secrets.seal(key.key, endpointKeyContext(endpointId)), key.createdAt);
      });
    },
  };
}
