import type { RateLimitStatus, RatePolicy, RateReport, RateReservation } from './rate-limit-store.interface.js';

/**
 * One credential's budget, as the in-memory store keeps it. RedisRateLimitStore keeps the same
 * fields in a hash and runs the same steps in Lua (redis-rate-limit-scripts.ts): change both.
 */
export interface RateBudget {
  /** Epoch ms before which nothing is sent (a 429's Retry-After). */
  blocked: number;
  /** Reservations granted so far: each ticket is the next number. */
  seq: number;
  // policy 'reported' (Affilync): the budget as the answers report it.
  /** The reported limit; 0 until an answer reports one. */
  limit: number;
  /** The most any answer of the current window reported spent (limit − remaining). */
  used: number;
  /**
   * Calls granted and not yet reported back, ticket → epoch ms after which one is given up on (its
   * process died). Counted as spent: the provider may or may not have counted them yet.
   */
  inflight: Map<number, number>;
  /** Epoch ms when the current window ends (reported, or assumed when `guessed`). */
  reset: number;
  /** How late the reported window may really end (the header's rounding). */
  pad: number;
  /** True when `reset` is assumed (the window rolled over and no answer has said when it ends). */
  guessed: boolean;
  /** Epoch ms until which the first call's answer is awaited before others are sent. */
  probe: number;
  /** True when answers carry no budget at all: nothing to pace from. */
  unmetered: boolean;
  // policy 'window' (Convertly's plan): when each granted call of the last window was sent.
  log: number[];
}

/** How long a first call may hold the others back while its answer (and the budget it reports) is awaited. */
export const PROBE_LEASE_MS = 5_000;
/** Two reported window ends this close belong to one window (whole-second headers round apart). */
export const SAME_WINDOW_MS = 1_000;

export function emptyBudget(): RateBudget {
  return { blocked: 0, seq: 0, limit: 0, used: 0, inflight: new Map(), reset: 0, pad: 0, guessed: false, probe: 0, unmetered: false, log: [] };
}

/**
 * Take a place in the budget if there is one at `now`; never takes one it does not grant.
 * `leaseMs`: how long a granted call counts as in flight at most, if its report never comes.
 */
export function reserveIn(b: RateBudget, policy: RatePolicy, now: number, leaseMs: number): RateReservation {
  if (b.blocked > now) return { granted: false, waitMs: b.blocked - now, firm: true, status: statusOf(b, policy) };
  const reported = policy.kind === 'reported' && !b.unmetered;
  if (policy.kind === 'window') {
    prune(b, policy, now);
    if (b.log.length >= policy.limit) return { granted: false, waitMs: b.log[0]! + policy.windowMs - now, firm: true, status: statusOf(b, policy) };
    b.log.push(now);
  } else if (reported) {
    // forEach, not for…of with [ticket, until]: no array per entry on every call.
    b.inflight.forEach((until, ticket) => {
      if (until <= now) b.inflight.delete(ticket);
    });
    if (b.limit === 0) {
      // Nothing known yet: one call goes first, the others wait for the budget its answer reports.
      if (b.probe > now) return { granted: false, waitMs: b.probe - now, firm: false, awaitingFirstAnswer: true };
      b.probe = now + PROBE_LEASE_MS;
    } else {
      if (now >= b.reset + b.pad) {
        // The window is over: nothing spent yet in one whose end the next answer will tell.
        b.used = 0;
        b.reset = now + policy.assumedWindowMs;
        b.pad = 0;
        b.guessed = true;
      }
      if (b.limit - b.used - b.inflight.size <= 0) {
        // Places held by calls in flight may come back sooner than the reset (their answers may
        // report less spent, or an older window): worth looking again soon, not only at the reset.
        const waitMs = b.reset + b.pad - now;
        if (b.inflight.size > 0 && b.used < b.limit) return { granted: false, waitMs, firm: false, awaitingAnswers: true, status: statusOf(b, policy) };
        return { granted: false, waitMs, firm: !b.guessed, status: statusOf(b, policy) };
      }
    }
  }
  b.seq++;
  if (reported) b.inflight.set(b.seq, now + leaseMs);
  return { granted: true, ticket: b.seq, status: statusOf(b, policy) };
}

/** Fold in what an answer (or its absence) said. */
export function recordIn(b: RateBudget, policy: RatePolicy, r: RateReport, now: number): RateLimitStatus | undefined {
  if (r.blockedUntil !== undefined && r.blockedUntil > b.blocked) b.blocked = r.blockedUntil;
  if (policy.kind !== 'reported') return statusOf(b, policy);
  b.inflight.delete(r.ticket);
  if (r.limit === undefined || r.remaining === undefined) {
    if (b.limit === 0 && b.probe > 0) {
      b.probe = 0;
      // An answer without the headers: this provider (or proxy) does not report the budget.
      if (r.answered) b.unmetered = true;
    }
    return statusOf(b, policy);
  }
  b.unmetered = false;
  b.probe = 0;
  const first = b.limit === 0;
  b.limit = r.limit;
  const spent = Math.max(0, r.limit - r.remaining);
  const pad = r.resetPaddingMs ?? 0;
  if (r.resetAt !== undefined && r.resetAt + pad <= now) return statusOf(b, policy); // about a window already over
  if (first) {
    b.used = spent;
    b.reset = r.resetAt ?? now + policy.assumedWindowMs;
    b.pad = r.resetAt === undefined ? 0 : pad;
    b.guessed = r.resetAt === undefined;
  } else if (r.resetAt === undefined) {
    b.used = Math.max(b.used, spent);
  } else if (b.guessed || r.resetAt > b.reset + SAME_WINDOW_MS) {
    // The window this answer reports is newer than the one we knew: it says when it ends.
    b.used = b.guessed ? Math.max(b.used, spent) : spent;
    b.reset = r.resetAt;
    b.pad = pad;
    b.guessed = false;
  } else if (r.resetAt >= b.reset - SAME_WINDOW_MS) {
    b.used = Math.max(b.used, spent);
    b.pad = Math.max(b.pad, pad);
  }
  return statusOf(b, policy);
}

function prune(b: RateBudget, policy: { windowMs: number }, now: number): void {
  const cutoff = now - policy.windowMs;
  let drop = 0;
  while (drop < b.log.length && b.log[drop]! <= cutoff) drop++;
  if (drop > 0) b.log.splice(0, drop);
}

/** What a dashboard may show: the limit, the places left and when the window ends (when known). */
export function statusOf(b: RateBudget, policy: RatePolicy): RateLimitStatus | undefined {
  if (policy.kind === 'window') {
    const oldest = b.log[0];
    return oldest === undefined
      ? { limit: policy.limit, remaining: policy.limit }
      : { limit: policy.limit, remaining: Math.max(0, policy.limit - b.log.length), resetAt: oldest + policy.windowMs };
  }
  if (policy.kind !== 'reported' || b.limit === 0) return undefined;
  const remaining = Math.max(0, b.limit - b.used - b.inflight.size);
  return b.guessed ? { limit: b.limit, remaining } : { limit: b.limit, remaining, resetAt: b.reset };
}
