/**
 * What a provider documents about its API, as data and small pure functions.
 * Nothing here knows Nest or HTTP clients: the outgoing client and the emulator read it.
 */
export type ProviderName = 'affilync' | 'convertly';

/** Tokens obtained from a login or a refresh, with when they stop working (epoch ms). */
export interface TokenGrant {
  accessToken: string;
  /** Affilync only: rotates on every refresh. */
  refreshToken?: string;
  expiresAt: number;
  /** When the refresh token stops working, if the provider documents it. */
  refreshExpiresAt?: number;
}

/** A request the dialect wants sent to its auth endpoints. */
export interface AuthRequest {
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What an error body says, reduced to what a caller can act on. */
export interface ParsedErrorBody {
  code?: string;
  message?: string;
  /** Field-level messages of a validation error (Affilync's 422 `fields[]`), as sent: not yet safe to show. */
  fields?: { field?: unknown; message?: unknown }[];
}

export interface RateLimitInfo {
  limit: number;
  remaining: number;
  /** Epoch ms at which the window resets; absent when the provider did not say (usably). */
  reset?: number;
}

/** RateLimitInfo as the pacing reads it: how precise `reset` is, too. */
export interface ReportedRateLimit extends RateLimitInfo {
  /** 1000 when the header gave whole seconds (the window may end up to a second later than `reset`). */
  resetPrecisionMs?: number;
}

/**
 * How a credential's calls are paced, before they are sent: from the budget the answers report
 * (Affilync's X-RateLimit-*), from a budget known in advance (Convertly's plan), or not at all
 * (then only a 429's Retry-After holds calls back).
 */
export type RatePolicy =
  | { kind: 'reported'; /** Window length assumed until an answer says when the window ends. */ assumedWindowMs: number }
  | { kind: 'window'; limit: number; windowMs: number }
  | { kind: 'none' };

export type PaginationStyle =
  | { kind: 'page'; pageParam: string; perPageParam: string; maxPerPage: number }
  | { kind: 'cursor'; cursorParam: string; limitParam: string; maxPerPage: number };

/**
 * One cheap authenticated read that tells whether the provider is reachable and takes the
 * credential: the smallest page of a documented list. Health checks send it.
 */
export interface HealthCheckCall {
  /** Relative to the base URL, like every call path. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | number>>;
}

/** Thrown by a dialect's parser when an auth answer is unusable; the message never holds a token. */
export class InvalidAuthAnswer extends Error {}

export interface ProviderDialect {
  readonly name: ProviderName;
  /** Human name for messages. */
  readonly displayName: string;
  readonly defaultBaseUrl: string;
  /** The path segment the base URL ends in; a call path must not repeat it. */
  readonly basePath: string;
  /** Documented prefix of API keys, when the provider has API keys. */
  readonly apiKeyPrefix?: string;
  readonly pagination: PaginationStyle;

  loginRequest(email: string, password: string): AuthRequest;
  parseLogin(body: unknown, sentAt: number): TokenGrant;

  /**
   * How this provider renews a token without the password:
   * 'refresh-token' — send the refresh token, get a new pair (old refresh token dies);
   * 'access-token' — send the current, unexpired access token, get a new one (old one dies).
   */
  readonly refreshWith: 'refresh-token' | 'access-token';
  refreshRequest(grant: TokenGrant): AuthRequest;
  parseRefresh(body: unknown, sentAt: number, previous: TokenGrant): TokenGrant;

  /** Whether a rejected access token (401) can still be renewed by a refresh, or needs a login. */
  readonly refreshAfterRejection: boolean;

  parseError(body: unknown): ParsedErrorBody;
  /**
   * Whether an error body's code is shaped like one of this provider's codes (Affilync
   * `TOKEN_EXPIRED`, Convertly an HTTP reason phrase). Anything else is not a code and is dropped.
   */
  isErrorCode(code: string): boolean;
  /** Whether the code is one the provider documents: the only codes quoted from login/refresh answers. */
  isDocumentedErrorCode(code: string): boolean;
  /**
   * Whether an answer with this code will be the same however often the call is sent, whatever its
   * status (Affilync QUOTA_EXCEEDED, a plan limit): never retried, and `retryable: false`.
   */
  isFinalErrorCode(code: string): boolean;
  /** The provider's error body shape, for answers our own guards send in its style. */
  formatError(status: number, code: string, message: string): Record<string, unknown>;
  /** The provider's own words for an expired token, used in answers in its style. */
  readonly tokenExpiredMessage: string;
  parseRateLimit(headers: Record<string, string | string[] | undefined>, now: number): ReportedRateLimit | undefined;
  /**
   * How long the provider's rate-limit headers say to wait before its budget is back (Affilync's
   * X-RateLimit-Reset), for a 429 without Retry-After: ms from `now`, 0 for a time already past;
   * undefined when they do not say, or not usably (more than a day away).
   */
  resetWaitMs(headers: Record<string, string | string[] | undefined>, now: number): number | undefined;
  /**
   * How calls on one credential are paced; `plan` is the block's `plan` option (Convertly), already
   * validated against `plans`.
   */
  ratePolicy(plan: string | undefined): RatePolicy;
  /** The plans whose budget is documented (`plan` option values), with requests per minute. */
  readonly plans: Readonly<Record<string, number>>;
  /** The call a health check sends to see the provider answer this credential. */
  readonly healthCheck: HealthCheckCall;
}
