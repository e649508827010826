import type { ProviderDialect } from '../dialects/dialect.interface.js';
import type { HttpMethod, TransportResponse } from './http-transport.js';
import { parseRetryAfter } from './response-errors.js';

/** Methods whose repetition has the same effect as sending them once (RFC 9110 §9.2.2), minus PATCH. */
const IDEMPOTENT_METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Server errors worth another attempt: the provider may answer the same request next time. */
const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);

const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;

/** Whether a call may be sent more than once. A POST only when its caller says so. */
export function isRepeatable(method: HttpMethod, idempotent: boolean | undefined): boolean {
  return idempotent === true || (idempotent !== false && IDEMPOTENT_METHODS.has(method));
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * "Full jitter" exponential backoff: a uniformly random wait between 0 and min(cap, base·2^n),
 * so clients that failed together do not retry together.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

/**
 * The wait before trying again after an answer that asks us to come back later without saying
 * (usably) when: a 429 without a usable Retry-After. Never zero: half the exponential ceiling,
 * plus up to as much again at random.
 */
export function backoffWithoutAdviceMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * How long an answer asks us to wait before the same request is sent again, or undefined when it
 * does not ask: a 429 always asks (without a usable Retry-After, a backoff that is never zero); a
 * 503 asks only with a usable Retry-After (without one it is an ordinary retryable 5xx).
 */
export function askedWaitMs(dialect: ProviderDialect, res: TransportResponse, attempt: number, now: number): number | undefined {
  if (res.status !== 429 && res.status !== 503) return undefined;
  const advised = parseRetryAfter(res, now);
  if (res.status === 503) return advised;
  // A 429 without Retry-After: the rate-limit headers may say when the budget is back.
  return advised ?? dialect.resetWaitMs(res.headers, now) ?? backoffWithoutAdviceMs(attempt);
}

/** Resolve after `ms`, or reject with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
