/** Public types of the provider emulator. */

/** An account the emulator accepts on both providers' login routes. */
export interface EmulatorUser {
  email: string;
  password: string;
  /**
   * Convertly's Brand Admin / Brand Member; its documented route is open to both. A token carries
   * the library's role scopes on Affilync too: a member reads everything there but creates no
   * links, numbers or webhooks (default 'admin').
   */
  role?: 'admin' | 'member';
  /**
   * Convertly plan: 'starter' gets 403 on every resource route; 'growth' (default) and 'scale' are
   * allowed, and with `rateLimits: 'documented'` get 100 and 500 requests per minute.
   */
  plan?: string;
  /** Convertly brand id, returned by the login and put in the token's `brandId` claim. */
  brandId?: string;
}

export interface EmulatorOptions {
  /** Access-token lifetime in whole seconds, for both providers. Default: the documented lifetimes. */
  accessTokenTtlSec?: number;
  /** Accounts to accept. Default: `[EMULATOR_DEFAULT_USER]`. */
  users?: EmulatorUser[];
  /**
   * How long to wait before each retry of a webhook delivery that failed (a non-2xx answer, a
   * connection error, or no answer within 10 s): `[50, 100]` retries twice, 50 ms then 100 ms
   * after the previous attempt failed; `[]` never retries. At most 20 finite, non-negative numbers
   * of milliseconds. Default: 1 min, 5 min, 30 min, 2 h, 5 h — the emulator's own choice, since
   * Affilync's docs cut their retry policy short (PROVIDERS.md §1.7).
   */
  webhookRetryDelaysMs?: number[];
  /**
   * Enforce rate limits per credential (an Affilync API key, an Affilync user, a Convertly user):
   * `'documented'` for the providers' documented limits (Affilync 300 per minute, Convertly 100 or
   * 500 per minute by the user's plan), or an explicit `{ limit, windowMs }` per provider (one left
   * out is not limited). Default: off — nothing is ever refused 429, and Affilync's X-RateLimit-*
   * headers are decoration. See docs/testing.md, "Rate limits in the emulator".
   */
  rateLimits?: EmulatorRateLimits;
}

/** `limit` requests per credential in a fixed window of `windowMs` that opens at its first counted request. */
export interface EmulatorRateLimit {
  /** A whole number, at least 1. */
  limit: number;
  /** Whole milliseconds, at least 1. */
  windowMs: number;
}

/** The `rateLimits` option of ProviderEmulator.start(). */
export type EmulatorRateLimits = 'documented' | { affilync?: EmulatorRateLimit; convertly?: EmulatorRateLimit };

/** One attempt to deliver an Affilync webhook event (see ProviderEmulator.deliveries). */
export interface EmulatedDelivery {
  /** The event's `evt_…` id: the same for every attempt, duplicate and retry of one event. */
  readonly id: string;
  /** The event name, e.g. `conversion.created`. */
  readonly event: string;
  /** The webhook's `url` the attempt was POSTed to. */
  readonly url: string;
  /** 1 for the first attempt, 2 for the first retry, … (a duplicate starts again at 1). */
  readonly attempt: number;
  /** The HTTP status answered, or 0 when no answer came (connection error, timeout, emulator closed). */
  readonly status: number;
  /** When the attempt was made: ISO 8601 with milliseconds, e.g. `2026-03-21T15:00:00.123Z`. */
  readonly at: string;
}

export const EMULATOR_DEFAULT_USER: EmulatorUser = Object.freeze({
  email: 'demo@example.com',
  password: 'demo-password',
  role: 'admin',
  plan: 'growth',
  brandId: 'brand_demo',
} as const);

export type EmulatedProvider = 'affilync' | 'convertly';

/** How clientOptions() has the Affilync client authenticate: the emulator's API key, or the user's login. */
export type EmulatorAffilyncAuth = 'apiKey' | 'password';

/**
 * ProviderAuthModule option blocks pointing at a running emulator (see ProviderEmulator.clientOptions).
 * Assignable to ProviderAuthModuleOptions; spread it and add your own blocks (`incoming`, `http`).
 */
export interface EmulatorClientOptions<A extends EmulatorAffilyncAuth = EmulatorAffilyncAuth> {
  affilync: A extends 'password' ? { baseUrl: string; email: string; password: string } : { baseUrl: string; apiKey: string };
  convertly: { baseUrl: string; email: string; password: string };
}

export interface ProviderCounters {
  /** Successful logins. */
  logins: number;
  /** Successful refreshes. */
  refreshes: number;
  /** Every resource (non-auth) request received, faulted ones included. */
  calls: number;
  /** Resource requests answered 401. */
  rejected: number;
  /** Login requests that got no token (refused, malformed, or answered by a fault). */
  failedLogins: number;
  /** Refresh requests that got no token (refused, malformed, or answered by a fault). */
  failedRefreshes: number;
  /** Resource requests answered 429: refused by the `rateLimits` option, or by a fault. */
  rateLimited: number;
}

/** A misbehaviour to inject into the next matching request(s). */
export interface FaultSpec {
  provider: EmulatedProvider;
  /** Relative to the base URL ('/campaigns', '/auth/login'), without query; exact match. Omitted: any path. */
  path?: string;
  /** Omitted: any method. */
  method?: string;
  /** How many matching requests it applies to. Default 1; Infinity allowed. */
  times?: number;
  /** Answer with this status and the provider's error body for it. */
  status?: number;
  /** Retry-After header value (use with status 429). */
  retryAfter?: string;
  /** Extra answer headers. Without status/body/hang they are added to the normal answer. */
  headers?: Record<string, string>;
  /** Raw body text to send instead (content-type application/json), with `status` or 200. */
  body?: string;
  /** Never answer: the socket stays open until the client gives up or the emulator closes. */
  hang?: boolean;
  /** Wait this long, then answer normally or with the fault. */
  delayMs?: number;
}

export function emptyCounters(): ProviderCounters {
  return { logins: 0, refreshes: 0, calls: 0, rejected: 0, failedLogins: 0, failedRefreshes: 0, rateLimited: 0 };
}
