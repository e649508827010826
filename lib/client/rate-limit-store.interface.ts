import type { RatePolicy } from '../dialects/dialect.interface.js';

export type { RatePolicy };

/** A credential's budget as the pacing last knew it, for dashboards (client.rateLimitStatus()). */
export interface RateLimitStatus {
  limit: number;
  remaining: number;
  /** Epoch ms at which the window resets; absent when the provider did not say (usably). */
  resetAt?: number;
}

/** The outcome of asking for a place in a credential's budget. */
export type RateReservation =
  /** Send now. `ticket` numbers the reservation, to place the answer's report in time. */
  | { granted: true; ticket: number; status?: RateLimitStatus }
  /**
   * Not now: ask again after `waitMs`. `firm` is false when the end of the wait is a guess (a
   * window whose end no answer has told yet): look again sooner, an answer may tell it.
   */
  | {
      granted: false;
      waitMs: number;
      firm: boolean;
      /** Nothing is known of the budget yet: the first call's answer (in flight) will say. Not a spent budget. */
      awaitingFirstAnswer?: boolean;
      /** The places left are held by calls in flight: their answers may give some back before `waitMs`. */
      awaitingAnswers?: boolean;
      status?: RateLimitStatus;
    };

/** What one answer (or its absence) said about the budget. */
export interface RateReport {
  /** The reservation the call was sent under. */
  ticket: number;
  /** False when no answer arrived (network error, timeout): a probe's place is given back. */
  answered: boolean;
  /** The reported budget (Affilync's X-RateLimit-*), when the answer carried it. */
  limit?: number;
  remaining?: number;
  /** Epoch ms when the reported window ends. */
  resetAt?: number;
  /** How late the window may really end after `resetAt` (rounding of the header). */
  resetPaddingMs?: number;
  /** Epoch ms before which nothing may be sent on this credential (a 429's Retry-After). */
  blockedUntil?: number;
}

/**
 * Where the outgoing clients keep each credential's rate-limit budget, so that every process using
 * the credential paces against the same one. Keys never contain a secret. Both operations must be
 * atomic (RedisRateLimitStore runs each as one Lua script): two processes never take the last place.
 */
export interface RateLimitStore {
  /**
   * Take a place in `key`'s budget if there is one now; otherwise say how long to wait. Never takes a
   * place it does not grant. A granted call counts as in flight until its report, or for `leaseMs`
   * at most (its process may die before reporting).
   */
  reserve(key: string, policy: RatePolicy, now: number, leaseMs: number): Promise<RateReservation>;
  /** Fold in what an answer said; resolves to the budget as it now stands. */
  record(key: string, policy: RatePolicy, report: RateReport, now: number): Promise<RateLimitStatus | undefined>;
}

/** Injection token for the RateLimitStore (same name as the interface; Symbol.for: one token for the ESM and CommonJS builds). */
export const RateLimitStore = Symbol.for('nest-provider-auth:RateLimitStore');
