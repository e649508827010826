import type { RateLimitStatus, RatePolicy, RateReport, RateReservation } from './rate-limit-store.interface.js';

/**
 * One credential's budget, as the in-memory store keeps it. RedisRateLimitStore keeps the same
 * fields in a hash and runs the same steps in Lua (redis-rate-limit-scripts.ts): change both.
 */
export interface RateBudget {
  /** Epoch ms before which nothing is sent (a 429's Retry-After). */
  blocked: number;
  /** Reservations granted so far: an answer's ticket says how many were sent after it. */
  seq: number;
  // policy 'reported' (Affilync): the budget as the answers report it.
  /** The reported limit; 0 until an answer reports one. */
  limit: number;
  /** Places left in the current window, counting those granted since the report. */
  left: number;
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
/** How often callers look again while the first call's answer is awaited. */
export const PROBE_POLL_MS = 20;
/** Two reported window ends this close belong to one window (whole-second headers round apart). */
export const SAME_WINDOW_MS = 1_000;

export function emptyBudget(): RateBudget {
  return { blocked: 0, seq: 0, limit: 0, left: 0, reset: 0, pad: 0, guessed: false, probe: 0, unmetered: false, log: [] };
}

/** Take a place in the budget if there is one at `now`; never takes one it does not grant. */
export function reserveIn(b: RateBudget, policy: RatePolicy, now: number): RateReservation {
  if (b.blocked > now) return { granted: false, waitMs: b.blocked - now, firm: true, status: statusOf(b, policy) };
  if (policy.kind === 'window') {
    prune(b, policy, now);
    if (b.log.length >= policy.limit) return { granted: false, waitMs: b.log[0]! + policy.windowMs - now, firm: true, status: statusOf(b, policy) };
    b.log.push(now);
  } else if (policy.kind === 'reported' && !b.unmetered) {
    if (b.limit === 0) {
      // Nothing known yet: one call goes first, the others wait for the budget its answer reports.
      if (b.probe > now) return { granted: false, waitMs: Math.min(b.probe - now, PROBE_POLL_MS), firm: false, awaitingFirstAnswer: true };
      b.probe = now + PROBE_LEASE_MS;
    } else {
      if (now >= b.reset + b.pad) {
        // The window is over: a full budget, in a window whose end the next answer will tell.
        b.left = b.limit;
        b.reset = now + policy.assumedWindowMs;
        b.pad = 0;
        b.guessed = true;
      }
      if (b.left <= 0) {
        const waitMs = b.reset + b.pad - now;
        return { granted: false, waitMs, firm: !b.guessed, status: statusOf(b, policy) };
      }
      b.left--;
    }
  }
  b.seq++;
  return { granted: true, ticket: b.seq, status: statusOf(b, policy) };
}

/** Fold in what an answer (or its absence) said. */
export function recordIn(b: RateBudget, policy: RatePolicy, r: RateReport, now: number): RateLimitStatus | undefined {
  if (r.blockedUntil !== undefined && r.blockedUntil > b.blocked) b.blocked = r.blockedUntil;
  if (policy.kind !== 'reported') return statusOf(b, policy);
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
  // The places granted after this call were not yet counted in what its answer reports.
  const estimate = r.remaining - (b.seq - r.ticket);
  const pad = r.resetPaddingMs ?? 0;
  if (r.resetAt !== undefined && r.resetAt + pad <= now) return statusOf(b, policy); // about a window already over
  if (first) {
    b.left = estimate;
    b.reset = r.resetAt ?? now + policy.assumedWindowMs;
    b.pad = r.resetAt === undefined ? 0 : pad;
    b.guessed = r.resetAt === undefined;
  } else if (r.resetAt === undefined) {
    b.left = Math.min(b.left, estimate);
  } else if (b.guessed || r.resetAt > b.reset + SAME_WINDOW_MS) {
    // The window this answer reports is newer than the one we knew: it says when it ends.
    b.left = b.guessed ? Math.min(b.left, estimate) : estimate;
    b.reset = r.resetAt;
    b.pad = pad;
    b.guessed = false;
  } else if (r.resetAt >= b.reset - SAME_WINDOW_MS) {
    b.left = Math.min(b.left, estimate);
    b.pad = Math.max(b.pad, pad);
  }
  b.left = Math.max(0, b.left);
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
  return b.guessed ? { limit: b.limit, remaining: b.left } : { limit: b.limit, remaining: b.left, resetAt: b.reset };
}
