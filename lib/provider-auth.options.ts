import type { TokenStore } from './client/token-store.interface.js';

/** Affilync, server to server: the key is sent as the bearer credential; no login. */
export interface AffilyncApiKeyOptions {
  /** Defaults to https://api.affilync.com/api */
  baseUrl?: string;
  apiKey: string;
}

/** Affilync, user session: log in with email/password; rotating refresh tokens. */
export interface AffilyncPasswordOptions {
  baseUrl?: string;
  email: string;
  password: string;
}

export type AffilyncOptions = AffilyncApiKeyOptions | AffilyncPasswordOptions;

export interface ConvertlyOptions {
  /** Defaults to https://api.convertlyhq.com/v1 */
  baseUrl?: string;
  email: string;
  password: string;
}

export interface HttpOptions {
  /** Per-attempt timeout in ms (default 10 000). A timed-out attempt is not retried. */
  timeoutMs?: number;
  /** Retries of idempotent calls after a 5xx, a network error or a 429 (default 2). */
  maxRetries?: number;
  /** Longest Retry-After the client waits out by itself; a longer one is thrown (default 5 000). */
  maxRetryAfterMs?: number;
}

/** Options of ProviderAuthModule.forRoot() (isGlobal is a builder extra beside these). */
export interface ProviderAuthModuleOptions {
  affilync?: AffilyncOptions;
  convertly?: ConvertlyOptions;
  http?: HttpOptions;
  /** Where tokens are kept; default in-memory (one process). */
  tokenStore?: TokenStore;
}

/** A provider block after validation: defaults applied, base URL split for the transport. */
export interface ResolvedProviderOptions {
  baseUrl: string;
  origin: string;
  basePathname: string;
  apiKey?: string;
  email?: string;
  password?: string;
}

export interface ResolvedProviderAuthOptions {
  affilync?: ResolvedProviderOptions;
  convertly?: ResolvedProviderOptions;
  http: Required<HttpOptions>;
  tokenStore?: TokenStore;
}

export const HTTP_DEFAULTS: Required<HttpOptions> = { timeoutMs: 10_000, maxRetries: 2, maxRetryAfterMs: 5_000 };
