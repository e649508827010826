import type { ProviderDialect } from '../dialects/dialect.interface.js';
import { headerValue } from '../dialects/auth-answer.js';
import {
  ProviderApiError,
  ProviderAuthError,
  ProviderForbiddenError,
  ProviderInvalidResponseError,
  ProviderRateLimitError,
} from './errors.js';
import type { TransportResponse } from './http-transport.js';
import { scrubSecrets } from './secret-scrub.js';

/** Parse a JSON answer; undefined for an empty one. Throws ProviderInvalidResponseError otherwise. */
export function parseJsonBody(dialect: ProviderDialect, res: TransportResponse, what: string): unknown {
  if (res.text.length === 0) return undefined;
  try {
    return JSON.parse(res.text);
  } catch {
    throw new ProviderInvalidResponseError({
      provider: dialect.name,
      status: res.status,
      message: `${dialect.displayName} answered ${what} with a body that is not valid JSON`,
      retryable: false,
    });
  }
}

// A wait longer than this is not advice we can use: treat it as garbage.
const MAX_SENSIBLE_RETRY_AFTER_MS = 24 * 3600 * 1000;

/**
 * `Retry-After` in seconds or as an HTTP date, as ms to wait from `now`; undefined when absent or
 * unusable (negative, garbage, absurdly far away).
 */
export function parseRetryAfter(res: TransportResponse, now: number): number | undefined {
  const raw = headerValue(res.headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(raw)) ms = Math.round(Number(raw) * 1000);
  else if (/[a-z]/i.test(raw) && !Number.isNaN(Date.parse(raw))) ms = Math.max(0, Date.parse(raw) - now);
  else return undefined;
  return ms <= MAX_SENSIBLE_RETRY_AFTER_MS ? ms : undefined;
}

/** The error for a non-2xx answer. `what` names the call ("GET /campaigns", "login"). */
export function errorFromResponse(
  dialect: ProviderDialect,
  res: TransportResponse,
  what: string,
  secrets: readonly (string | undefined)[],
): ProviderApiError {
  let body: unknown;
  try {
    body = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    body = undefined;
  }
  const { code, message } = dialect.parseError(body);
  const said = message ? `: ${scrubSecrets(message, secrets)}` : '';
  const init = {
    provider: dialect.name,
    status: res.status,
    code: code === undefined ? undefined : scrubSecrets(code, secrets),
    message: `${dialect.displayName} answered ${res.status} to ${what}${code ? ` (${code})` : ''}${said}`,
  };
  switch (res.status) {
    case 401:
      return new ProviderAuthError({ ...init, retryable: false });
    case 403:
      return new ProviderForbiddenError({ ...init, retryable: false });
    case 429:
      return new ProviderRateLimitError({ ...init, retryAfterMs: parseRetryAfter(res, Date.now()) });
    default:
      return new ProviderApiError({ ...init, retryable: res.status >= 500 || res.status === 408 });
  }
}
