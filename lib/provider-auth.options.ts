import type { KeyObject } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import type { RateLimitStore } from './client/rate-limit-store.interface.js';
import type { TokenStore } from './client/token-store.interface.js';
import type { Role } from './incoming/principal.js';
import type { ApiKeyStore } from './issuing/api-key-store.interface.js';
import type { JwtKey } from './issuing/hs256-jwt.js';
import type { RefreshTokenStore } from './issuing/refresh-token-store.interface.js';
import type { EventIdStore } from './webhooks/event-id-store.interface.js';

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

/**
 * A provider block without default credentials: the client serves `forAccount()` only, and a call
 * on the injected client itself is a ProviderAuthConfigError.
 */
export interface ProviderEndpointOptions {
  /** Where every account's calls go, unless forAccount() gives its own; defaults to the provider's. */
  baseUrl?: string;
}

/** One Affilync account for `affilync.forAccount()`: an API key, or a login. `baseUrl` defaults to the block's. */
export type AffilyncAccount = AffilyncOptions;

export interface ConvertlyOptions {
  /** Defaults to https://api.convertlyhq.com/v1 */
  baseUrl?: string;
  email: string;
  password: string;
  /**
   * The account's plan, whose documented rate limit the client paces to: 'growth' (100 requests a
   * minute) or 'scale' (500). Convertly reports no budget in its answers: without a plan, calls are
   * not paced and only a 429's Retry-After holds them back.
   */
  plan?: 'growth' | 'scale';
}

/** One Convertly account for `convertly.forAccount()`, with its plan when pacing needs it. `baseUrl` defaults to the block's. */
export type ConvertlyAccount = ConvertlyOptions;

export interface HttpOptions {
  /** Per-attempt timeout in ms (default 10 000). A timed-out attempt is not retried. */
  timeoutMs?: number;
  /** Retries of idempotent calls after a 5xx, a network error or a 429 (default 2). */
  maxRetries?: number;
  /** Longest Retry-After the client waits out by itself; a longer one is thrown (default 5 000). */
  maxRetryAfterMs?: number;
  /**
   * Largest answer body the client reads, in bytes (default 16 MiB; 1 024 … 1 073 741 824). A
   * larger one (announced or streamed) is dropped unread: ProviderInvalidResponseError.
   */
  maxResponseBytes?: number;
  /**
   * The undici 7 Dispatcher every call goes through, instead of the package's own connection pool
   * per origin: a `ProxyAgent` for a corporate proxy, a `MockAgent` in tests. It must come from
   * undici 7 (the version the package uses; other versions cannot drive its handlers and are
   * refused at bootstrap). The module never closes it: it is yours.
   */
  dispatcher?: Dispatcher;
}

/** `http` after validation: every number set, the dispatcher when given. */
export type ResolvedHttpOptions = Required<Omit<HttpOptions, 'dispatcher'>> & { dispatcher?: Dispatcher };

/** How the app's own routes check credentials (ProviderAuthGuard) and issue them (TokenService, ApiKeyService). */
export interface IncomingOptions {
  /**
   * HMAC secret for the HS256 tokens TokenService issues and the guard accepts: at least 32 bytes.
   * To rotate, a list of `{ kid, secret }`: the first signs (with its `kid` in the token header),
   * every one verifies; a token without `kid` (issued under a single secret) is checked against
   * each, so switching to a list logs no one out (docs/secret-rotation.md).
   */
  jwtSecret: string | Buffer | { kid: string; secret: string | Buffer }[];
  /** Body shape of 400/401/403/503 answers (default 'affilync'). */
  errorFormat?: 'affilync' | 'convertly';
  /** `WWW-Authenticate: Bearer realm="…"` (default 'api'). */
  realm?: string;
  /** Leeway for exp/nbf/iat checks, 0 … 60 s (default 5). */
  clockToleranceSec?: number;
  /** Lifetime of issued access tokens (default 3600). */
  accessTokenTtlSec?: number;
  /** Lifetime of issued refresh tokens (default 30 days). */
  refreshTokenTtlSec?: number;
  /**
   * Longest session, in seconds from the user's authentication (TokenService.issue): refresh() and
   * rotateAccessToken() refuse to renew past it with 401 TOKEN_EXPIRED, so the user logs in again.
   * 60 … 366 days (default 30 days). Tokens already issued live out their own lifetime.
   */
  maxSessionSec?: number;
  /** The scope catalogue (default: Affilync's ten key scopes plus commissions:read, payouts:write). */
  scopes?: string[];
  /** Scopes each role holds (default: admin every scope; member every :read plus campaigns:write, affiliates:write). */
  roleScopes?: Record<Role, string[]>;
  /** Plans whose users may pass (e.g. ['growth', 'scale']); others get 403 PAYMENT_REQUIRED. */
  allowedPlans?: string[];
  apiKeyStore?: ApiKeyStore;
  refreshTokenStore?: RefreshTokenStore;
  /**
   * The secret you gave Affilync when registering the webhook (`whsec_…`), for @AffilyncWebhook()
   * routes and AffilyncWebhookGuard. While rotating, a list: a signature made with any of them
   * passes (add the new one, re-register with Affilync, then remove the old one).
   */
  webhookSecret?: string | string[];
  /**
   * Where handled webhook event ids are remembered (default in-memory: one process). Replicas that
   * share webhook traffic share one: `RedisEventIdStore` from `nest-provider-auth/redis`.
   */
  eventIdStore?: EventIdStore;
  /** How long a handled event id is remembered, so a redelivery is not handled again (default 7 days). */
  webhookDedupTtlSec?: number;
  /**
   * How long one handling holds its event id (default 60 s): another delivery of the same event
   * meanwhile gets 409 and is retried by the provider; after it, a holder that died lets go.
   */
  webhookLeaseSec?: number;
  /**
   * Microservice (RPC) handlers under ProviderAuthGuard are denied unless this says where their
   * bearer credential is: it gets the handler's ExecutionContext and returns the credential (an
   * `afk_live_` key or an access token, without `Bearer `) or undefined (then 401 TOKEN_INVALID).
   *
   * @example rpcCredential: (context) => context.switchToRpc().getData<{ authorization?: string }>()?.authorization
   */
  rpcCredential?: (context: ExecutionContext) => string | undefined;
  /**
   * Verified credentials remembered until they expire, so a token seen again is not checked
   * again (default 10,000; 0 turns it off). Used only while both stores feed revocations
   * (`revocations`; the built-in and Redis stores do) and the feeds are live.
   */
  cacheEntries?: number;
}

/** Options of ProviderAuthModule.forRoot() (isGlobal is a builder extra beside these). */
export interface ProviderAuthModuleOptions {
  /** Affilync's default account (API key or login), or `{}` / `{ baseUrl }` for forAccount() only. */
  affilync?: AffilyncOptions | ProviderEndpointOptions;
  /** Convertly's default account, or `{}` / `{ baseUrl }` for forAccount() only. */
  convertly?: ConvertlyOptions | ProviderEndpointOptions;
  http?: HttpOptions;
  /**
   * How many forAccount() clients each provider keeps ready (default 1,000; 1 … 1,000,000); the
   * least recently used goes first. Evicting one loses nothing: its tokens stay in the token store
   * and the next forAccount() for that account picks them up.
   */
  accountsCacheSize?: number;
  /** Where tokens are kept; default in-memory (one process). */
  tokenStore?: TokenStore;
  /**
   * Where each credential's rate-limit budget is kept; default in-memory (one process). Replicas that
   * share a credential share its budget through RedisRateLimitStore (`nest-provider-auth/redis`).
   */
  rateLimitStore?: RateLimitStore;
  /** Protect the app's own routes; required by ProviderAuthGuard, TokenService and ApiKeyService. */
  incoming?: IncomingOptions;
}

/** A provider block (or a forAccount() account) after validation: defaults applied, base URL split for the transport. */
export interface ResolvedProviderOptions {
  baseUrl: string;
  origin: string;
  basePathname: string;
  apiKey?: string;
  email?: string;
  password?: string;
  /** Convertly's plan, when given: its documented budget is paced to. */
  plan?: string;
}

export interface ResolvedIncomingOptions {
  /** The signing secret as a KeyObject: jsonwebtoken verifies ~50× faster than with a string. */
  secretKey: KeyObject;
  /** Every JWT secret, the signing one first (`kid` only when jwtSecret is a list). */
  jwtKeys: readonly JwtKey[];
  errorFormat: 'affilync' | 'convertly';
  realm: string;
  clockToleranceSec: number;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  maxSessionSec: number;
  cacheEntries: number;
  scopes: readonly string[];
  roleScopes: Readonly<Record<Role, readonly string[]>>;
  allowedPlans?: ReadonlySet<string>;
  rpcCredential?: (context: ExecutionContext) => string | undefined;
  apiKeyStore?: ApiKeyStore;
  refreshTokenStore?: RefreshTokenStore;
  /** Every secret a webhook signature may be made with; empty when none is configured. */
  webhookKeys: readonly KeyObject[];
  eventIdStore?: EventIdStore;
  webhookDedupTtlSec: number;
  webhookLeaseSec: number;
}

export interface ResolvedProviderAuthOptions {
  affilync?: ResolvedProviderOptions;
  convertly?: ResolvedProviderOptions;
  http: ResolvedHttpOptions;
  accountsCacheSize: number;
  tokenStore?: TokenStore;
  rateLimitStore?: RateLimitStore;
  incoming?: ResolvedIncomingOptions;
}

export const ACCOUNTS_CACHE_DEFAULT = 1_000;

export const HTTP_DEFAULTS: ResolvedHttpOptions = { timeoutMs: 10_000, maxRetries: 2, maxRetryAfterMs: 5_000, maxResponseBytes: 16_777_216 };
