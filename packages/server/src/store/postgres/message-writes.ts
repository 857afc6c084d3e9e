import pg from 'pg';
import { jsonOrNull } from '../common/json.ts';
import { conflictOnUnique } from '../common/unique.ts';
import { Status, type IdempotentResponse, type NewMessage } from '../types.ts';
import type { DueNotices } from './bus.ts';
import { isUniqueViolation, type Row } from './context.ts';
import { CREATE_MESSAGE, CREATE_MESSAGES, REPLAY } from './queue-sql.ts';

export type Created = { deliveryIds: number[] } | { replay: IdempotentResponse };

/** A batch stays one statement of moderate size: a fan-out to many endpoints goes with fewer companions. */
const MAX_BATCH_MESSAGES = 256;
const MAX_BATCH_DELIVERIES = 8192;

interface Pending {
  input: NewMessage;
  resolve: (created: Created) => void;
  reject: (err: unknown) => void;
}

/** Per delivery: its status and due time as the admission says. */
function deliveryColumns({ deliveries, dueAt, leaseUntil }: NewMessage) {
  return {
    endpointIds: deliveries.map((d) => d.endpointId),
    statuses: deliveries.map((d) => (d.admission === 'leased' ? Status.Sending : Status.Pending)),
    next: deliveries.map((d) => (d.admission === 'leased' ? leaseUntil : d.admission === 'due' ? dueAt : null)),
    waiting: deliveries.map((d) => d.admission === 'turn'),
    orderKeys: deliveries.map((d) => d.orderKey ?? null),
  };
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
 * Publishing on PostgreSQL. Each message is one statement (message, deliveries and idempotency record), and the
 * messages published during one turn of the event loop share a statement, so one commit carries them all (group
 * commit, as the SQLite write queue does). Each caller's promise settles after that commit. When the shared
 * statement fails in the database (nothing of it was written), each message is written again on its own, so one
 * message's conflict fails only its own publish.
 */
export function messageWriter(pool: pg.Pool, notices: DueNotices): (input: NewMessage) => Promise<Created> {
  let pending: Pending[] = [];
  let scheduled = false;

  /** After the commit: tell the workers, and read the stored response when an idempotency record stopped the message. */
  async function settle(input: NewMessage, rows: Row[], endpointIds: string[]): Promise<Created> {
    const { idempotency } = input;
    if (rows.length > 0 || !idempotency) {
      if (input.deliveries.some((d) => d.admission === 'due')) notices.announceDue(input.dueAt);
      return { deliveryIds: inOrderOf(endpointIds, rows.filter((r) => r.id !== null)) };
    }
    // Nothing was written: an unexpired response is stored under this idempotency key (maybe committed just now by a
    // concurrent request, which the statement waited for). This read sees it, being a new statement.
    const stored = await pool.query({ name: 'herald_replay', text: REPLAY, values: [idempotency.scope, idempotency.key] });
    const row = stored.rows[0];
    if (!row) throw new Error('an idempotency record blocked the message but could not be read back');
    return { replay: { statusCode: row.status_code, body: row.body } };
  }

  async function writeOne(input: NewMessage): Promise<Created> {
    const { message: m, idempotency } = input;
    const d = deliveryColumns(input);
    const { rows } = await conflictOnUnique(isUniqueViolation, 'A message with this eventId', () =>
      pool.query({
        name: 'herald_create_message',
        text: CREATE_MESSAGE,
        values: [
          m.id, m.appId, m.eventId, m.eventType, jsonOrNull(m.channels), jsonOrNull(m.tags), m.payload, m.createdAt, m.deliverAt,
          d.endpointIds, d.statuses, d.next,
          idempotency?.scope ?? null, idempotency?.key ?? null, idempotency?.response.statusCode ?? null, idempotency?.response.body ?? null,
          idempotency?.expiresAt ?? null,
          input.payloadExpiresAt ?? null,
          d.waiting,
          input.requestId ?? null, input.traceparent ?? null, jsonOrNull(input.forward),
          d.orderKeys,
        ],
      }),
    );
    return settle(input, rows, d.endpointIds);
  }

  async function writeBatch(batch: Pending[]): Promise<void> {
    const inputs = batch.map((p) => p.input);
    const column = <T>(get: (input: NewMessage) => T): T[] => inputs.map(get);
    const perMessage = inputs.map(deliveryColumns);
    const deliveryOf = <T>(get: (d: ReturnType<typeof deliveryColumns>, i: number) => T[]): T[] => perMessage.flatMap(get);
    let rows: Row[];
    try {
      ({ rows } = await pool.query({
        name: 'herald_create_messages',
        text: CREATE_MESSAGES,
        values: [
          column((i) => i.message.id), column((i) => i.message.appId), column((i) => i.message.eventId), column((i) => i.message.eventType),
          column((i) => jsonOrNull(i.message.channels)), column((i) => jsonOrNull(i.message.tags)), column((i) => i.message.payload),
          column((i) => i.message.createdAt), column((i) => i.message.deliverAt), column((i) => i.payloadExpiresAt ?? null),
          column((i) => i.requestId ?? null), column((i) => i.traceparent ?? null), column((i) => jsonOrNull(i.forward)),
          column((i) => i.idempotency?.scope ?? null), column((i) => i.idempotency?.key ?? null),
          column((i) => i.idempotency?.response.statusCode ?? null), column((i) => i.idempotency?.response.body ?? null),
          column((i) => i.idempotency?.expiresAt ?? null),
          Math.max(...column((i) => i.message.createdAt)),
          deliveryOf((d, i) => d.endpointIds.map(() => inputs[i]!.message.id)), deliveryOf((d) => d.endpointIds),
          deliveryOf((d) => d.statuses), deliveryOf((d) => d.next), deliveryOf((d) => d.waiting), deliveryOf((d) => d.orderKeys),
        ],
      }));
    } catch (err) {
      // The database refused the statement (a repeated eventId, two messages under one idempotency key, a deleted
      // endpoint...): it wrote nothing, so each message is written alone and fails or succeeds by itself. Any other
      // error (the connection was lost) leaves the outcome unknown: every caller gets it, as a lone write would.
      if (!(err instanceof pg.DatabaseError)) {
        for (const p of batch) p.reject(err);
        return;
      }
      for (const p of batch) writeOne(p.input).then(p.resolve, p.reject);
      return;
    }
    const byMessage = new Map<string, Row[]>();
    for (const row of rows) {
      const list = byMessage.get(row.message_id);
      if (list) list.push(row);
      else byMessage.set(row.message_id, [row]);
    }
    batch.forEach((p, i) => settle(p.input, byMessage.get(p.input.message.id) ?? [], perMessage[i]!.endpointIds).then(p.resolve, p.reject));
  }

  function flush(): void {
    scheduled = false;
    const all = pending;
    pending = [];
    let batch: Pending[] = [];
    let deliveries = 0;
    const send = () => {
      if (batch.length === 1) writeOne(batch[0]!.input).then(batch[0]!.resolve, batch[0]!.reject);
      else if (batch.length > 1) {
        const sent = batch;
        writeBatch(sent).catch((err: unknown) => {
          for (const p of sent) p.reject(err);
        });
      }
      batch = [];
      deliveries = 0;
    };
    for (const p of all) {
      const n = p.input.deliveries.length;
      if (batch.length === MAX_BATCH_MESSAGES || (batch.length > 0 && deliveries + n > MAX_BATCH_DELIVERIES)) send();
      batch.push(p);
      deliveries += n;
    }
    send();
  }

  return (input) =>
    new Promise<Created>((resolve, reject) => {
      pending.push({ input, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
