import { emptyBudget, recordIn, reserveIn, type RateBudget } from './rate-budget.js';
import type { RateLimitStatus, RateLimitStore, RatePolicy, RateReport, RateReservation } from './rate-limit-store.interface.js';

/**
 * The default RateLimitStore: each credential's budget in this process's memory. Enough for one
 * process; replicas that share a credential need a shared store (RedisRateLimitStore), or each
 * spends the whole budget as if it were alone.
 */
export class InMemoryRateLimitStore implements RateLimitStore {
  private readonly budgets = new Map<string, RateBudget>();

  async reserve(key: string, policy: RatePolicy, now: number, leaseMs: number): Promise<RateReservation> {
    return this.reserveNow(key, policy, now, leaseMs);
  }

  async record(key: string, policy: RatePolicy, report: RateReport, now: number): Promise<RateLimitStatus | undefined> {
    return this.recordNow(key, policy, report, now);
  }

  /** reserve() without a promise: the clients' pacing calls this one directly (two awaits fewer per call). */
  reserveNow(key: string, policy: RatePolicy, now: number, leaseMs: number): RateReservation {
    return reserveIn(this.budget(key), policy, now, leaseMs);
  }

  /** record() without a promise. */
  recordNow(key: string, policy: RatePolicy, report: RateReport, now: number): RateLimitStatus | undefined {
    return recordIn(this.budget(key), policy, report, now);
  }

  private budget(key: string): RateBudget {
    let budget = this.budgets.get(key);
    if (!budget) this.budgets.set(key, (budget = emptyBudget()));
    return budget;
  }
}
