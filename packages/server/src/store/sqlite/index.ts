import { storageOf } from '../legacy-adapter.ts';
import type { Storage } from '../storage.ts';
import type { Statement } from 'better-sqlite3';
import { DELIVERY_TALLY_SELECT, ENDPOINT_DELIVERIES_SELECT, splitEndpointDelivery, toDeliveryTallies } from '../common/shared-sql.ts';
import type { Store } from '../store.ts';
import {
  Status, type Attempt, type AttemptFilter, type AttemptOutcome, type ClaimedDelivery, type Delivery, type DeliveryTally, type EndpointStats,
  type IdempotentResponse, type Message, type MessageFilter, type NewMessage, type Page, type PageResult, type TriggerValue,
} from '../types.ts';
import { conflictOnUnique, type SqliteOptions } from './catalog.ts';
import { SqliteCircuits } from './circuits.ts';
import { jsonOrNull, toAttempt, toDelivery } from '../common/rows.ts';
import { paginate, toMessage } from './rows.ts';

export type { SqliteOptions };

type Row = Record<string, any>;

/** Conditions on a message aliased `m`, shared by message, delivery and attempt listings. */
function messageConditions(filter: MessageFilter, timeColumn: string): { sql: string; params: unknown[] } {
  let sql = '';
  const params: unknown[] = [];
  if (filter.channel !== undefined) {
    sql += ' AND EXISTS (SELECT 1 FROM json_each(m.channels) WHERE value = ?)';
    params.push(filter.channel);
  }
  if (filter.tag !== undefined) {
    sql += ' AND EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = ?)';
    params.push(filter.tag);
  }
  if (filter.eventTypes && filter.eventTypes.length > 0) {
    sql += ` AND m.event_type IN (${filter.eventTypes.map(() => '?').join(', ')})`;
    params.push(...filter.eventTypes);
  }
  if (filter.before !== undefined) {
    sql += ` AND ${timeColumn} < ?`;
    params.push(filter.before);
  }
  if (filter.after !== undefined) {
    sql += ` AND ${timeColumn} > ?`;
    params.push(filter.after);
  }
  return { sql, params };
}

/** The SQLite store: one file in WAL mode, written through a group-commit queue by the one process that owns it. */
export class SqliteStore extends SqliteCircuits implements Store {
  private readonly hot: {
    insertMessage: Statement;
    insertDelivery: Statement;
    claim: Statement;
    payloads: Statement;
    insertAttempt: Statement;
    updateDelivery: Statement;
    nextDue: Statement;
    claimParked: Statement;
  };

  constructor(options: SqliteOptions) {
    super(options);
    this.hot = {
      insertMessage: this.stmt(
        `INSERT INTO message (id, app_id, event_id, event_type, channels, tags, payload, created_at, deliver_at, payload_expires_at, request_id, traceparent, forward)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertDelivery: this.stmt(
        'INSERT INTO delivery (message_id, endpoint_id, status, attempts, next_attempt_at, waiting_turn, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)',
      ),
      claim: this.stmt(
        `UPDATE delivery SET status = ${Status.Sending}, next_attempt_at = ?, updated_at = ?, lease = lease + 1
         WHERE id IN (SELECT id FROM delivery WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?)
         RETURNING id, message_id, endpoint_id, attempts, trigger, lease`,
      ),
      payloads: this.stmt('SELECT id, app_id, event_type, payload, request_id, traceparent, forward FROM message WHERE id IN (SELECT value FROM json_each(?))'),
      insertAttempt: this.stmt(
        `INSERT INTO attempt (id, app_id, message_id, endpoint_id, url, status, response_status_code, response, duration_ms, trigger, created_at, request_headers)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateDelivery: this.stmt(
        // Only the lease the attempt was sent under takes its outcome: a resend or a later claim is never overwritten.
        `UPDATE delivery SET status = ?, attempts = ?, next_attempt_at = ?, last_status_code = ?, trigger = 0, updated_at = ?
         WHERE id = ? AND status = ${Status.Sending} AND lease = ?`,
      ),
      nextDue: this.stmt('SELECT MIN(next_attempt_at) AS due FROM delivery WHERE next_attempt_at IS NOT NULL'),
      claimParked: this.stmt(
        `UPDATE delivery SET status = ${Status.Sending}, next_attempt_at = ?, updated_at = ?, lease = lease + 1
         WHERE id IN (SELECT id FROM delivery WHERE endpoint_id = ? AND status = ${Status.Pending} AND next_attempt_at IS NULL AND waiting_turn = 0 ORDER BY id LIMIT ?)
         RETURNING id, message_id, endpoint_id, attempts, trigger, lease`,
      ),
    };
  }

  createMessage(input: NewMessage): Promise<{ deliveryIds: number[] } | { replay: IdempotentResponse }> {
    const { message: m, deliveries, dueAt, leaseUntil, idempotency } = input;
    return this.writes.run(() =>
      conflictOnUnique('A message with this eventId', () => {
        if (idempotency) {
          const stored = this.getIdempotentResponseNow(idempotency.scope, idempotency.key, m.createdAt);
          if (stored) return { replay: stored };
        }
        this.hot.insertMessage.run(m.id, m.appId, m.eventId, m.eventType, jsonOrNull(m.channels), jsonOrNull(m.tags), m.payload, m.createdAt, m.deliverAt, input.payloadExpiresAt ?? null,
          input.requestId ?? null, input.traceparent ?? null, jsonOrNull(input.forward));
        const ids: number[] = [];
        for (const { endpointId, admission } of deliveries) {
          const status = admission === 'leased' ? Status.Sending : Status.Pending;
          const next = admission === 'leased' ? leaseUntil : admission === 'due' ? dueAt : null;
          ids.push(Number(this.hot.insertDelivery.run(m.id, endpointId, status, next, admission === 'turn' ? 1 : 0, m.createdAt).lastInsertRowid));
        }
        if (idempotency) this.insertIdempotency(idempotency.scope, idempotency.key, idempotency.response, idempotency.expiresAt);
        return { deliveryIds: ids };
      }),
    );
  }

  expungeMessageContent(messageId: string): Promise<void> {
    return this.writes.run(() => {
      this.stmt('UPDATE message SET payload = NULL WHERE id = ?').run(messageId);
    });
  }

  expirePayloads(now: number, limit: number): Promise<number> {
    return this.writes.run(() => {
      const ids = this.stmt('SELECT id FROM message WHERE payload_expires_at <= ? AND payload IS NOT NULL LIMIT ?').pluck().all(now, limit) as string[];
      if (ids.length === 0) return 0;
      const list = JSON.stringify(ids);
      this.stmt('UPDATE message SET payload = NULL WHERE id IN (SELECT value FROM json_each(?))').run(list);
      this.stmt("UPDATE attempt SET response = '' WHERE message_id IN (SELECT value FROM json_each(?))").run(list);
      return ids.length;
    });
  }

  pruneMessages(cutoff: number, now: number, limit: number): Promise<number> {
    return this.writes.run(() => {
      this.stmt('DELETE FROM idempotency WHERE expires_at <= ?').run(now);
      const ids = this.stmt(
        `SELECT id FROM message m WHERE created_at < ?
           AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = m.id AND d.status IN (${Status.Pending}, ${Status.Sending}))
         ORDER BY created_at LIMIT ?`,
      ).pluck().all(cutoff, limit) as string[];
      if (ids.length === 0) return 0;
      const list = JSON.stringify(ids);
      this.stmt('DELETE FROM attempt WHERE message_id IN (SELECT value FROM json_each(?))').run(list);
      this.stmt('DELETE FROM message WHERE id IN (SELECT value FROM json_each(?))').run(list);
      return ids.length;
    });
  }

  async countMessagesBefore(cutoff: number): Promise<number> {
    return this.stmt('SELECT COUNT(*) FROM message WHERE created_at < ?').pluck().get(cutoff) as number;
  }

  async getMessage(appId: string, ref: string): Promise<Message | undefined> {
    const row = this
      .stmt('SELECT * FROM message WHERE app_id = ? AND id = ? UNION ALL SELECT * FROM message WHERE app_id = ? AND event_id = ? LIMIT 1')
      .get(appId, ref, appId, ref);
    return row ? toMessage(row as Row) : undefined;
  }

  async listMessages(appId: string, filter: MessageFilter, page: Page): Promise<PageResult<Message>> {
    const c = messageConditions(filter, 'm.created_at');
    return paginate(this.db, 'SELECT m.* FROM message m', `m.app_id = ?${c.sql}`, [appId, ...c.params], 'm.id', page, toMessage, (m) => m.id);
  }

  async tallyDeliveries(messageIds: readonly string[]): Promise<Map<string, DeliveryTally>> {
    const sql = `${DELIVERY_TALLY_SELECT} FROM delivery WHERE message_id IN (SELECT value FROM json_each(?)) GROUP BY message_id`;
    return toDeliveryTallies(this.stmt(sql).all(JSON.stringify(messageIds)) as Record<string, unknown>[]);
  }

  async listMessageDeliveries(messageId: string, page: Page): Promise<PageResult<Delivery>> {
    return paginate(this.db, 'SELECT * FROM delivery', 'message_id = ?', [messageId], 'endpoint_id', page, toDelivery, (d) => d.endpointId);
  }

  async listEndpointDeliveries(
    endpointId: string,
    filter: MessageFilter & { status?: number },
    page: Page,
  ): Promise<PageResult<{ message: Message; delivery: Delivery }>> {
    const c = messageConditions(filter, 'm.created_at');
    let where = `d.endpoint_id = ?${c.sql}`;
    const params = [endpointId, ...c.params];
    if (filter.status !== undefined) {
      where += ' AND d.status = ?';
      params.push(filter.status);
    }
    return paginate(
      this.db, ENDPOINT_DELIVERIES_SELECT, where, params, 'd.message_id', page,
      (r) => splitEndpointDelivery(r, endpointId, toMessage, toDelivery),
      (x) => x.message.id,
    );
  }

  claimDueDeliveries(now: number, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]> {
    return this.writes.run(() => this.withPayloads(this.hot.claim.all(leaseUntil, now, now, limit) as Row[], leaseUntil));
  }

  claimParkedDeliveries(endpointId: string, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]> {
    return this.writes.run(() => this.withPayloads(this.hot.claimParked.all(leaseUntil, Date.now(), endpointId, limit) as Row[], leaseUntil));
  }

  renewLeases(deliveries: { deliveryId: number; lease: number }[], leaseUntil: number): Promise<number[]> {
    return this.writes.run(() => {
      const renew = this.stmt(`UPDATE delivery SET next_attempt_at = ? WHERE id = ? AND status = ${Status.Sending} AND lease = ?`);
      return deliveries.filter((d) => renew.run(leaseUntil, d.deliveryId, d.lease).changes > 0).map((d) => d.deliveryId);
    });
  }

  parkDeliveries(deliveryIds: number[]): Promise<void> {
    return this.writes.run(() => {
      this.stmt(
        `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = NULL, updated_at = ?
         WHERE status = ${Status.Sending} AND id IN (SELECT value FROM json_each(?))`,
      ).run(Date.now(), JSON.stringify(deliveryIds));
    });
  }

  /** Adds what the sender needs (app, event type, payload, origin) to claimed delivery rows, one query for the whole batch. */
  private withPayloads(rows: Row[], leaseUntil: number): ClaimedDelivery[] {
    if (rows.length === 0) return [];
    const messageIds = [...new Set(rows.map((r) => r.message_id as string))];
    const messages = new Map<string, Row>();
    for (const m of this.hot.payloads.all(JSON.stringify(messageIds)) as Row[]) messages.set(m.id, m);
    return rows.map((r) => {
      const m = messages.get(r.message_id);
      const claimed: ClaimedDelivery = {
        deliveryId: r.id,
        messageId: r.message_id,
        endpointId: r.endpoint_id,
        appId: m?.app_id ?? '',
        eventType: m?.event_type ?? '',
        attempts: r.attempts,
        trigger: r.trigger,
        lease: r.lease,
        leaseUntil,
        payload: m?.payload ?? null,
      };
      if (m?.request_id) claimed.requestId = m.request_id;
      if (m?.traceparent) claimed.traceparent = m.traceparent;
      if (m?.forward) claimed.forward = JSON.parse(m.forward);
      return claimed;
    });
  }

  async countQueuedDeliveries(): Promise<number> {
    return this.stmt(`SELECT COUNT(*) FROM delivery WHERE status IN (${Status.Pending}, ${Status.Sending}) AND waiting_turn = 0`).pluck().get() as number;
  }

  async oldestDueAt(now: number): Promise<number | null> {
    return this.stmt(
      `SELECT MIN(next_attempt_at) FROM delivery WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? AND status = ${Status.Pending}`,
    ).pluck().get(now) as number | null;
  }

  async newestAttemptAt(): Promise<number | null> {
    const row = this.stmt('SELECT created_at FROM attempt ORDER BY id DESC LIMIT 1').get() as { created_at: number } | undefined;
    return row?.created_at ?? null;
  }

  async nextDueAt(): Promise<number | null> {
    return (this.hot.nextDue.get() as { due: number | null }).due;
  }

  /** SQLite has one sending process: whatever it had in flight or parked when it stopped is due again. */
  recoverAtStart(now: number): Promise<{ deliveries: number; endpoints: number }> {
    return this.writes.run(() => {
      // An endpoint whose circuit is open is probed first (delivery/circuit.ts): its deliveries stay parked, those
      // that were mid-send included, so the probe takes the oldest and nothing else goes before it answers.
      const open = 'endpoint_id IN (SELECT endpoint_id FROM endpoint_circuit)';
      this.stmt(
        `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = NULL, updated_at = ?
         WHERE next_attempt_at IS NOT NULL AND status = ${Status.Sending} AND ${open}`,
      ).run(now);
      // Two statements so each walks its own index: the due index for sending rows, the parked index for parked ones.
      const sending = this.stmt(
        `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = ?, updated_at = ?
         WHERE next_attempt_at IS NOT NULL AND status = ${Status.Sending} RETURNING endpoint_id`,
      ).pluck().all(now, now) as string[];
      const parked = this.stmt(
        `UPDATE delivery SET next_attempt_at = ?, updated_at = ?
         WHERE status = ${Status.Pending} AND next_attempt_at IS NULL AND waiting_turn = 0 AND NOT ${open} RETURNING endpoint_id`,
      ).pluck().all(now, now) as string[];
      // Its background tasks too: whoever held them was this same single process.
      this.stmt("UPDATE background_task SET lease_until = NULL WHERE status = 'running'").run();
      return { deliveries: sending.length + parked.length, endpoints: new Set([...sending, ...parked]).size };
    });
  }

  promoteNextInOrder(endpointId: string, now: number): Promise<boolean> {
    return this.writes.run(
      () =>
        this.stmt(
          `UPDATE delivery SET waiting_turn = 0, updated_at = @now,
             next_attempt_at = MAX(@now, COALESCE((SELECT deliver_at FROM message WHERE id = delivery.message_id), 0))
           WHERE id = (SELECT id FROM delivery WHERE endpoint_id = @endpoint AND waiting_turn = 1 ORDER BY id LIMIT 1) AND waiting_turn = 1
             AND NOT EXISTS (SELECT 1 FROM delivery WHERE endpoint_id = @endpoint AND status IN (${Status.Pending}, ${Status.Sending}) AND waiting_turn = 0)`,
        ).run({ now, endpoint: endpointId }).changes > 0,
    );
  }

  async endpointsWaitingTurn(): Promise<string[]> {
    return this.stmt('SELECT DISTINCT endpoint_id FROM delivery WHERE waiting_turn = 1').pluck().all() as string[];
  }

  unparkStale(parkedBefore: number, now: number): Promise<number> {
    return this.writes.run(
      () =>
        this.stmt(
          `UPDATE delivery SET next_attempt_at = ?, updated_at = ?
           WHERE status = ${Status.Pending} AND next_attempt_at IS NULL AND waiting_turn = 0 AND updated_at < ?`,
        ).run(now, now, parkedBefore).changes,
    );
  }

  async subscribe(): Promise<void> {
    // The only process using this database: no one else to hear from.
  }

  async broadcast(): Promise<void> {}

  releaseDeliveries(deliveryIds: number[], dueAt: number): Promise<void> {
    return this.writes.run(() => {
      this
        .stmt(
          `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = ?, updated_at = ?
           WHERE status = ${Status.Sending} AND id IN (SELECT value FROM json_each(?))`,
        )
        .run(dueAt, Date.now(), JSON.stringify(deliveryIds));
    });
  }

  recordOutcomes(outcomes: AttemptOutcome[]): Promise<void> {
    return this.writes.run(() => {
      for (const o of outcomes) {
        const a = o.attempt;
        this.hot.insertAttempt.run(
          a.id, a.appId, a.messageId, a.endpointId, a.url, a.status, a.responseStatusCode, a.response, a.durationMs, a.trigger, a.createdAt,
          a.request && JSON.stringify(a.request),
        );
        this.hot.updateDelivery.run(o.status, o.attempts, o.nextAttemptAt, a.responseStatusCode || null, a.createdAt, o.deliveryId, o.lease);
      }
    });
  }

  scheduleResend(messageId: string, endpointId: string, now: number, trigger: TriggerValue): Promise<void> {
    return this.writes.run(() => {
      this
        .stmt(
          `INSERT INTO delivery (message_id, endpoint_id, status, attempts, next_attempt_at, trigger, updated_at)
           VALUES (?, ?, ${Status.Pending}, 0, ?, ?, ?)
           ON CONFLICT (message_id, endpoint_id) DO UPDATE SET status = ${Status.Pending}, attempts = 0, next_attempt_at = excluded.next_attempt_at,
             trigger = excluded.trigger, updated_at = excluded.updated_at`,
        )
        .run(messageId, endpointId, now, trigger, now);
    });
  }

  expediteEndpointDeliveries(endpointId: string, now: number): Promise<number> {
    return this.writes.run(
      () =>
        this.stmt(
          `UPDATE delivery SET next_attempt_at = ?, updated_at = ?
           WHERE endpoint_id = ? AND status = ${Status.Pending} AND next_attempt_at > ?`,
        ).run(now, now, endpointId, now).changes,
    );
  }

  async endpointStats(endpointId: string, since: number | null, until: number | null): Promise<EndpointStats> {
    const rows = this
      .stmt(
        `SELECT d.status AS status, COUNT(*) AS n FROM delivery d JOIN message m ON m.id = d.message_id
         WHERE d.endpoint_id = ? AND m.created_at >= ? AND m.created_at < ? GROUP BY d.status`,
      )
      .all(endpointId, since ?? 0, until ?? Number.MAX_SAFE_INTEGER) as { status: number; n: number }[];
    const count = (s: number) => rows.find((r) => r.status === s)?.n ?? 0;
    return { success: count(Status.Success), pending: count(Status.Pending), sending: count(Status.Sending), fail: count(Status.Fail), canceled: 0 };
  }

  async getAttempt(messageId: string, attemptId: string): Promise<Attempt | undefined> {
    const row = this.stmt('SELECT * FROM attempt WHERE id = ? AND message_id = ?').get(attemptId, messageId);
    return row ? toAttempt(row as Row) : undefined;
  }

  async listAttempts(filter: AttemptFilter & { messageId?: string; endpointId?: string }, page: Page): Promise<PageResult<Attempt>> {
    let where = '1=1';
    const params: unknown[] = [];
    if (filter.messageId !== undefined) {
      where += ' AND a.message_id = ?';
      params.push(filter.messageId);
    }
    if (filter.endpointId !== undefined) {
      where += ' AND a.endpoint_id = ?';
      params.push(filter.endpointId);
    }
    if (filter.status !== undefined) {
      where += ' AND a.status = ?';
      params.push(filter.status);
    }
    if (filter.statusCodeClass !== undefined) {
      const low = filter.statusCodeClass;
      where += low === 0 ? ' AND a.response_status_code = 0' : ' AND a.response_status_code BETWEEN ? AND ?';
      if (low !== 0) params.push(low, low + 99);
    }
    const c = messageConditions(filter, 'a.created_at');
    const needsMessage = filter.channel !== undefined || filter.tag !== undefined || (filter.eventTypes?.length ?? 0) > 0;
    const select = needsMessage ? 'SELECT a.* FROM attempt a JOIN message m ON m.id = a.message_id' : 'SELECT a.* FROM attempt a';
    return paginate(this.db, select, where + c.sql, [...params, ...c.params], 'a.id', page, toAttempt, (a) => a.id);
  }
}

/** Opens (creating if needed) the SQLite database at `options.file`. */
export function openSqliteStorage(options: SqliteOptions): Storage {
  return storageOf(new SqliteStore(options));
}
