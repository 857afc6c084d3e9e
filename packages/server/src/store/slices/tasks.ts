import type { BackgroundTask, Message, Page, PageResult, StatusValue } from '../types.ts';

/**
 * Background recoveries and replays, resumable from their cursor, and the message walks they make.
 */
export interface TaskStore {
  createTask(task: BackgroundTask): Promise<void>;
  getTask(id: string): Promise<BackgroundTask | undefined>;
  listTasks(page: Page): Promise<PageResult<BackgroundTask>>;
  /** Takes a running task that no live worker holds (its lease ran out or it never had one) until `leaseUntil`. */
  claimTask(now: number, leaseUntil: number): Promise<BackgroundTask | undefined>;
  /** Saves a task's progress and status (and its renewed lease). */
  saveTask(task: BackgroundTask): Promise<void>;
  /**
   * A replay's next batch: the app's messages created in [since, until) with ids after `cursor`, oldest id first, each
   * with the status of its delivery to the endpoint (null when it was never sent there).
   */
  messagesForReplay(
    appId: string, endpointId: string, since: number, until: number | null, cursor: string | null, limit: number,
  ): Promise<{ message: Message; deliveryStatus: StatusValue | null }[]>;
  /** How many of the app's messages were created in [since, until): the messages a replay walks (for its progress). */
  countMessagesForReplay(appId: string, since: number, until: number | null): Promise<number>;
}
