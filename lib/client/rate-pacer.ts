import { createHash } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { ProviderDialect, RatePolicy, ReportedRateLimit } from '../dialects/dialect.interface.js';
import { ProviderRateLimitError } from './errors.js';
import { InMemoryRateLimitStore } from './in-memory-rate-limit-store.js';
import type { TransportResponse } from './http-transport.js';
import type { RateLimitStatus, RateLimitStore, RateReport } from './rate-limit-store.interface.js';
import { parseRetryAfter } from './response-errors.js';
import { sleep } from './retry-policy.js';
import type { CallTrace } from '../telemetry/provider-telemetry.js';

/** A call counts as in flight for its timeout and this much more, if its process dies before it reports. */
const IN_FLIGHT_SLACK_MS = 5_000;
/** How soon a caller first looks again while answers in flight may free a place (then less often). */
const ANSWER_POLL_MS = 20;
/** How often a caller looks again while the end of its wait is only assumed (an answer may tell it sooner). */
const GUESSED_WAIT_POLL_MS = 250;

/**
 * Store key for one credential's budget: provider, base URL and a hash of the identity (the login
 * email, or the API key itself, hashed), never a secret.
 */
export function rateLimitKey(provider: string, baseUrl: string, identity: string): string {
  const hash = createHash('sha256').update(`${baseUrl}\n${identity}`).digest('hex').slice(0, 32);
  return `nest-provider-auth:rate:${provider}:${hash}`;
}

/**
 * A sliding window paced exactly to the limit would let two calls a window apart reach the
 * provider less than a window apart when the first took longer on the way. A little slack (2% of
 * the window, 50 ms … 1 s) absorbs that.
 */
export function paddedPolicy(policy: RatePolicy): RatePolicy {
  if (policy.kind !== 'window') return policy;
  const slack = Math.min(1_000, Math.max(50, Math.ceil(policy.windowMs * 0.02)));
  return { ...policy, windowMs: policy.windowMs + slack };
}

/**
 * Paces one credential's calls through the RateLimitStore: before a call is sent it takes a place
 * in the budget, waiting (within the call's bounds) while there is none; after, it reports what the
 * answer said. A store that fails is not allowed to stop calls: pacing is then skipped (a surprise
 * 429 is still handled by the retry policy), said once in the log.
 */
export class RatePacer {
  private lastStatus: RateLimitStatus | undefined;
  private storeFailing = false;
  /** The default in-memory store, asked without promises (it never fails and never waits). */
  private readonly local: InMemoryRateLimitStore | undefined;

  constructor(
    private readonly dialect: ProviderDialect,
    private readonly store: RateLimitStore,
    private readonly key: string,
    private readonly policy: RatePolicy,
    private readonly logger: LoggerService,
  ) {
    this.local = store instanceof InMemoryRateLimitStore ? store : undefined;
  }

  /**
   * The budget as this process last learned it (from the store or an answer). A reported window
   * whose reset has passed is over: its whole limit is back, until the next call says more.
   */
  status(now = Date.now()): RateLimitStatus | undefined {
    const last = this.lastStatus;
    if (last?.resetAt !== undefined && this.policy.kind === 'reported' && last.resetAt <= now) return { limit: last.limit, remaining: last.limit };
    return last;
  }

  /**
   * Wait for a place in the budget and take it; resolves to its ticket (undefined when the store
   * failed). A wait for spent budget longer than `bounds.budgetMs` is not begun: it rejects at once
   * with ProviderRateLimitError (`retryAfterMs`), nothing sent. Each wait is bounded, as each 429's
   * Retry-After is, not their sum (a call queued behind many may wait several windows): the
   * caller's `signal` sets an overall deadline. Waiting for the first call's answer (nothing known
   * of the budget yet) is not waiting for budget: it is bounded by `bounds.answerMs` alone. Each
   * wait is told to `trace` (telemetry), when there is one.
   */
  acquire(
    bounds: { budgetMs: number; answerMs: number },
    signal: AbortSignal | undefined,
    what: () => string,
    trace?: Pick<CallTrace, 'waitedForBudget'>,
  ): number | undefined | Promise<number | undefined> {
    // The usual case with the in-memory store, a place granted at once: no promise at all.
    const local = this.local;
    if (local !== undefined && !signal?.aborted) {
      const reservation = local.reserveNow(this.key, this.policy, Date.now(), bounds.answerMs + IN_FLIGHT_SLACK_MS);
      if (reservation.status) this.lastStatus = reservation.status;
      if (reservation.granted) return reservation.ticket;
    }
    return this.acquireWaiting(bounds, signal, what, trace);
  }

  /** acquire() when a place may have to be waited for, or the store is remote. */
  private async acquireWaiting(
    bounds: { budgetMs: number; answerMs: number },
    signal: AbortSignal | undefined,
    what: () => string,
    trace?: Pick<CallTrace, 'waitedForBudget'>,
  ): Promise<number | undefined> {
    let looked = 0;
    let looks = 0;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const reservation = await this.storeCall(() => this.store.reserve(this.key, this.policy, Date.now(), bounds.answerMs + IN_FLIGHT_SLACK_MS));
      if (reservation === undefined) return undefined;
      if (reservation.status) this.lastStatus = reservation.status;
      if (reservation.granted) return reservation.ticket;
      if (reservation.firm) {
        looked = 0;
        looks = 0;
        if (reservation.waitMs > bounds.budgetMs) throw this.refusal(reservation.waitMs, bounds.budgetMs, what());
        trace?.waitedForBudget(reservation.waitMs);
        await sleep(reservation.waitMs, signal);
      } else {
        // The end of this wait is not known (an assumed window, or the first call's answer still on
        // its way): look again soon, then less often (a thousand callers waiting on one slow first
        // answer must not flood a shared store), and give up only when looking has itself taken
        // longer than a wait may.
        const soon = reservation.awaitingFirstAnswer || reservation.awaitingAnswers;
        const step = Math.min(reservation.waitMs, soon ? ANSWER_POLL_MS * 2 ** Math.min(looks++, 4) : GUESSED_WAIT_POLL_MS, GUESSED_WAIT_POLL_MS);
        const bound = reservation.awaitingFirstAnswer ? bounds.answerMs : bounds.budgetMs;
        if (looked + step > bound) throw this.refusal(reservation.waitMs, bound, what());
        looked += step;
        trace?.waitedForBudget(step);
        await sleep(step, signal);
      }
    }
  }

  /**
   * Tell the store what the answer (or undefined: none arrived) said about the budget; `reported`
   * is the answer's rate-limit headers as the dialect parsed them. Returns a promise only when the
   * store is remote.
   */
  report(ticket: number | undefined, res: TransportResponse | undefined, reported: ReportedRateLimit | undefined, now: number): void | Promise<void> {
    if (ticket === undefined) return;
    const report: RateReport = { ticket, answered: res !== undefined };
    if (res) {
      if (reported) {
        report.limit = reported.limit;
        report.remaining = reported.remaining;
        if (reported.reset !== undefined) {
          report.resetAt = reported.reset;
          report.resetPaddingMs = reported.resetPrecisionMs ?? 0;
        }
        // Known before the store answers, so rateLimitStatus() is current as soon as the call returns.
        this.lastStatus =
          reported.reset === undefined
            ? { limit: reported.limit, remaining: reported.remaining }
            : { limit: reported.limit, remaining: reported.remaining, resetAt: reported.reset };
      }
      if (res.status === 429) {
        // Every caller of this credential holds back as long as the provider asked (not for a
        // backoff we would have made up: that one is each call's own).
        const asked = parseRetryAfter(res, now) ?? this.dialect.resetWaitMs(res.headers, now);
        if (asked !== undefined && asked > 0) report.blockedUntil = now + asked + (report.resetPaddingMs ?? 0);
      }
    }
    if (this.local !== undefined) return this.recorded(this.local.recordNow(this.key, this.policy, report, now));
    return this.storeCall(() => this.store.record(this.key, this.policy, report, now)).then((status) => this.recorded(status));
  }

  private recorded(status: RateLimitStatus | undefined): void {
    // Affilync's own figures (in report()) are shown as sent; a plan's budget is only known to the store.
    if (status && this.policy.kind === 'window') this.lastStatus = status;
  }

  private refusal(waitMs: number, boundMs: number, what: string): ProviderRateLimitError {
    const seconds = Math.ceil(waitMs / 1000);
    return new ProviderRateLimitError({
      provider: this.dialect.name,
      message: `${this.dialect.displayName} ${what}: not sent: this credential's rate-limit budget is spent for about ${seconds} s, longer than this call may wait (${boundMs} ms: the lower of http.maxRetryAfterMs and the call's timeoutMs)`,
      retryAfterMs: Math.ceil(waitMs),
    });
  }

  private async storeCall<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await fn();
      if (this.storeFailing) {
        this.storeFailing = false;
        this.logger.log?.(`${this.dialect.displayName} rate-limit store is answering again: calls are paced again`);
      }
      return result;
    } catch (error) {
      if (!this.storeFailing) {
        this.storeFailing = true;
        const why = error instanceof Error ? error.name : 'error';
        this.logger.warn(`${this.dialect.displayName} rate-limit store failed (${why}): calls go unpaced until it answers again`);
      }
      return undefined;
    }
  }
}
