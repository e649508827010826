/**
 * At most `max` requests handed to undici at once; the rest wait here, first in, first out.
 * Why: 10,000 calls released together (a renewal many callers waited for) queued inside undici
 * while its connections were still opening took twice as long as the same calls fed in as
 * connections free up (measured: 1.3 s against 0.65 s on this machine).
 */
export class InflightLimit {
  private active = 0;
  private readonly waiting: ((() => void) | undefined)[] = [];
  /** Index of the next waiter: a shift() per release would be O(n) with thousands waiting. */
  private head = 0;

  constructor(private readonly max: number) {}

  /** Resolves when the caller may go (undefined: at once); rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> | undefined {
    if (this.active < this.max && this.head === this.waiting.length) {
      this.active++;
      return undefined;
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const slot = this.waiting.length;
      const onAbort = () => {
        this.waiting[slot] = undefined; // skipped by release()
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(() => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      });
    });
  }

  release(): void {
    this.active--;
    while (this.head < this.waiting.length) {
      const next = this.waiting[this.head++];
      if (next) {
        next();
        break;
      }
    }
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    }
  }
}
