import { readFileSync } from 'node:fs';

/** Resident memory of a process from /proc/<pid>/status, in bytes (Linux only; null elsewhere or once it is gone). */
export function readMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    if (!rss || !hwm) return null;
    return { rss: Number(rss[1]) * 1024, hwm: Number(hwm[1]) * 1024 };
  } catch {
    return null;
  }
}

/**
 * Samples a process's RSS every `intervalMs` and keeps the peak, overall and since the last `phase()` call; the
 * kernel's own high-water mark (VmHWM) is read at the end too, so a peak between samples is not missed.
 */
export class RssSampler {
  private readonly timer: NodeJS.Timeout;
  private peak = 0;
  private phasePeak = 0;
  private hwm = 0;
  private last = 0;

  constructor(
    private readonly pid: number,
    intervalMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const m = readMemory(this.pid);
    if (!m) return;
    this.last = m.rss;
    this.peak = Math.max(this.peak, m.rss);
    this.phasePeak = Math.max(this.phasePeak, m.rss);
    this.hwm = Math.max(this.hwm, m.hwm);
  }

  /** The sampled peak since the previous call (or the start), then starts a new phase. */
  phase(): number {
    this.sample();
    const peak = this.phasePeak;
    this.phasePeak = this.last;
    return peak;
  }

  /** Stops sampling: the peak RSS (the larger of VmHWM and the samples), the high-water mark and the last RSS. */
  stop(): { peakBytes: number; hwmBytes: number; lastBytes: number } {
    this.sample();
    clearInterval(this.timer);
    return { peakBytes: Math.max(this.peak, this.hwm), hwmBytes: this.hwm, lastBytes: this.last };
  }
}
