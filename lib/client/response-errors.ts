import type { ProviderDialect } from '../dialects/dialect.interface.js';
import { headerValue } from '../dialects/auth-answer.js';
import { ProviderApiError, ProviderAuthError, ProviderForbiddenError, ProviderInvalidResponseError, ProviderRateLimitError } from './errors.js';
import type { TransportResponse } from './http-transport.js';
import { parseRetryAfterValue } from './retry-after.js';
import { safeErrorCode, safeFieldErrors, safeProviderText, type HeldSecrets } from './provider-text.js';

/** Parse a JSON answer; undefined for an empty one. Throws ProviderInvalidResponseError otherwise. */
export function parseJsonBody(dialect: ProviderDialect, res: TransportResponse, what: string | (() => string)): unknown {
  if (res.text.length === 0) return undefined;
  try {
    return JSON.parse(res.text);
  } catch {
    throw new ProviderInvalidResponseError({
      provider: dialect.name,
      status: res.status,
      message: `${dialect.displayName} answered ${typeof what === 'string' ? what : what()} with a body that is not valid JSON`,
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
  /** The names the failing request carried (query parameters, body keys): see safeFieldErrors. */
  sentNames?: ReadonlySet<string>;
}

/** What the client knows of the call an answer came to. */
export interface CallHistory {
  /** An earlier attempt of the same call had been sent (this answer came to a retry). */
  retried?: boolean;
}

/** How many field names a message lists (all of them are on `fields`). */
const FIELDS_NAMED_IN_MESSAGE = 10;

function parseBody(res: TransportResponse): unknown {
  try {
    return res.text ? JSON.parse(res.text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether an error answer carries a code the provider uses for "this will not change if you try
 * again" (Affilync QUOTA_EXCEEDED): such an answer is never retried, whatever its status.
 */
export function isFinalAnswer(dialect: ProviderDialect, res: TransportResponse): boolean {
  const code = dialect.parseError(parseBody(res)).code;
  return code !== undefined && dialect.isFinalErrorCode(code);
}

/** The error for a non-2xx answer. `what` names the call ("GET /campaigns", "login"). */
export function errorFromResponse(
  dialect: ProviderDialect,
  res: TransportResponse,
  what: string,
  policy: QuotePolicy,
  history: CallHistory = {},
): ProviderApiError {
  const parsed = dialect.parseError(parseBody(res));
  const authAnswer = policy.authAnswer === true;
  const code = safeErrorCode(dialect, parsed.code, policy.secrets, authAnswer);
  const said = authAnswer || parsed.message === undefined ? undefined : safeProviderText(parsed.message, policy.secrets);
  // Login and refresh answers quote nothing, field names included.
  const fields = authAnswer ? undefined : safeFieldErrors(parsed.fields, policy.secrets, policy.sentNames);
  const named = fields?.slice(0, FIELDS_NAMED_IN_MESSAGE).map((f) => f.field);
  const more = fields && fields.length > FIELDS_NAMED_IN_MESSAGE ? ', …' : '';
  const retried = history.retried === true;
  const init = {
    provider: dialect.name,
    status: res.status,
    code,
    message:
      `${dialect.displayName} answered ${res.status} to ${retried ? 'a retry of ' : ''}${what}${code ? ` (${code})` : ''}${said ? `: ${said}` : ''}` +
      (named ? ` [fields: ${named.join(', ')}${more}]` : ''),
    ...(fields ? { fields } : {}),
    ...(retried ? { retried } : {}),
  };
  if (parsed.code !== undefined && dialect.isFinalErrorCode(parsed.code)) {
    // A plan limit: the same answer until the plan changes, whatever the status says.
    return res.status === 401
      ? new ProviderAuthError({ ...init, retryable: false })
      : res.status === 403
        ? new ProviderForbiddenError({ ...init, retryable: false })
        : new ProviderApiError({ ...init, retryable: false });
  }
  switch (res.status) {
    case 401:
      return new ProviderAuthError({ ...init, retryable: false });
    case 403:
      return new ProviderForbiddenError({ ...init, retryable: false });
    case 429:
      return new ProviderRateLimitError({ ...init, retryAfterMs: parseRetryAfter(res, Date.now()) ?? dialect.resetWaitMs(res.headers, Date.now()) });
    case 503:
      return new ProviderApiError({ ...init, retryable: true, retryAfterMs: parseRetryAfter(res, Date.now()) });
    default:
      return new ProviderApiError({ ...init, retryable: res.status >= 500 || res.status === 408 });
  }
}
