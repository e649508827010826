/**
 * Members that each expire at their own time; expired ones are swept as new ones arrive, so
 * memory is bounded by what is still live.
 */
export class ExpiringSet {
  private readonly until = new Map<string, number>();
  private nextSweep = 0;

  add(member: string, expiresAt: number, now = Date.now()): void {
    this.until.set(member, Math.max(expiresAt, this.until.get(member) ?? 0));
    this.sweep(now);
  }

  has(member: string, now = Date.now()): boolean {
    const t = this.until.get(member);
    return t !== undefined && t > now;
  }

  get size(): number {
    return this.until.size;
  }

  private sweep(now: number): void {
    // At most once a second, and in one pass: amortised O(1) per add.
    if (now < this.nextSweep) return;
    this.nextSweep = now + 1_000;
    for (const [member, t] of this.until) if (t <= now) this.until.delete(member);
  }
}
