import type { AttemptFilter, MessageFilter } from '../types.ts';

/** WHERE conditions of the history listings, with their `?` values in order. */
export interface Conditions {
  sql: string;
  params: unknown[];
}

/** Conditions on a message aliased `m`, shared by message, delivery and attempt listings (each ` AND …`). */
export function messageConditions(filter: MessageFilter, timeColumn: string): Conditions {
  let sql = '';
  const params: unknown[] = [];
  if (filter.channel !== undefined) {
    sql += ' AND EXISTS (SELECT 1 FROM json_each(m.channels) WHERE value = ?)';
    params.push(filter.channel);
  }
  if (filter.anyChannel !== undefined) {
    sql += ` AND EXISTS (SELECT 1 FROM json_each(m.channels) WHERE value IN (${filter.anyChannel.map(() => '?').join(', ') || 'NULL'}))`;
    params.push(...filter.anyChannel);
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

/**
 * An attempt listing (attempts aliased `a`): its SELECT, joining the message only when a condition is on it, and
 * its complete WHERE condition.
 */
export function attemptQuery(filter: AttemptFilter & { messageId?: string; endpointId?: string }): Conditions & { select: string } {
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
  return { select, sql: where + c.sql, params: [...params, ...c.params] };
}
