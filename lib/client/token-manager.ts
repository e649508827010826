import { createHash } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { InvalidAuthAnswer, type AuthRequest, type ProviderDialect, type TokenGrant } from '../dialects/dialect.interface.js';
import { abortable } from './abortable.js';
import type { CredentialSource } from './credential-source.js';
import { ProviderApiError, ProviderAuthError, ProviderInvalidResponseError, ProviderRateLimitError, TokenStoreUnavailableError } from './errors.js';
import type { HttpTransport, TransportResponse } from './http-transport.js';
import { refreshAtFor, refreshSafetyMs } from './refresh-schedule.js';
import { askedWaitMs, sleep } from './retry-policy.js';
import { errorFromResponse, parseJsonBody } from './response-errors.js';
import type { ResolvedHttpOptions } from '../provider-auth.options.js';
import type { StoredToken, TokenStore, VersionedToken } from './token-store.interface.js';
import type { CallTrace, ClientTelemetry, TokenExchangeKind } from '../telemetry/provider-telemetry.js';

export interface TokenManagerConfig {
  dialect: ProviderDialect;
  transport: HttpTransport;
  /** Path of the base URL on its origin, e.g. '/api'. */
  basePathname: string;
  baseUrl: string;
  email: string;
  password: string;
  store: TokenStore;
  http: ResolvedHttpOptions;
  logger: LoggerService;
  /** Login and refresh spans and counters (absent or disabled: none). */
  telemetry?: ClientTelemetry;
}

/** Store key for one credential: provider, base URL and a hash of the identity, never a secret. */
export function tokenStoreKey(provider: string, baseUrl: string, email: string): string {
  const identity = createHash('sha256').update(`${baseUrl}\n${email.toLowerCase()}`).digest('hex').slice(0, 32);
  return `nest-provider-auth:token:${provider}:${identity}`;
}

// Answers from login/refresh that mean "these credentials are refused", not "try later".
const REFUSED = new Set([400, 401, 422]);

/**
 * The life of one email/password credential: logs in lazily, renews early, renews exactly once
 * however many callers need it (one in flight per process, and the store's lock across
 * replicas), and renews after a 401 only if the rejected token is still the current one.
 */
export class TokenManager implements CredentialSource {
  private readonly key: string;
  private inflight?: Promise<StoredToken>;
  private lastSeen?: StoredToken;

  constructor(private readonly cfg: TokenManagerConfig) {
    this.key = tokenStoreKey(cfg.dialect.name, cfg.baseUrl, cfg.email);
  }

  /**
   * The token this process last read or obtained, until its renewal point: no store round trip
   * per call (with Redis, one per call would double the cost of every request). If another
   * replica replaced it meanwhile, the provider answers 401 and afterRejection() reads the store.
   */
  currentNow(): string | undefined {
    const seen = this.lastSeen;
    return seen && Date.now() < seen.refreshAt && this.cfg.store.isAvailable?.() !== false ? seen.accessToken : undefined;
  }

  async current(signal?: AbortSignal): Promise<string> {
    const now = this.currentNow();
    if (now !== undefined) return now;
    // A renewal is already under way in this process: wait for it rather than read the store
    // again (10,000 callers arriving at an expired token would make 10,000 reads first).
    if (this.inflight) return (await abortable(this.inflight, signal)).accessToken;
    const rec = await this.read();
    if (rec && Date.now() < rec.token.refreshAt) return rec.token.accessToken;
    return (await this.renew(undefined, signal)).accessToken;
  }

  async afterRejection(used: string, signal?: AbortSignal): Promise<string> {
    const rec = await this.read();
    // Someone already replaced the token this call used: replay with theirs, renew nothing.
    if (rec && rec.token.accessToken !== used && Date.now() < rec.token.expiresAt) return rec.token.accessToken;
    let token = await this.renew(used, signal);
    // We joined a renewal that concluded the rejected token was still good: renew for real, once.
    if (token.accessToken === used) token = await this.renew(used, signal);
    return token.accessToken;
  }

  secrets(): readonly (string | undefined)[] {
    return [this.cfg.password, this.lastSeen?.accessToken, this.lastSeen?.refreshToken];
  }

  private renew(rejected: string | undefined, signal?: AbortSignal): Promise<StoredToken> {
    // Set synchronously, so every caller arriving in the same tick joins the same renewal.
    this.inflight ??= this.renewUnderLock(rejected).finally(() => {
      this.inflight = undefined;
    });
    // A caller giving up does not cancel the renewal others are waiting for.
    return abortable(this.inflight, signal);
  }

  private async renewUnderLock(rejected: string | undefined): Promise<StoredToken> {
    const { store } = this.cfg;
    // A lease long enough for a refresh and a login in a row, each with its one rate-limit wait.
    const { timeoutMs, maxRetryAfterMs } = this.cfg.http;
    const leaseMs = 4 * timeoutMs + 2 * maxRetryAfterMs + 5_000;
    let failure: { error: unknown } | undefined;
    try {
      return await store.withLock(this.key, leaseMs, async () => {
        try {
          // Re-read under the lock: another process may have renewed while we waited.
          const cur = await this.read();
          if (cur && cur.token.accessToken !== rejected && Date.now() < cur.token.refreshAt) return cur.token;
          const next = await this.obtain(cur?.token, rejected);
          const version = await this.storeCall(() => store.compareAndSet(this.key, next, cur?.version ?? 0));
          if (version === undefined) {
            this.cfg.logger.warn?.(
              `${this.cfg.dialect.displayName}: the token store changed while this process held its lock (lease expired?); using the token just obtained`,
            );
          }
          this.lastSeen = next;
          return next;
        } catch (error) {
          failure = { error };
          throw error;
        }
      });
    } catch (error) {
      if (failure && failure.error === error) throw error;
      throw this.storeError(error);
    }
  }

  /** Refresh when the provider allows it for this token, else (or if the refresh fails) log in. */
  private async obtain(cur: StoredToken | undefined, rejected: string | undefined): Promise<StoredToken> {
    const { dialect, logger } = this.cfg;
    if (cur && this.canRefresh(cur, rejected)) {
      try {
        return await this.refresh(cur);
      } catch (error) {
        // A rate limit, or a provider asking us to come back later, will not be cured by a login,
        // which is limited (or down) too: report it.
        if (error instanceof ProviderRateLimitError || (error instanceof ProviderApiError && error.retryAfterMs !== undefined)) throw error;
        const why = error instanceof ProviderApiError ? error.message : 'unexpected error';
        logger.warn?.(`${dialect.displayName}: token refresh failed (${why}); logging in again`);
        // Outcome unknown (timeout, 5xx): the refresh may have rotated the tokens. Never resend the
        // same refresh token; take what the store holds if someone saved a newer token, else log in.
        if (!(error instanceof ProviderAuthError)) {
          const now = await this.read();
          if (now && now.token.accessToken !== cur.accessToken && Date.now() < now.token.refreshAt) return now.token;
        }
      }
    }
    return this.login();
  }

  private canRefresh(cur: StoredToken, rejected: string | undefined): boolean {
    const { dialect } = this.cfg;
    const wasRejected = rejected !== undefined && cur.accessToken === rejected;
    const now = Date.now();
    if (dialect.refreshWith === 'refresh-token') {
      if (wasRejected && !dialect.refreshAfterRejection) return false;
      return !!cur.refreshToken && (cur.refreshExpiresAt === undefined || now < cur.refreshExpiresAt);
    }
    // Refreshing with the access token itself needs it alive when it arrives.
    return !wasRejected && now < cur.expiresAt - refreshSafetyMs(cur.refreshAt, cur.expiresAt);
  }

  private async login(): Promise<StoredToken> {
    const { dialect } = this.cfg;
    const token = await this.exchange('login', dialect.loginRequest(this.cfg.email, this.cfg.password), (body, sentAt) => dialect.parseLogin(body, sentAt));
    this.cfg.logger.debug?.(`${dialect.displayName}: logged in`);
    return token;
  }

  private async refresh(cur: StoredToken): Promise<StoredToken> {
    const { dialect } = this.cfg;
    const previous: TokenGrant = cur;
    const token = await this.exchange('refresh', dialect.refreshRequest(previous), (body, sentAt) => dialect.parseRefresh(body, sentAt, previous));
    this.cfg.logger.debug?.(`${dialect.displayName}: token refreshed`);
    return token;
  }

  /** Send a login or refresh request and turn its answer into a stored token (in its span, with telemetry). */
  private exchange(kind: TokenExchangeKind, req: AuthRequest, parse: (body: unknown, sentAt: number) => TokenGrant): Promise<StoredToken> {
    const { telemetry } = this.cfg;
    if (!telemetry?.enabled) return this.exchangeOnce(kind, req, parse, undefined);
    return telemetry.tokenExchange(kind, req.path, (trace) => this.exchangeOnce(kind, req, parse, trace));
  }

  private async exchangeOnce(
    kind: TokenExchangeKind,
    req: AuthRequest,
    parse: (body: unknown, sentAt: number) => TokenGrant,
    trace: CallTrace | undefined,
  ): Promise<StoredToken> {
    const { dialect, transport } = this.cfg;
    const what = kind === 'login' ? 'login' : 'token refresh';
    const send = async () => {
      trace?.sent();
      const answer = await transport.send({
        method: 'POST',
        path: `${this.cfg.basePathname}${req.path}`,
        headers: { accept: 'application/json', ...req.headers },
        body: req.body,
        timeoutMs: this.cfg.http.timeoutMs,
      });
      trace?.answered(answer.status);
      return answer;
    };
    // Lifetimes are timed from the moment the request leaves: the token cannot be older.
    let sentAt = Date.now();
    let res: TransportResponse = await send();
    // A 429, or a 503 saying when to come back: one wait, then one more try, then an error. Every
    // waiting caller shares this renewal, so a struggling auth endpoint never sees a storm from us.
    const wait = askedWaitMs(this.cfg.dialect, res, 1, Date.now());
    if (wait !== undefined && wait <= this.cfg.http.maxRetryAfterMs) {
      trace?.retrying(res.status === 429 ? 'rate_limited' : 'server_error', wait);
      await sleep(wait);
      sentAt = Date.now();
      res = await send();
    }
    if (res.status < 200 || res.status >= 300) {
      // Never quoted: these answers reply to a request that carried the password or a token.
      const err = errorFromResponse(dialect, res, what, { secrets: this.secrets(), authAnswer: true });
      if (REFUSED.has(res.status) && !(err instanceof ProviderAuthError)) {
        throw new ProviderAuthError({ provider: err.provider, status: err.status, code: err.code, message: err.message, retryable: false });
      }
      throw err;
    }
    try {
      const grant = parse(parseJsonBody(dialect, res, what), sentAt);
      return { ...grant, refreshAt: refreshAtFor(sentAt, grant.expiresAt) };
    } catch (error) {
      if (!(error instanceof InvalidAuthAnswer)) throw error;
      throw new ProviderInvalidResponseError({
        provider: dialect.name,
        status: res.status,
        message: `${dialect.displayName}: ${error.message}`,
        retryable: false,
      });
    }
  }

  private async read(): Promise<VersionedToken | undefined> {
    const rec = await this.storeCall(() => this.cfg.store.get(this.key));
    if (rec) this.lastSeen = rec.token;
    return rec;
  }

  private async storeCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.storeError(error);
    }
  }

  private storeError(error: unknown): ProviderApiError {
    if (error instanceof ProviderApiError) return error;
    return new TokenStoreUnavailableError({
      provider: this.cfg.dialect.name,
      message: `${this.cfg.dialect.displayName}: the token store failed`,
      retryable: true,
    });
  }
}
