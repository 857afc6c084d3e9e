import { storageOf } from '../legacy-adapter.ts';
import type { Storage } from '../storage.ts';
import pg from 'pg';
import { DELIVERY_TALLY_SELECT, ENDPOINT_DELIVERIES_SELECT, splitEndpointDelivery, toDeliveryTallies } from '../common/shared-sql.ts';
import type { Store } from '../store.ts';
import {
  Status, type Attempt, type AttemptFilter, type AttemptOutcome, type ClaimedDelivery, type Delivery, type DeliveryTally, type EndpointStats,
  type IdempotentResponse, type Message, type MessageFilter, type NewMessage, type Page, type PageResult, type StoreEvent,
  type TriggerValue,
} from '../types.ts';
import { UNENCRYPTED, type SecretBox, type SecretCodec } from '../../security/secret-box.ts';
import { conflictOnUnique, prepareSecrets } from './catalog.ts';
import { PostgresCircuits } from './circuits.ts';
import { channelOf, checkSchema, poolConfig } from './connection.ts';
import { EventListener } from './events.ts';
import { migrate } from './migrate.ts';
import { Binds, jsonOrNull, paginate, toAttempt, toDelivery, toMessage } from './rows.ts';
import { CLAIM_DUE, CLAIM_PARKED, CREATE_MESSAGE, NEXT_DUE, RECORD_OUTCOMES, RENEW_LEASES, REPLAY } from './queue-sql.ts';

export { migratePostgres } from './migrate.ts';

export interface PostgresOptions {
  url: string;
  /** Where Herald's tables live (created if missing); default 'herald'. */
  schema?: string;
  /** Connections in this process's pool; default 10. */
  poolSize?: number;
  /** Encrypts endpoint secrets and custom header values; without it they are stored as given (tests only). */
  secrets?: SecretBox;
}

type Row = Record<string, any>;

const NOTICE_WINDOW_MS = 2;

/** Conditions on a message aliased `m`, shared by message, delivery and attempt listings. */
function messageConditions(filter: MessageFilter, timeColumn: string, binds: Binds): string {
  let sql = '';
  if (filter.channel !== undefined) sql += ` AND m.channels @> jsonb_build_array(${binds.add(filter.channel)}::text)`;
  if (filter.tag !== undefined) sql += ` AND m.tags @> jsonb_build_array(${binds.add(filter.tag)}::text)`;
  if (filter.eventTypes && filter.eventTypes.length > 0) sql += ` AND m.event_type = ANY(${binds.add(filter.eventTypes)}::text[])`;
  if (filter.before !== undefined) sql += ` AND ${timeColumn} < ${binds.add(filter.before)}`;
  if (filter.after !== undefined) sql += ` AND ${timeColumn} > ${binds.add(filter.after)}`;
  return sql;
}

function toClaimed(r: Row, leaseUntil: number): ClaimedDelivery {
  const claimed: ClaimedDelivery = {
    deliveryId: r.id,
    messageId: r.message_id,
    endpointId: r.endpoint_id,
    appId: r.app_id,
    eventType: r.event_type,
    attempts: r.attempts,
    trigger: r.trigger,
    payload: r.payload,
    lease: r.lease,
    leaseUntil,
  };
  if (r.request_id) claimed.requestId = r.request_id;
  if (r.traceparent) claimed.traceparent = r.traceparent;
  if (r.forward) claimed.forward = r.forward;
  return claimed;
}

/** The delivery id made for each endpoint, in the order the endpoints were given. */
function inOrderOf(endpointIds: string[], rows: Row[]): number[] {
  const ids = new Map<string, number>(rows.map((r) => [r.endpoint_id, r.id]));
  return endpointIds.map((endpointId) => {
    const id = ids.get(endpointId);
    if (id === undefined) throw new Error(`no delivery was stored for endpoint ${endpointId}`);
    return id;
  });
}

/**
 * The PostgreSQL store, shared by any number of Herald processes. The delivery table is the queue: claims lock
 * with SKIP LOCKED and hand out leases, outcomes land only under their lease, and processes wake each other with
 * NOTIFY on a channel of the schema.
 */
export class PostgresStore extends PostgresCircuits implements Store {
  private readonly events: EventListener;
  private pendingNotice: { at: number; timer: NodeJS.Timeout } | null = null;

  private constructor(
    pool: pg.Pool,
    url: string,
    private readonly channel: string,
    secrets: SecretCodec,
    readonly migrationsApplied: readonly number[],
  ) {
    super(pool, secrets);
    this.events = new EventListener({ connectionString: url }, channel);
  }

  /** Connects, creates the schema if missing and applies pending migrations. */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const schema = checkSchema(options.schema ?? 'herald');
    const secrets = options.secrets ?? UNENCRYPTED;
    const pool = new pg.Pool(poolConfig(options.url, schema, options.poolSize ?? 10));
    // An idle connection that drops is discarded by the pool; the next query opens a new one.
    pool.on('error', () => undefined);
    let migrationsApplied: number[];
    try {
      const client = await pool.connect();
      try {
        migrationsApplied = await migrate(client, schema);
        await prepareSecrets(client, secrets);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool, options.url, channelOf(schema), secrets, migrationsApplied);
  }

  /**
   * Tells the workers that deliveries are due: after the commit, at most one notice per NOTICE_WINDOW_MS. A NOTIFY
   * inside the publishing statement holds PostgreSQL's notify lock through the commit, so concurrent publishes could
   * no longer share a disk flush (measured: publishing ran at half the rate). A process that dies between its commit
   * and the notice leaves the work to the workers' periodic sweep.
   */
  private announceDue(at: number): void {
    if (this.pendingNotice) {
      this.pendingNotice.at = Math.min(this.pendingNotice.at, at);
      return;
    }
    const timer = setTimeout(() => void this.sendNotice(), NOTICE_WINDOW_MS);
    this.pendingNotice = { at, timer };
  }

  private async sendNotice(): Promise<void> {
    const notice = this.pendingNotice;
    if (!notice) return;
    this.pendingNotice = null;
    clearTimeout(notice.timer);
    // A lost notice costs latency, not work: the sweep finds the deliveries.
    await this.broadcast({ type: 'deliveries-due', at: notice.at }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.sendNotice();
    await this.events.close();
    await this.pool.end();
  }

  async createMessage(input: NewMessage): Promise<{ deliveryIds: number[] } | { replay: IdempotentResponse }> {
    const { message: m, deliveries, dueAt, leaseUntil, idempotency } = input;
    const endpointIds = deliveries.map((d) => d.endpointId);
    const statuses = deliveries.map((d) => (d.admission === 'leased' ? Status.Sending : Status.Pending));
    const next = deliveries.map((d) => (d.admission === 'leased' ? leaseUntil : d.admission === 'due' ? dueAt : null));
    const { rows } = await conflictOnUnique('A message with this eventId', () =>
      this.pool.query({
        name: 'herald_create_message',
        text: CREATE_MESSAGE,
        values: [
          m.id, m.appId, m.eventId, m.eventType, jsonOrNull(m.channels), jsonOrNull(m.tags), m.payload, m.createdAt, m.deliverAt,
          endpointIds, statuses, next,
          idempotency?.scope ?? null, idempotency?.key ?? null, idempotency?.response.statusCode ?? null, idempotency?.response.body ?? null,
          idempotency?.expiresAt ?? null,
          input.payloadExpiresAt ?? null,
          deliveries.map((d) => d.admission === 'turn'),
          input.requestId ?? null, input.traceparent ?? null, jsonOrNull(input.forward),
        ],
      }),
    );
    if (rows.length > 0 || !idempotency) {
      if (deliveries.some((d) => d.admission === 'due')) this.announceDue(dueAt);
      return { deliveryIds: inOrderOf(endpointIds, rows.filter((r) => r.id !== null)) };
    }
    // Nothing was written: an unexpired response is stored under this idempotency key (maybe committed just now by a
    // concurrent request, which this statement waited for). This read sees it, being a new statement.
    const stored = await this.pool.query({ name: 'herald_replay', text: REPLAY, values: [idempotency.scope, idempotency.key] });
    const row = stored.rows[0];
    if (!row) throw new Error('an idempotency record blocked the message but could not be read back');
    return { replay: { statusCode: row.status_code, body: row.body } };
  }

  async expungeMessageContent(messageId: string): Promise<void> {
    await this.pool.query('UPDATE message SET payload = NULL WHERE id = $1', [messageId]);
  }

  async expirePayloads(now: number, limit: number): Promise<number> {
    const { rows } = await this.pool.query(
      `WITH expired AS (
         UPDATE message SET payload = NULL
         WHERE id IN (SELECT id FROM message WHERE payload_expires_at <= $1 AND payload IS NOT NULL LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id
       ), bodies AS (
         UPDATE attempt SET response = '' WHERE message_id IN (SELECT id FROM expired)
       )
       SELECT count(*)::int AS n FROM expired`,
      [now, limit],
    );
    return rows[0].n as number;
  }

  async pruneMessages(cutoff: number, now: number, limit: number): Promise<number> {
    await this.pool.query('DELETE FROM idempotency WHERE expires_at <= $1', [now]);
    const { rows } = await this.pool.query(
      `WITH doomed AS (
         SELECT id FROM message m WHERE created_at < $1
           AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = m.id AND d.status IN (${Status.Pending}, ${Status.Sending}))
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), attempts AS (
         DELETE FROM attempt WHERE message_id IN (SELECT id FROM doomed)
       ), gone AS (
         DELETE FROM message WHERE id IN (SELECT id FROM doomed) RETURNING id
       )
       SELECT count(*)::int AS n FROM gone`,
      [cutoff, limit],
    );
    return rows[0].n as number;
  }

  async countMessagesBefore(cutoff: number): Promise<number> {
    const { rows } = await this.pool.query('SELECT count(*)::int AS n FROM message WHERE created_at < $1', [cutoff]);
    return rows[0].n as number;
  }

  async getMessage(appId: string, ref: string): Promise<Message | undefined> {
    // An id match wins over an eventId match.
    const { rows } = await this.pool.query(
      'SELECT * FROM message WHERE app_id = $1 AND (id = $2 OR event_id = $2) ORDER BY id = $2 DESC LIMIT 1',
      [appId, ref],
    );
    return rows[0] && toMessage(rows[0]);
  }

  listMessages(appId: string, filter: MessageFilter, page: Page): Promise<PageResult<Message>> {
    const binds = new Binds();
    const where = `m.app_id = ${binds.add(appId)}${messageConditions(filter, 'm.created_at', binds)}`;
    return paginate(this.pool, 'SELECT m.* FROM message m', where, binds, 'm.id', page, toMessage, (m) => m.id);
  }

  async tallyDeliveries(messageIds: readonly string[]): Promise<Map<string, DeliveryTally>> {
    const sql = `${DELIVERY_TALLY_SELECT} FROM delivery WHERE message_id = ANY($1::text[]) GROUP BY message_id`;
    // Named: planned once per connection, as the message list asks it on every page.
    return toDeliveryTallies((await this.pool.query({ name: 'herald_tally_deliveries', text: sql, values: [messageIds] })).rows);
  }

  listMessageDeliveries(messageId: string, page: Page): Promise<PageResult<Delivery>> {
    const binds = new Binds();
    return paginate(this.pool, 'SELECT * FROM delivery', `message_id = ${binds.add(messageId)}`, binds, 'endpoint_id', page, toDelivery, (d) => d.endpointId);
  }

  listEndpointDeliveries(
    endpointId: string,
    filter: MessageFilter & { status?: number },
    page: Page,
  ): Promise<PageResult<{ message: Message; delivery: Delivery }>> {
    const binds = new Binds();
    let where = `d.endpoint_id = ${binds.add(endpointId)}${messageConditions(filter, 'm.created_at', binds)}`;
    if (filter.status !== undefined) where += ` AND d.status = ${binds.add(filter.status)}`;
    return paginate(
      this.pool, ENDPOINT_DELIVERIES_SELECT, where, binds, 'd.message_id', page,
      (r) => splitEndpointDelivery(r, endpointId, toMessage, toDelivery),
      (x) => x.message.id,
    );
  }

  async claimDueDeliveries(now: number, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]> {
    const { rows } = await this.pool.query({ name: 'herald_claim_due', text: CLAIM_DUE, values: [leaseUntil, now, limit] });
    return rows.map((r) => toClaimed(r, leaseUntil));
  }

  async claimParkedDeliveries(endpointId: string, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]> {
    const { rows } = await this.pool.query({
      name: 'herald_claim_parked',
      text: CLAIM_PARKED,
      values: [leaseUntil, Date.now(), endpointId, limit],
    });
    return rows.map((r) => toClaimed(r, leaseUntil));
  }

  async renewLeases(deliveries: { deliveryId: number; lease: number }[], leaseUntil: number): Promise<number[]> {
    if (deliveries.length === 0) return [];
    const { rows } = await this.pool.query({
      name: 'herald_renew_leases',
      text: RENEW_LEASES,
      values: [leaseUntil, deliveries.map((d) => d.deliveryId), deliveries.map((d) => d.lease)],
    });
    const renewed = new Set(rows.map((r) => r.id as number));
    return deliveries.filter((d) => renewed.has(d.deliveryId)).map((d) => d.deliveryId);
  }

  async parkDeliveries(deliveryIds: number[]): Promise<void> {
    await this.pool.query(
      `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = NULL, updated_at = $2
       WHERE status = ${Status.Sending} AND id = ANY($1::bigint[])`,
      [deliveryIds, Date.now()],
    );
  }

  async releaseDeliveries(deliveryIds: number[], dueAt: number): Promise<void> {
    await this.pool.query(
      `UPDATE delivery SET status = ${Status.Pending}, next_attempt_at = $2, updated_at = $3
       WHERE status = ${Status.Sending} AND id = ANY($1::bigint[])`,
      [deliveryIds, dueAt, Date.now()],
    );
  }

  async countQueuedDeliveries(): Promise<number> {
    const { rows } = await this.pool.query(`SELECT count(*)::int AS n FROM delivery WHERE status IN (${Status.Pending}, ${Status.Sending}) AND NOT waiting_turn`);
    return rows[0].n;
  }

  async oldestDueAt(now: number): Promise<number | null> {
    const { rows } = await this.pool.query(
      `SELECT min(next_attempt_at) AS oldest FROM delivery WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $1 AND status = ${Status.Pending}`,
      [now],
    );
    return rows[0].oldest === null ? null : Number(rows[0].oldest);
  }

  async newestAttemptAt(): Promise<number | null> {
    const { rows } = await this.pool.query('SELECT created_at FROM attempt ORDER BY id DESC LIMIT 1');
    return rows[0] ? Number(rows[0].created_at) : null;
  }

  async nextDueAt(): Promise<number | null> {
    const { rows } = await this.pool.query({ name: 'herald_next_due', text: NEXT_DUE });
    return rows[0]?.due ?? null;
  }

  /** Nothing to recover: other processes may hold leases right now, and an abandoned lease runs out by itself. */
  async recoverAtStart(): Promise<{ deliveries: number; endpoints: number }> {
    return { deliveries: 0, endpoints: 0 };
  }

  async promoteNextInOrder(endpointId: string, now: number): Promise<boolean> {
    // The outer waiting_turn check is re-read on the row's newest version: a concurrent promoter that made the same
    // row due first makes this one change nothing.
    const result = await this.pool.query(
      `UPDATE delivery SET waiting_turn = false, updated_at = $1,
         next_attempt_at = GREATEST($1, COALESCE((SELECT deliver_at FROM message WHERE id = delivery.message_id), 0))
       WHERE id = (SELECT id FROM delivery WHERE endpoint_id = $2 AND waiting_turn ORDER BY id LIMIT 1) AND waiting_turn
         AND NOT EXISTS (SELECT 1 FROM delivery WHERE endpoint_id = $2 AND status IN (${Status.Pending}, ${Status.Sending}) AND NOT waiting_turn)`,
      [now, endpointId],
    );
    if ((result.rowCount ?? 0) === 0) return false;
    this.announceDue(now);
    return true;
  }

  async endpointsWaitingTurn(): Promise<string[]> {
    const { rows } = await this.pool.query('SELECT DISTINCT endpoint_id FROM delivery WHERE waiting_turn');
    return rows.map((r) => r.endpoint_id as string);
  }

  async unparkStale(parkedBefore: number, now: number): Promise<number> {
    const result = await this.pool.query(
      `UPDATE delivery SET next_attempt_at = $1, updated_at = $1
       WHERE status = ${Status.Pending} AND next_attempt_at IS NULL AND NOT waiting_turn AND updated_at < $2`,
      [now, parkedBefore],
    );
    return result.rowCount ?? 0;
  }

  subscribe(listener: (event: StoreEvent) => void): Promise<void> {
    return this.events.add(listener);
  }

  async broadcast(event: StoreEvent): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify(event)]);
  }

  async recordOutcomes(outcomes: AttemptOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const attempts = outcomes.map((o) => o.attempt);
    const attemptColumns = [
      attempts.map((a) => a.id), attempts.map((a) => a.appId), attempts.map((a) => a.messageId), attempts.map((a) => a.endpointId),
      attempts.map((a) => a.url), attempts.map((a) => a.status), attempts.map((a) => a.responseStatusCode),
      // PostgreSQL text cannot hold NUL, which a binary response body may contain.
      attempts.map((a) => a.response.replaceAll('\0', '\uFFFD')),
      attempts.map((a) => a.durationMs), attempts.map((a) => a.trigger), attempts.map((a) => a.createdAt),
    ];
    const deliveryColumns = [
      outcomes.map((o) => o.deliveryId), outcomes.map((o) => o.lease), outcomes.map((o) => o.status), outcomes.map((o) => o.attempts),
      outcomes.map((o) => o.nextAttemptAt), attempts.map((a) => a.responseStatusCode || null),
    ];
    const requests = attempts.map((a) => a.request && JSON.stringify(a.request));
    await this.pool.query({ name: 'herald_record_outcomes', text: RECORD_OUTCOMES, values: [...attemptColumns, ...deliveryColumns, requests] });
  }

  async scheduleResend(messageId: string, endpointId: string, now: number, trigger: TriggerValue): Promise<void> {
    await this.pool.query(
      `WITH resent AS (
         INSERT INTO delivery (message_id, endpoint_id, status, attempts, next_attempt_at, trigger, updated_at)
         VALUES ($1, $2, ${Status.Pending}, 0, $3, $4, $3)
         ON CONFLICT (message_id, endpoint_id) DO UPDATE SET status = ${Status.Pending}, attempts = 0,
           next_attempt_at = excluded.next_attempt_at, trigger = excluded.trigger, updated_at = excluded.updated_at
         RETURNING id
       )
       SELECT 1 FROM resent`,
      [messageId, endpointId, now, trigger],
    );
    this.announceDue(now);
  }

  async expediteEndpointDeliveries(endpointId: string, now: number): Promise<number> {
    const result = await this.pool.query(
      `UPDATE delivery SET next_attempt_at = $1, updated_at = $1
       WHERE endpoint_id = $2 AND status = ${Status.Pending} AND next_attempt_at > $1`,
      [now, endpointId],
    );
    const expedited = result.rowCount ?? 0;
    if (expedited > 0) this.announceDue(now);
    return expedited;
  }

  async endpointStats(endpointId: string, since: number | null, until: number | null): Promise<EndpointStats> {
    const { rows } = await this.pool.query(
      `SELECT d.status, count(*) AS n FROM delivery d JOIN message m ON m.id = d.message_id
       WHERE d.endpoint_id = $1 AND m.created_at >= $2 AND m.created_at < $3 GROUP BY d.status`,
      [endpointId, since ?? 0, until ?? Number.MAX_SAFE_INTEGER],
    );
    const count = (s: number): number => rows.find((r) => r.status === s)?.n ?? 0;
    return { success: count(Status.Success), pending: count(Status.Pending), sending: count(Status.Sending), fail: count(Status.Fail), canceled: 0 };
  }

  async getAttempt(messageId: string, attemptId: string): Promise<Attempt | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM attempt WHERE id = $1 AND message_id = $2', [attemptId, messageId]);
    return rows[0] && toAttempt(rows[0]);
  }

  listAttempts(filter: AttemptFilter & { messageId?: string; endpointId?: string }, page: Page): Promise<PageResult<Attempt>> {
    const binds = new Binds();
    let where = 'true';
    if (filter.messageId !== undefined) where += ` AND a.message_id = ${binds.add(filter.messageId)}`;
    if (filter.endpointId !== undefined) where += ` AND a.endpoint_id = ${binds.add(filter.endpointId)}`;
    if (filter.status !== undefined) where += ` AND a.status = ${binds.add(filter.status)}`;
    if (filter.statusCodeClass !== undefined) {
      const low = filter.statusCodeClass;
      // Class 0: no HTTP response at all.
      where += low === 0 ? ' AND a.response_status_code = 0' : ` AND a.response_status_code BETWEEN ${binds.add(low)} AND ${binds.add(low + 99)}`;
    }
    where += messageConditions(filter, 'a.created_at', binds);
    const needsMessage = filter.channel !== undefined || filter.tag !== undefined || (filter.eventTypes?.length ?? 0) > 0;
    const select = needsMessage ? 'SELECT a.* FROM attempt a JOIN message m ON m.id = a.message_id' : 'SELECT a.* FROM attempt a';
    return paginate(this.pool, select, where, binds, 'a.id', page, toAttempt, (a) => a.id);
  }
}

/** Connects to PostgreSQL and brings its schema up to date. */
export async function openPostgresStorage(options: PostgresOptions): Promise<Storage> {
  return storageOf(await PostgresStore.open(options));
}
