/** What one request's turn at its credential's window came to. */
export interface WindowVerdict {
  /** False: over the limit; the request was not counted. */
  readonly admitted: boolean;
  readonly limit: number;
  /** Requests left in the window after this one. */
  readonly remaining: number;
  /** Epoch ms at which the window ends and the full budget is back. */
  readonly resetAtMs: number;
  /** resetAtMs minus now: always > 0, since a window that is over is replaced before it is read. */
  readonly untilResetMs: number;
}

interface Window {
  readonly endsAt: number;
  used: number;
}

/** Forget windows that are over once this many credentials have one (a test making keys in a loop). */
const SWEEP_ABOVE = 1024;

/**
 * Fixed windows, one per credential, each opening at that credential's first counted request and
 * lasting windowMs. A fixed window (rather than a sliding one) because Affilync answers with one
 * reset time per window, after which the whole budget is back: a client that waits for it must be
 * able to spend the whole budget again. The clock is injectable for unit tests.
 */
export class RateLimitWindows {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Counts a request of `credential` when its window has room; a refusal does not count (a client
   * that keeps knocking does not push its own reset further away). The limit is the caller's for
   * this request, so a plan changed mid-window applies from the next request on.
   */
  take(credential: string, limit: number, windowMs: number): WindowVerdict {
    const now = this.now();
    let window = this.windows.get(credential);
    if (!window || now >= window.endsAt) {
      if (!window && this.windows.size >= SWEEP_ABOVE) this.sweep(now);
      window = { endsAt: now + windowMs, used: 0 };
      this.windows.set(credential, window);
    }
    const admitted = window.used < limit;
    if (admitted) window.used++;
    return { admitted, limit, remaining: Math.max(0, limit - window.used), resetAtMs: window.endsAt, untilResetMs: window.endsAt - now };
  }

  /** Every credential starts afresh (emulator.reset()). */
  clear(): void {
    this.windows.clear();
  }

  private sweep(now: number): void {
    for (const [credential, window] of this.windows) if (now >= window.endsAt) this.windows.delete(credential);
  }
}
