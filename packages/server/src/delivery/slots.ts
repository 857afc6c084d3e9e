/**
 * The attempts a worker has on the wire at once, across every endpoint. Each endpoint's own limit keeps a slow
 * endpoint from taking everything; this one bounds the total: with a thousand endpoints at ten each, ten thousand
 * requests would otherwise be open at once, most of them waiting inside the HTTP pool for a connection, each with its
 * deadline already running and its request state on the heap. Waiters are served first come, first served, so the
 * lanes, which ask in turn, share the slots.
 */
export class AttemptSlots {
  private used = 0;
  private readonly waiters: ((granted: boolean) => void)[] = [];
  private head = 0;
  private stopped = false;

  constructor(private readonly limit: number) {}

  /** Resolves true once a slot is held (give it back with release), or false when the worker stops first. */
  acquire(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.used < this.limit) {
      this.used++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head]!;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters.splice(0, this.head);
        this.head = 0;
      }
      next(true); // the slot passes straight on
      return;
    }
    this.used--;
  }

  /** Attempts waiting for a slot. */
  get waiting(): number {
    return this.waiters.length - this.head;
  }

  /** Refuses every waiter and every later ask: a stopping worker starts nothing new. */
  stop(): void {
    this.stopped = true;
    const refused = this.waiters.splice(this.head);
    this.waiters.length = 0;
    this.head = 0;
    for (const resolve of refused) resolve(false);
  }
}
