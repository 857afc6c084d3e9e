/**
 * Jobs waiting for the sandbox, taken in turn by owner (an endpoint, a source): one job of each owner with jobs
 * waiting, then the next round. An owner whose code always runs to its CPU limit (or whose messages are many) then
 * delays another owner's run by at most a round (one run of each owner ahead in line), not by its whole backlog.
 */
export class FairQueue<T> {
  /** Each owner's jobs, oldest first; the map's order is the turn order (an owner served goes to the back). */
  private readonly byOwner = new Map<string, T[]>();
  size = 0;

  push(owner: string, job: T): void {
    const jobs = this.byOwner.get(owner);
    if (jobs) jobs.push(job);
    else this.byOwner.set(owner, [job]);
    this.size++;
  }

  /** The next job: the oldest of the owner whose turn it is. */
  shift(): T | undefined {
    const turn = this.byOwner.entries().next();
    if (turn.done) return undefined;
    const [owner, jobs] = turn.value;
    const job = jobs.shift()!;
    this.byOwner.delete(owner);
    if (jobs.length > 0) this.byOwner.set(owner, jobs);
    this.size--;
    return job;
  }

  /** Every job still waiting, removed. */
  drain(): T[] {
    const all = [...this.byOwner.values()].flat();
    this.byOwner.clear();
    this.size = 0;
    return all;
  }
}
