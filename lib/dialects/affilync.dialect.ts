import { asRecord, intHeader, lifetimeMs, requireToken } from './auth-answer.js';
import { InvalidAuthAnswer, type ProviderDialect, type TokenGrant } from './dialect.interface.js';

/** Facts from docs.affilync.com (api/authentication, api/errors, api/links). */
export const AFFILYNC = {
  defaultBaseUrl: 'https://api.affilync.com/api',
  basePath: '/api',
  apiKeyPrefix: 'afk_live_',
  loginPath: '/auth/login',
  refreshPath: '/auth/refresh',
  accessTokenLifetimeSec: 3600,
  refreshTokenLifetimeSec: 30 * 24 * 3600,
  /** api/authentication's example 401 for an expired token. */
  tokenExpiredMessage: 'Token has expired',
  rateLimitHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
  /** api/errors: requests per minute by plan (Enterprise: custom). Reported by the headers; not an option. */
  plansPerMinute: { free: 30, starter: 60, pro: 300, business: 600 },
  errorCodes: {
    tokenExpired: 'TOKEN_EXPIRED',
    tokenInvalid: 'TOKEN_INVALID',
    insufficientScope: 'INSUFFICIENT_SCOPE',
    notFound: 'RESOURCE_NOT_FOUND',
    validation: 'VALIDATION_ERROR',
    rateLimited: 'RATE_LIMIT_EXCEEDED',
    paymentRequired: 'PAYMENT_REQUIRED',
  },
  /** api/errors: every documented `error_code`. */
  documentedErrorCodes: [
    'TOKEN_EXPIRED',
    'TOKEN_INVALID',
    'INSUFFICIENT_SCOPE',
    'RESOURCE_NOT_FOUND',
    'VALIDATION_ERROR',
    'DUPLICATE_RESOURCE',
    'RATE_LIMIT_EXCEEDED',
    'CAMPAIGN_NOT_ACTIVE',
    'AFFILIATE_NOT_APPROVED',
    'PAYMENT_REQUIRED',
    'QUOTA_EXCEEDED',
  ],
  /** Plan limits: trying again does not help until the plan changes, whatever status carries them (NOT DOCUMENTED). */
  finalErrorCodes: ['QUOTA_EXCEEDED', 'PAYMENT_REQUIRED'],
  /** Not documented as a rule, but every documented code has this shape: upper-case words joined by `_`. */
  errorCodeShape: /^[A-Z][A-Z0-9_]{1,63}$/,
  pagination: { pageParam: 'page', perPageParam: 'per_page', defaultPerPage: 20, maxPerPage: 100 },
  /**
   * For health checks: api/authentication's own example call, one campaign long. Needs
   * `campaigns:read` (an API key without it answers 403).
   */
  healthCheck: { path: '/campaigns', query: { per_page: 1 } },
  /**
   * api/webhooks: `X-Affilync-Signature: sha256=<lowercase hex>`, the HMAC-SHA256 of the raw body
   * keyed with the whsec_ secret exactly as given (prefix kept, nothing decoded).
   */
  webhook: { signatureHeader: 'x-affilync-signature', signaturePrefix: 'sha256=', hmac: 'sha256', secretPrefix: 'whsec_' },
  /**
   * API-key scopes: the ten of account/security, plus commissions:read and payouts:write, which
   * api/commissions requires although the security page does not list them.
   */
  scopes: [
    'campaigns:read',
    'campaigns:write',
    'links:read',
    'links:write',
    'analytics:read',
    'calls:read',
    'calls:write',
    'affiliates:read',
    'affiliates:write',
    'webhooks:manage',
    'commissions:read',
    'payouts:write',
  ],
} as const;

const DOCUMENTED_ERROR_CODES: ReadonlySet<string> = new Set(AFFILYNC.documentedErrorCodes);
const FINAL_ERROR_CODES: ReadonlySet<string> = new Set(AFFILYNC.finalErrorCodes);

/** Affilync's token pair answer: `{ access_token, refresh_token, token_type: 'bearer', expires_in }`. */
function parsePair(body: unknown, sentAt: number, what: string): TokenGrant {
  const o = asRecord(body, what);
  const accessToken = requireToken(o.access_token, 'access_token', what);
  const refreshToken = requireToken(o.refresh_token, 'refresh_token', what);
  if (typeof o.token_type !== 'string' || o.token_type.toLowerCase() !== 'bearer') {
    throw new InvalidAuthAnswer(`${what} answer has a token_type other than bearer`);
  }
  // Timed from when the request was sent: the token may have been minted any time after that.
  return {
    accessToken,
    refreshToken,
    expiresAt: sentAt + lifetimeMs(o.expires_in, 'expires_in', what),
    refreshExpiresAt: sentAt + AFFILYNC.refreshTokenLifetimeSec * 1000,
  };
}

/**
 * X-RateLimit-Reset as epoch ms. Its unit is cut off in Affilync's docs (NOT DOCUMENTED), so all
 * three usual ones are read, told apart by size: from 10^12 it is epoch milliseconds (every such
 * time since 2001), from 10^9 epoch seconds (every such time since 2001, until the year 33658), and
 * below that seconds to wait (a wait of 10^9 s would be 31 years).
 */
function resetToEpochMs(value: number, now: number): number {
  if (value >= 1e12) return value;
  if (value >= 1e9) return value * 1000;
  return now + value * 1000;
}

/** A reset further away than this is not advice a client can use (as for Retry-After). */
const MAX_SENSIBLE_RESET_WAIT_MS = 24 * 3600 * 1000;

export const affilyncDialect: ProviderDialect = {
  name: 'affilync',
  displayName: 'Affilync',
  defaultBaseUrl: AFFILYNC.defaultBaseUrl,
  basePath: AFFILYNC.basePath,
  apiKeyPrefix: AFFILYNC.apiKeyPrefix,
  pagination: {
    kind: 'page',
    pageParam: AFFILYNC.pagination.pageParam,
    perPageParam: AFFILYNC.pagination.perPageParam,
    maxPerPage: AFFILYNC.pagination.maxPerPage,
  },

  loginRequest: (email, password) => ({
    path: AFFILYNC.loginPath,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  }),
  parseLogin: (body, sentAt) => parsePair(body, sentAt, 'Login'),

  refreshWith: 'refresh-token',
  refreshRequest: (grant) => ({
    path: AFFILYNC.refreshPath,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: grant.refreshToken }),
  }),
  parseRefresh: (body, sentAt) => parsePair(body, sentAt, 'Refresh'),
  // A revoked access token says nothing about its refresh token: try the refresh first.
  refreshAfterRejection: true,

  parseError(body) {
    if (typeof body !== 'object' || body === null) return {};
    const o = body as Record<string, unknown>;
    // api/errors: a 422 adds `fields: [{ field, message }, ...]`.
    const fields = Array.isArray(o.fields)
      ? o.fields.filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null).map((f) => ({ field: f.field, message: f.message }))
      : undefined;
    return {
      code: typeof o.error_code === 'string' ? o.error_code : undefined,
      message: typeof o.detail === 'string' ? o.detail : undefined,
      ...(fields ? { fields } : {}),
    };
  },

  isErrorCode: (code) => AFFILYNC.errorCodeShape.test(code),
  isDocumentedErrorCode: (code) => DOCUMENTED_ERROR_CODES.has(code),
  isFinalErrorCode: (code) => FINAL_ERROR_CODES.has(code),

  // api/errors: `{ detail, error_code, status }` (the auth page's example omits status; errors has it).
  formatError: (status, code, message) => ({ detail: message, error_code: code, status }),
  tokenExpiredMessage: AFFILYNC.tokenExpiredMessage,

  parseRateLimit(headers, now) {
    const h = AFFILYNC.rateLimitHeaders;
    const limit = intHeader(headers, h.limit);
    const remaining = intHeader(headers, h.remaining);
    if (limit === undefined || remaining === undefined) return undefined;
    const reset = intHeader(headers, h.reset);
    if (reset === undefined) return { limit, remaining };
    // Epoch ms are exact; epoch seconds and seconds-to-wait may be rounded down by up to a second.
    return { limit, remaining, reset: resetToEpochMs(reset, now), resetPrecisionMs: reset >= 1e12 ? 1 : 1000 };
  },

  resetWaitMs(headers, now) {
    const reset = intHeader(headers, AFFILYNC.rateLimitHeaders.reset);
    if (reset === undefined) return undefined;
    const wait = Math.max(0, resetToEpochMs(reset, now) - now);
    return wait <= MAX_SENSIBLE_RESET_WAIT_MS ? wait : undefined;
  },

  // api/errors: limits are per API key or user token, and every answer reports the budget; the
  // plan table is per minute, so a minute is assumed until an answer says when its window ends.
  ratePolicy: () => ({ kind: 'reported', assumedWindowMs: 60_000 }),
  plans: AFFILYNC.plansPerMinute,
  healthCheck: AFFILYNC.healthCheck,
};
