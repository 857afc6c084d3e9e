/**
 * What arrived at the receivers: one bit per expected delivery (a slot: message index, or endpoint × messages +
 * message index for fan-out), so a million messages cost 125 KB and a repeat is seen as a duplicate.
 */
export class Tally {
  private readonly bits: Uint32Array;
  /** Every request answered 200, duplicates included. */
  received = 0;
  /** Slots seen at least once. */
  distinct = 0;
  duplicates = 0;
  /** Requests whose slot was not one this tally expects (should stay 0). */
  unexpected = 0;
  /** Time of the first receipt (0: none yet). */
  firstAt = 0;
  /** Time a slot was last seen for the first time: when the last missing delivery arrived. */
  lastNewAt = 0;
  /** Receipt minus send time of each first receipt, in ms, when asked for. */
  readonly latencies: number[] = [];
  private waiters: { count: number; resolve: (reached: boolean) => void }[] = [];

  constructor(
    readonly slots: number,
    private readonly recordLatency = false,
  ) {
    this.bits = new Uint32Array(Math.ceil(slots / 32));
  }

  record(slot: number, sentAt: number, at: number): void {
    this.received++;
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots) {
      this.unexpected++;
      return;
    }
    if (this.firstAt === 0) this.firstAt = at;
    const word = slot >>> 5;
    const mask = 1 << (slot & 31);
    const current = this.bits[word]!;
    if ((current & mask) !== 0) {
      this.duplicates++;
      return;
    }
    this.bits[word] = current | mask;
    this.distinct++;
    this.lastNewAt = at;
    if (this.recordLatency) this.latencies.push(at - sentAt);
    if (this.waiters.length > 0) {
      this.waiters = this.waiters.filter((w) => {
        if (this.distinct < w.count) return true;
        w.resolve(true);
        return false;
      });
    }
  }

  /** Resolves true once `count` distinct slots arrived (default: all), false if `timeoutMs` passes first. */
  waitFor(timeoutMs: number, count = this.slots): Promise<boolean> {
    if (this.distinct >= count) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        count,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}
