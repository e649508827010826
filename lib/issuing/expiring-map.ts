/**
 * A map whose entries each expire at their own time; expired ones are swept as new ones arrive,
 * so memory is bounded by what is still live.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private nextSweep = 0;

  set(key: string, value: V, until: number, now = Date.now()): void {
    this.entries.set(key, { value, until });
    this.sweep(now);
  }

  get(key: string, now = Date.now()): V | undefined {
    const e = this.entries.get(key);
    return e && e.until > now ? e.value : undefined;
  }

  has(key: string, now = Date.now()): boolean {
    return this.get(key, now) !== undefined;
  }

  /** Set only if absent (or expired); true when this call set it. */
  setIfAbsent(key: string, value: V, until: number, now = Date.now()): boolean {
    if (this.has(key, now)) return false;
    this.set(key, value, until, now);
    return true;
  }

  /** Every key held, expired ones included until swept. */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drop expired entries now (normally done at most once a second as entries are added). */
  sweep(now = Date.now(), force = false): void {
    if (!force && now < this.nextSweep) return;
    this.nextSweep = now + 1_000;
    for (const [key, e] of this.entries) if (e.until <= now) this.entries.delete(key);
  }
}
