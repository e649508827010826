import type { ProviderDialect } from '../dialects/dialect.interface.js';
import { headerValue } from '../dialects/auth-answer.js';
import { ProviderApiError, ProviderAuthError, ProviderForbiddenError, ProviderInvalidResponseError, ProviderRateLimitError } from './errors.js';
import type { TransportResponse } from './http-transport.js';
import { parseRetryAfterValue } from './retry-after.js';
import { safeErrorCode, safeProviderText, type HeldSecrets } from './provider-text.js';

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

/**
 * `Retry-After` as ms to wait from `now` (RFC 9110: seconds or an HTTP-date); undefined when
 * absent or unusable, so that the caller backs off instead.
 */
export function parseRetryAfter(res: TransportResponse, now: number): number | undefined {
  return parseRetryAfterValue(headerValue(res.headers, 'retry-after'), now);
}

/** What an error may quote from the answer it describes. */
export interface QuotePolicy {
  /** Everything the client holds, including the credential the failing call was sent with. */
  secrets: HeldSecrets;
  /**
   * Login and refresh answers: their words are never quoted, only a documented code, since they
   * answer a request that carried the password or the refresh token.
   */
  authAnswer?: boolean;
}

/** The error for a non-2xx answer. `what` names the call ("GET /campaigns", "login"). */
export function errorFromResponse(dialect: ProviderDialect, res: TransportResponse, what: string, policy: QuotePolicy): ProviderApiError {
  let body: unknown;
  try {
    body = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    body = undefined;
  }
  const parsed = dialect.parseError(body);
  const authAnswer = policy.authAnswer === true;
  const code = safeErrorCode(dialect, parsed.code, policy.secrets, authAnswer);
  const said = authAnswer || parsed.message === undefined ? undefined : safeProviderText(parsed.message, policy.secrets);
  const init = {
    provider: dialect.name,
    status: res.status,
    code,
    message: `${dialect.displayName} answered ${res.status} to ${what}${code ? ` (${code})` : ''}${said ? `: ${said}` : ''}`,
  };
  switch (res.status) {
    case 401:
      return new ProviderAuthError({ ...init, retryable: false });
    case 403:
      return new ProviderForbiddenError({ ...init, retryable: false });
    case 429:
      return new ProviderRateLimitError({ ...init, retryAfterMs: parseRetryAfter(res, Date.now()) });
    case 503:
      return new ProviderApiError({ ...init, retryable: true, retryAfterMs: parseRetryAfter(res, Date.now()) });
    default:
      return new ProviderApiError({ ...init, retryable: res.status >= 500 || res.status === 408 });
  }
}
