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
  /** Convertly plan: 'starter' gets 403 on every resource route; 'growth' (default) and 'scale' are allowed. */
  plan?: string;
  /** Convertly brand id, returned by the login and put in the token's `brandId` claim. */
  brandId?: string;
}

export interface EmulatorOptions {
  /** Access-token lifetime in whole seconds, for both providers. Default: the documented lifetimes. */
  accessTokenTtlSec?: number;
  /** Accounts to accept. Default: `[EMULATOR_DEFAULT_USER]`. */
  users?: EmulatorUser[];
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
  return { logins: 0, refreshes: 0, calls: 0, rejected: 0, failedLogins: 0, failedRefreshes: 0 };
}
