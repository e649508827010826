import { STATUS_CODES } from 'node:http';
import { asRecord, decodeJwtPayload, lifetimeMs, MAX_TOKEN_LIFETIME_MS, MIN_TOKEN_LIFETIME_MS, requireToken } from './auth-answer.js';
import { InvalidAuthAnswer, type ProviderDialect } from './dialect.interface.js';

/** Facts from help.convertlyhq.com (api/overview, api/authentication). */
export const CONVERTLY = {
  defaultBaseUrl: 'https://api.convertlyhq.com/v1',
  basePath: '/v1',
  loginPath: '/auth/brand/login',
  refreshPath: '/auth/refresh',
  tokenLifetimeSec: 24 * 3600,
  /** api/authentication: the body of a 401 for an expired token says exactly this. */
  tokenExpiredMessage: 'Token expired',
  pagination: { cursorParam: 'cursor', limitParam: 'limit', defaultLimit: 20, maxPerPage: 100 },
  /** For health checks: the one documented path (api/overview), one creator long. */
  healthCheck: { path: '/affiliates', query: { limit: 1 } },
  /** Overview: requests per minute by plan (Starter has no API). */
  plansPerMinute: { growth: 100, scale: 500 },
} as const;

/**
 * Convertly answers `{ data: { accessToken, ... } }` with no expires_in. The lifetime comes from
 * the JWT's exp (minus iat when present, timed from when we sent the request, so a skewed server
 * clock does not matter), else the documented 24 h.
 */
function parseAccessToken(body: unknown, sentAt: number, what: string) {
  const data = asRecord(asRecord(body, what).data, `${what} data`);
  const accessToken = requireToken(data.accessToken, 'data.accessToken', what);
  const claims = decodeJwtPayload(accessToken);
  const exp = claims?.exp;
  const iat = claims?.iat;
  let expiresAt = sentAt + CONVERTLY.tokenLifetimeSec * 1000;
  if (typeof exp === 'number' && Number.isFinite(exp)) {
    expiresAt = typeof iat === 'number' && Number.isFinite(iat) ? sentAt + lifetimeMs(exp - iat, 'exp claim', what) : exp * 1000;
    if (expiresAt - sentAt < MIN_TOKEN_LIFETIME_MS) {
      throw new InvalidAuthAnswer(`${what} answer holds a token that is expired or lives under 1 s`);
    }
    if (expiresAt - sentAt > MAX_TOKEN_LIFETIME_MS) throw new InvalidAuthAnswer(`${what} answer has an absurd exp claim`);
  }
  return { accessToken, expiresAt };
}

// api/overview: no machine codes; `error` is the HTTP reason phrase of Nest's default exception body.
const REASON_PHRASES: ReadonlySet<string> = new Set(Object.values(STATUS_CODES).filter((p): p is string => typeof p === 'string'));

export const convertlyDialect: ProviderDialect = {
  name: 'convertly',
  displayName: 'Convertly',
  defaultBaseUrl: CONVERTLY.defaultBaseUrl,
  basePath: CONVERTLY.basePath,
  pagination: {
    kind: 'cursor',
    cursorParam: CONVERTLY.pagination.cursorParam,
    limitParam: CONVERTLY.pagination.limitParam,
    maxPerPage: CONVERTLY.pagination.maxPerPage,
  },

  loginRequest: (email, password) => ({
    path: CONVERTLY.loginPath,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  }),
  parseLogin: (body, sentAt) => parseAccessToken(body, sentAt, 'Login'),

  refreshWith: 'access-token',
  refreshRequest: (grant) => ({
    path: CONVERTLY.refreshPath,
    headers: { authorization: `Bearer ${grant.accessToken}` },
  }),
  // Not documented: the refresh answer's shape. The docs' own example reads `.data.accessToken`.
  parseRefresh: (body, sentAt) => parseAccessToken(body, sentAt, 'Refresh'),
  // Refresh needs a live token; a rejected one can only be replaced by a login.
  refreshAfterRejection: false,

  parseError(body) {
    if (typeof body !== 'object' || body === null) return {};
    const o = body as Record<string, unknown>;
    const message = Array.isArray(o.message) ? o.message.filter((m) => typeof m === 'string').join('; ') : o.message;
    return {
      code: typeof o.error === 'string' ? o.error : undefined,
      message: typeof message === 'string' ? message : undefined,
    };
  },

  isErrorCode: (code) => REASON_PHRASES.has(code),
  isDocumentedErrorCode: (code) => REASON_PHRASES.has(code),
  // No machine codes: nothing marks an answer as final beyond its status.
  isFinalErrorCode: () => false,

  // NestJS's default shape, which Convertly documents; it has no machine codes, so `error` is the
  // HTTP reason phrase and our code is not sent.
  formatError: (status, _code, message) => ({ statusCode: status, message, error: STATUS_CODES[status] ?? 'Error' }),
  tokenExpiredMessage: CONVERTLY.tokenExpiredMessage,

  // No X-RateLimit-* headers are documented for Convertly; only Retry-After on a 429.
  parseRateLimit: () => undefined,
  resetWaitMs: () => undefined,
  // No headers report the budget, so the configured plan's is paced as a sliding minute. Whether
  // the limit is per token, user or brand is NOT DOCUMENTED: we budget per login (credential).
  ratePolicy: (plan) => {
    const perMinute = plan === undefined ? undefined : (CONVERTLY.plansPerMinute as Record<string, number>)[plan];
    return perMinute === undefined ? { kind: 'none' } : { kind: 'window', limit: perMinute, windowMs: 60_000 };
  },
  plans: CONVERTLY.plansPerMinute,
  healthCheck: CONVERTLY.healthCheck,
};
