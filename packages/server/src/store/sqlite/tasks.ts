import { toTask as taskRow } from '../common/shared-sql.ts';
import type { TaskStore } from '../slices/tasks.ts';
import type { BackgroundTask } from '../types.ts';
import type { SqliteConnection } from './connection.ts';
import { toMessage } from './rows.ts';
import { paginate } from './sql.ts';

type Row = Record<string, any>;

const toTask = (r: Row): BackgroundTask => taskRow(r, JSON.parse(r.params));

/**
 * Inside a write, at start (see the queue's recoverAtStart): every running task is free to claim again, since whoever
 * held it was this same single process.
 */
export function releaseTaskLeases(c: SqliteConnection): void {
  c.stmt("UPDATE background_task SET lease_until = NULL WHERE status = 'running'").run();
}

/** Background tasks (recoveries and replays) and the reads they walk. */
export function sqliteTasks(c: SqliteConnection): TaskStore {
  return {
    createTask(t) {
      return c.writes.run(() => {
        c.stmt(
          `INSERT INTO background_task (id, kind, status, app_id, endpoint_id, params, cursor, total, processed, scheduled, lease_until, error, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(t.id, t.kind, t.status, t.appId, t.endpointId, JSON.stringify(t.params), t.cursor, t.total, t.processed, t.scheduled, t.leaseUntil, t.error, t.createdAt, t.updatedAt);
      });
    },

    async getTask(id) {
      const row = c.stmt('SELECT * FROM background_task WHERE id = ?').get(id);
      return row ? toTask(row as Row) : undefined;
    },

    async listTasks(page) {
      return paginate(c.db, 'SELECT * FROM background_task', '1=1', [], 'id', page, toTask, (t) => t.id);
    },

    claimTask(now, leaseUntil) {
      return c.writes.run(() => {
        const row = c.stmt(
          `UPDATE background_task SET lease_until = ? WHERE id = (
             SELECT id FROM background_task WHERE status = 'running' AND (lease_until IS NULL OR lease_until < ?) ORDER BY id LIMIT 1)
           RETURNING *`,
        ).get(leaseUntil, now);
        return row ? toTask(row as Row) : undefined;
      });
    },

    saveTask(t) {
      return c.writes.run(() => {
        c.stmt(
          `UPDATE background_task SET status = ?, cursor = ?, processed = ?, scheduled = ?, lease_until = ?, error = ?, updated_at = ? WHERE id = ?`,
        ).run(t.status, t.cursor, t.processed, t.scheduled, t.leaseUntil, t.error, t.updatedAt, t.id);
      });
    },

    async messagesForReplay(appId, endpointId, since, until, cursor, limit) {
      const rows = c.stmt(
        `SELECT m.*, d.status AS d_status FROM message m LEFT JOIN delivery d ON d.message_id = m.id AND d.endpoint_id = ?
         WHERE m.app_id = ? AND m.created_at >= ? AND m.created_at < ? AND m.id > ? ORDER BY m.id LIMIT ?`,
      ).all(endpointId, appId, since, until ?? Number.MAX_SAFE_INTEGER, cursor ?? '', limit) as Row[];
      return rows.map((r) => ({ message: toMessage(r), deliveryStatus: r.d_status ?? null }));
    },

    async countMessagesForReplay(appId, since, until) {
      return c.stmt('SELECT COUNT(*) FROM message WHERE app_id = ? AND created_at >= ? AND created_at < ?')
        .pluck().get(appId, since, until ?? Number.MAX_SAFE_INTEGER) as number;
    },
  };
}
