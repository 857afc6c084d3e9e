import type { Logger } from 'pino';
import type { CatalogStore, QueueStore, TaskStore } from '../store/storage.ts';
import { Status, Trigger, type BackgroundTask, type Endpoint, type Message, type StatusValue } from '../store/types.ts';
import { endpointWants } from './endpoint-cache.ts';
import { filterMatches } from './filter.ts';

const BATCH = 200;
const LEASE_MS = 30_000;
const POLL_MS = 2_000;

/**
 * Whether a replay task sends a message to its endpoint again. Nothing already on its way is touched, and a message
 * the endpoint already received is sent again only by bulk-replay, which asks for exactly that.
 */
export function selectsForReplay(task: BackgroundTask, endpoint: Endpoint, message: Message, status: StatusValue | null): boolean {
  if (message.payload === null || status === Status.Pending || status === Status.Sending) return false;
  if (task.kind === 'endpoint.recover') return status === Status.Fail;
  if (task.kind === 'endpoint.replay') {
    return status === null && endpointWants({ ...endpoint, disabled: false }, message.eventType, message.channels) && filterWants(endpoint, message.payload);
  }
  const f = task.params.filter ?? {};
  return (
    status !== null &&
    (f.status === undefined || f.status === status) &&
    (!f.eventTypes || f.eventTypes.includes(message.eventType)) &&
    (f.channel === undefined || (message.channels ?? []).includes(f.channel)) &&
    (f.tag === undefined || (message.tags ?? []).includes(f.tag))
  );
}

/**
 * The endpoint's filter against the message's body. The headers an inbound request came with are not consulted: a
 * filter with header conditions replays nothing it cannot check (never more than the endpoint asked for).
 */
function filterWants(endpoint: Endpoint, payload: string): boolean {
  if (endpoint.filter === null) return true;
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    body = undefined;
  }
  return filterMatches(endpoint.filter, { headers: {}, body });
}

/**
 * Runs recover, replay-missing and bulk-replay in the background: a worker claims a task (with a lease, so one
 * worker runs it), walks the endpoint's messages in batches by id, makes the chosen deliveries due again, and saves
 * its cursor after every batch, so a task interrupted by a restart resumes where it stopped.
 */
export class TaskRunner {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;

  constructor(
    private readonly store: {
      tasks: Pick<TaskStore, 'claimTask' | 'saveTask' | 'messagesForReplay'>;
      catalog: Pick<CatalogStore, 'getEndpointById'>;
      queue: Pick<QueueStore, 'scheduleResend'>;
    },
    /** Tells this process's delivery engine that deliveries became due in the store. */
    private readonly noteDue: (at: number) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Looks for tasks now (after one was created in this process) rather than at the next poll. */
  kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.runAvailable().finally(() => (this.running = false));
  }

  private async runAvailable(): Promise<void> {
    try {
      for (let task = await this.store.tasks.claimTask(Date.now(), Date.now() + LEASE_MS); task && !this.stopped; ) {
        await this.run(task);
        task = await this.store.tasks.claimTask(Date.now(), Date.now() + LEASE_MS);
      }
    } catch (err) {
      this.log.error({ err }, 'background task failed to run; it is taken up again when its lease ends');
    }
  }

  private async run(task: BackgroundTask): Promise<void> {
    const endpoint = await this.store.catalog.getEndpointById(task.endpointId);
    if (!endpoint) {
      await this.store.tasks.saveTask({ ...task, status: 'failed', error: 'the endpoint was deleted', leaseUntil: null, updatedAt: Date.now() });
      return;
    }
    while (!this.stopped) {
      const batch = await this.store.tasks.messagesForReplay(task.appId, task.endpointId, task.params.since, task.params.until, task.cursor, BATCH);
      const now = Date.now();
      let scheduled = 0;
      for (const { message, deliveryStatus } of batch) {
        if (!selectsForReplay(task, endpoint, message, deliveryStatus)) continue;
        await this.store.queue.scheduleResend(message.id, endpoint.id, now, Trigger.Manual);
        scheduled++;
      }
      if (scheduled > 0) this.noteDue(now);
      const done = batch.length < BATCH;
      task = {
        ...task,
        cursor: batch.at(-1)?.message.id ?? task.cursor,
        processed: task.processed + batch.length,
        scheduled: task.scheduled + scheduled,
        status: done ? 'finished' : 'running',
        leaseUntil: done ? null : Date.now() + LEASE_MS,
        updatedAt: Date.now(),
      };
      await this.store.tasks.saveTask(task);
      if (done) return;
    }
  }
}
