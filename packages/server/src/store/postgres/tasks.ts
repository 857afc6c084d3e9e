import type pg from 'pg';
import { toTask as taskRow } from '../common/shared-sql.ts';
import type { TaskStore } from '../slices/tasks.ts';
import type { BackgroundTask } from '../types.ts';
import type { Row } from './context.ts';
import { Binds, paginate, toMessage } from './rows.ts';

const toTask = (r: Row): BackgroundTask => taskRow(r, r.params);

/** Background tasks (recover and replays) and the reads they walk. */
export function postgresTasks(pool: pg.Pool): TaskStore {
  return {
    async createTask(t) {
      await pool.query(
        `INSERT INTO background_task (id, kind, status, app_id, endpoint_id, params, cursor, total, processed, scheduled, lease_until, error, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [t.id, t.kind, t.status, t.appId, t.endpointId, JSON.stringify(t.params), t.cursor, t.total, t.processed, t.scheduled, t.leaseUntil, t.error, t.createdAt, t.updatedAt],
      );
    },

    async getTask(id) {
      const { rows } = await pool.query('SELECT * FROM background_task WHERE id = $1', [id]);
      return rows[0] && toTask(rows[0]);
    },

    listTasks(page) {
      return paginate(pool, 'SELECT * FROM background_task', 'true', new Binds(), 'id', page, toTask, (t) => t.id);
    },

    async claimTask(now, leaseUntil) {
      const { rows } = await pool.query(
        `UPDATE background_task SET lease_until = $1 WHERE id = (
           SELECT id FROM background_task WHERE status = 'running' AND (lease_until IS NULL OR lease_until < $2)
           ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [leaseUntil, now],
      );
      return rows[0] && toTask(rows[0]);
    },

    async saveTask(t) {
      await pool.query(
        `UPDATE background_task SET status = $1, cursor = $2, processed = $3, scheduled = $4, lease_until = $5, error = $6, updated_at = $7 WHERE id = $8`,
        [t.status, t.cursor, t.processed, t.scheduled, t.leaseUntil, t.error, t.updatedAt, t.id],
      );
    },

    async messagesForReplay(appId, endpointId, since, until, cursor, limit) {
      const { rows } = await pool.query(
        `SELECT m.*, d.status AS d_status FROM message m LEFT JOIN delivery d ON d.message_id = m.id AND d.endpoint_id = $1
         WHERE m.app_id = $2 AND m.created_at >= $3 AND ($4::bigint IS NULL OR m.created_at < $4) AND m.id > $5 ORDER BY m.id LIMIT $6`,
        [endpointId, appId, since, until, cursor ?? '', limit],
      );
      return rows.map((r) => ({ message: toMessage(r), deliveryStatus: r.d_status ?? null }));
    },

    async countMessagesForReplay(appId, since, until) {
      const { rows } = await pool.query(
        'SELECT count(*)::int AS n FROM message WHERE app_id = $1 AND created_at >= $2 AND ($3::bigint IS NULL OR created_at < $3)',
        [appId, since, until],
      );
      return rows[0].n as number;
    },
  };
}
