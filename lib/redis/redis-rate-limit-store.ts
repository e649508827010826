import { Logger } from '@nestjs/common';
import { InMemoryRateLimitStore } from '../client/in-memory-rate-limit-store.js';
import { PROBE_LEASE_MS, SAME_WINDOW_MS } from '../client/rate-budget.js';
import type { RateLimitStatus, RateLimitStore, RatePolicy, RateReport, RateReservation } from '../client/rate-limit-store.interface.js';
import { OutageNotice } from './outage-notice.js';
import { RedisConnection, type RedisStoreOptions } from './redis-connection.js';
import { RECORD, RESERVE } from './redis-rate-limit-scripts.js';

type Triple = [limit: number, remaining: number, resetAt: number];

/**
 * RateLimitStore shared by every replica through Redis: replicas that use one credential spend
 * one budget. Each reservation and each report is one Lua script (no read-then-write), so two
 * replicas never take the same last place.
 *
 * Unlike the token store, it never fails a call for Redis: while Redis cannot be reached each
 * process paces on its own (in memory) — replicas may then together exceed the budget, and the
 * surprise 429 is handled as any other — and says so once in the log, and once when Redis is back.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: RedisConnection;
  private readonly fallback = new InMemoryRateLimitStore();
  private readonly outage = new OutageNotice(new Logger(RedisRateLimitStore.name), {
    meanwhile: 'each process paces its calls on its own until Redis is back (replicas together may exceed a budget)',
    again: 'rate-limit budgets are shared between processes again',
  });

  constructor(options: RedisStoreOptions) {
    this.redis = new RedisConnection(options, RedisRateLimitStore.name);
  }

  reserve(key: string, policy: RatePolicy, now: number, leaseMs: number): Promise<RateReservation> {
    return this.guarded(
      async () => {
        const args = [...policyArgs(policy, now), PROBE_LEASE_MS, Math.ceil(leaseMs)];
        const [granted, value, firm, ...status] = await this.redis.eval<number[]>(RESERVE, this.keys(key), args);
        const shown = toStatus(status as Triple);
        const reservation: RateReservation =
          granted === 1
            ? { granted: true, ticket: value! }
            : firm === 2
              ? { granted: false, waitMs: value!, firm: false, awaitingFirstAnswer: true }
              : firm === 3
                ? { granted: false, waitMs: value!, firm: false, awaitingAnswers: true }
                : { granted: false, waitMs: value!, firm: firm === 1 };
        if (shown) reservation.status = shown;
        return reservation;
      },
      () => this.fallback.reserve(key, policy, now, leaseMs),
    );
  }

  record(key: string, policy: RatePolicy, report: RateReport, now: number): Promise<RateLimitStatus | undefined> {
    return this.guarded(
      async () => {
        const args = [
          ...policyArgs(policy, now),
          report.ticket,
          report.answered ? 1 : 0,
          report.limit ?? -1,
          report.remaining ?? -1,
          report.resetAt ?? -1,
          report.resetPaddingMs ?? 0,
          report.blockedUntil ?? -1,
          SAME_WINDOW_MS,
        ];
        return toStatus(await this.redis.eval<Triple>(RECORD, this.keys(key), args));
      },
      () => this.fallback.record(key, policy, report, now),
    );
  }

  /** False while Redis is unreachable (health checks read it; calls find out by themselves). */
  isAvailable(): boolean {
    return this.redis.client.isReady;
  }

  /** Closes the client the store created from `url` (the module calls this at app shutdown). */
  close(): Promise<void> {
    return this.redis.close();
  }

  private keys(key: string): string[] {
    const hash = this.redis.key(key);
    return [hash, `${hash}:log`, `${hash}:inflight`];
  }

  private async guarded<T>(primary: () => Promise<T>, viaFallback: () => Promise<T>): Promise<T> {
    try {
      const result = await primary();
      this.outage.answered();
      return result;
    } catch (error) {
      this.outage.failed(error);
      return viaFallback();
    }
  }
}

function policyArgs(policy: RatePolicy, now: number): (string | number)[] {
  if (policy.kind === 'window') return ['window', now, policy.limit, policy.windowMs];
  if (policy.kind === 'reported') return ['reported', now, policy.assumedWindowMs, -1];
  return ['none', now, -1, -1];
}

function toStatus([limit, remaining, resetAt]: Triple): RateLimitStatus | undefined {
  if (limit === undefined || limit < 0) return undefined;
  return resetAt < 0 ? { limit, remaining } : { limit, remaining, resetAt };
}
