import type { InboundRequestOut } from '@herald/wire';
import type { ApiClient } from './client.ts';
import { paint } from './output.ts';

/** What a line shows of a received request. */
type ReceivedRequest = Pick<InboundRequestOut, 'id' | 'receivedAt' | 'method' | 'path' | 'status' | 'eventType' | 'reason' | 'messageId'>;

const POLL_MS = 1_000;
const STATUS_COLOR: Record<string, 'green' | 'red' | 'yellow' | 'cyan'> = {
  accepted: 'green', rejected: 'red', duplicate: 'yellow', inspected: 'cyan', handshake: 'cyan', received: 'yellow',
};

export function requestLine(r: ReceivedRequest): string {
  const time = new Date(r.receivedAt).toISOString().slice(11, 23);
  const outcome = paint(STATUS_COLOR[r.status] ?? 'yellow', `⇢ ${r.status.padEnd(9)}`);
  const detail = r.messageId ?? r.reason ?? '';
  return `${paint('gray', time)}  ${paint('bold', (r.eventType ?? '-').padEnd(24))} ${r.method} ${r.path}  ${outcome} ${r.id}  ${paint('dim', detail)}`;
}

/**
 * What a source receives, as it arrives (so an inspect-mode source, which forwards nothing and so has no attempts,
 * shows its captures too). Read by polling the stored requests: any API process can answer, whichever one received
 * them. Only requests received after it starts are shown.
 */
export async function followRequests(client: ApiClient, source: string, json: boolean, signal: AbortSignal): Promise<void> {
  const requests = (limit: number) => client.call('GET /api/v1/source/:source_id/request', { params: { source_id: source }, query: { limit } });
  const newest = await requests(1);
  let seen = newest.data[0]?.id ?? '';
  while (!signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (signal.aborted) break;
    const page = await requests(250).catch(() => null);
    // Newest first: what is newer than the last one shown, oldest of those first. A poll that fails is tried again.
    const fresh = (page?.data ?? []).filter((r) => r.id > seen).reverse();
    for (const r of fresh) process.stdout.write(json ? `${JSON.stringify({ kind: 'request', ...r })}\n` : `${requestLine(r)}\n`);
    if (fresh.length > 0) seen = fresh[fresh.length - 1]!.id;
  }
}
