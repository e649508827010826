import type { HttpMethod } from './http-transport.js';

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
