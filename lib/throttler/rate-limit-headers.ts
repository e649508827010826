import { AFFILYNC } from '../dialects/affilync.dialect.js';

/** What a throttler's storage answered for one request, and that throttler's limit. */
export interface ThrottleOutcome {
  limit: number;
  totalHits: number;
  /** Seconds until the window ends (as @nestjs/throttler storages answer). */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until a blocked tracker may send again. */
  timeToBlockExpire: number;
}

/**
 * The headers of one throttler's outcome: Affilync's X-RateLimit-Limit / -Remaining / -Reset on
 * every answer (Reset in epoch seconds: the unit a client can use without knowing when the answer
 * was sent), and Retry-After in whole seconds on a refusal. A named throttler other than
 * 'default' suffixes them with its name, as @nestjs/throttler does (`X-RateLimit-Limit-long`).
 */
export function rateLimitHeaders(outcome: ThrottleOutcome, throttlerName: string, nowMs: number): [name: string, value: string][] {
  const suffix = throttlerName === 'default' ? '' : `-${throttlerName}`;
  const names = AFFILYNC.rateLimitHeaders;
  const nowSec = Math.ceil(nowMs / 1000);
  if (outcome.isBlocked) {
    // At least 1: "Retry-After: 0" would invite an immediate retry that is refused again.
    const retryAfter = Math.max(1, Math.ceil(outcome.timeToBlockExpire));
    return [
      [`retry-after${suffix}`, String(retryAfter)],
      [names.limit + suffix, String(outcome.limit)],
      [names.remaining + suffix, '0'],
      [names.reset + suffix, String(nowSec + retryAfter)],
    ];
  }
  return [
    [names.limit + suffix, String(outcome.limit)],
    [names.remaining + suffix, String(Math.max(0, outcome.limit - outcome.totalHits))],
    [names.reset + suffix, String(nowSec + Math.max(0, Math.ceil(outcome.timeToExpire)))],
  ];
}
