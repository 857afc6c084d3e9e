/** Polls until the probe gives a value (not undefined or false), or fails after timeoutMs naming what it waited for. */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits out a short window in which `what` must NOT happen. The one honest fixed wait: an absence has no event to wait
 * for. Keep windows short (they only need to outlast what would have happened at once), and assert the absence after.
 * Every use is a place where nothing else can show that nothing more happens.
 */
export async function expectQuietFor(ms: number, what: string): Promise<void> {
  if (ms > 1_000) throw new Error(`expectQuietFor(${ms}, ${what}): a quiet window is kept short (at most 1 s)`);
  await new Promise((r) => setTimeout(r, ms));
}

/** Resolves once the clock has moved past `since` (epoch ms or an ISO time): what comes next is strictly later. */
export async function nextMillisecond(since: number | string | Date): Promise<void> {
  const at = typeof since === 'number' ? since : new Date(since).getTime();
  await until('the clock to move on', () => Date.now() > at, 1_000);
}
