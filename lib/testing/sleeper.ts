/**
 * Delays that can be cut short: a `delayMs` fault waits here, and close() wakes every waiter at
 * once so that no timer keeps the process (or a test run) alive after the emulator is gone.
 */
export class Sleeper {
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  /** Resolves true after ms, or false as soon as stop() is called. */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(cancel);
        resolve(ok);
      };
      const cancel = () => wake(false);
      const timer = setTimeout(() => wake(true), ms);
      this.waiters.add(cancel);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of [...this.waiters]) cancel();
  }
}
