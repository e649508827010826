import { Inject, Injectable, Logger, Optional, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { answerFor } from '../incoming/auth-answers.js';
import { authenticateRequest } from '../incoming/authenticate-request.js';
import { CredentialVerifier } from '../incoming/credential-verifier.js';
import type { Principal } from '../incoming/principal.js';
import { RouteRules } from '../incoming/route-rules.js';
import { PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { deferPrincipal, principalOf, principalTracker, trackedPrincipalOf } from './principal-tracker.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

type ErrorFormat = 'affilync' | 'convertly';

/**
 * @nestjs/throttler's guard for routes behind ProviderAuthGuard: each API key and each user has a
 * budget of its own (`key:<keyId>`, `user:<sub>`; a request without a principal, on a @Public()
 * route, is counted per client IP), refusals are 429 in the configured provider's error format, and
 * every answer carries X-RateLimit-Limit / -Remaining / -Reset (epoch seconds).
 *
 * It may run before or after ProviderAuthGuard: running first, it authenticates the request itself
 * with the same CredentialVerifier, only to count it; ProviderAuthGuard still decides and answers
 * every refusal (docs/throttling.md).
 *
 * @example providers: [{ provide: APP_GUARD, useClass: ProviderThrottlerGuard }]
 */
@Injectable()
export class ProviderThrottlerGuard extends ThrottlerGuard {
  /** Body shape of the 429: `incoming.errorFormat` when ProviderAuthModule is imported, else 'affilync'. */
  protected readonly errorFormat: ErrorFormat;
  private readonly realm: string;
  private readonly rules: RouteRules;
  private warnedUnauthenticated = false;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storageService: ThrottlerStorage,
    reflector: Reflector,
    @Optional() @Inject(PROVIDER_AUTH_OPTIONS) authOptions?: ResolvedProviderAuthOptions,
    // Absent without an `incoming` block (or without ProviderAuthModule): then only a principal
    // ProviderAuthGuard already set is counted, and anything else per IP.
    @Optional() @Inject(CredentialVerifier) protected readonly verifier?: CredentialVerifier | null,
  ) {
    super(options, storageService, reflector);
    this.errorFormat = authOptions?.incoming?.errorFormat ?? 'affilync';
    this.realm = authOptions?.incoming?.realm ?? 'api';
    this.rules = new RouteRules(reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.verifier && context.getType() === 'http') {
      const { req } = this.getRequestResponse(context);
      // Before ProviderAuthGuard on a guarded route: the principal is looked up (once, and only if
      // a throttler counts the request) for the tracker and limitByPrincipal() to read. Kept beside
      // the request, never on request.user: principal-tracker.ts says why.
      if (typeof req === 'object' && req !== null && !principalOf(req) && !this.rules.for(context.getHandler(), context.getClass()).isPublic) {
        deferPrincipal(req, () => this.authenticate(req));
      }
    }
    return super.canActivate(context);
  }

  /** `key:<keyId>` or `user:<sub>`; the client IP (as ThrottlerGuard does) when there is no principal. */
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = await trackedPrincipalOf(req);
    return principal ? principalTracker(principal) : super.getTracker(req);
  }

  /**
   * The principal of the request's bearer credential, read and verified as ProviderAuthGuard does
   * (the Authorization header only, never the query or body); undefined when it is absent or
   * refused, or the stores cannot answer. Never throws: ProviderAuthGuard, after this guard, gives
   * the documented 401/400/503, and a request it refuses is counted per IP here, against no
   * principal's budget. A verified credential is cached, so ProviderAuthGuard's own check is cheap.
   */
  protected async authenticate(req: Record<string, unknown>): Promise<Principal | undefined> {
    if (!this.verifier) return undefined;
    try {
      const authentication = await authenticateRequest(req, this.verifier);
      return authentication.ok ? authentication.principal : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * ThrottlerGuard's own steps, with our headers instead of its (its X-RateLimit-Reset counts
   * seconds to wait; ours is an epoch time), so an answer never carries both.
   */
  protected override async handleRequest(requestProps: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = requestProps;
    const { req, res } = this.getRequestResponse(context);
    const ignoreUserAgents = throttler.ignoreUserAgents ?? this.commonOptions.ignoreUserAgents;
    const userAgent = (req.headers as Record<string, unknown> | undefined)?.['user-agent'];
    if (Array.isArray(ignoreUserAgents) && ignoreUserAgents.some((pattern) => pattern.test(String(userAgent)))) return true;
    this.noticeUnauthenticated(context, req);
    const name = throttler.name ?? 'default';
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, name);
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    if (throttler.setHeaders ?? this.commonOptions.setHeaders ?? true) {
      for (const [header, value] of rateLimitHeaders({ limit, ...record }, name, Date.now())) this.setResponseHeader(res, header, value);
    }
    if (record.isBlocked) await this.throwThrottlingException(context, { limit, ttl, key, tracker, ...record });
    return true;
  }

  /** 429 `RATE_LIMIT_EXCEEDED` in the configured provider's error body. Override to log or reshape. */
  protected override async throwThrottlingException(_context: ExecutionContext, _detail: ThrottlerLimitDetail): Promise<void> {
    throw answerFor({ reason: 'rate-limited' }, this.errorFormat, this.realm);
  }

  /**
   * A route not marked @Public() whose request has no principal, and no CredentialVerifier to find
   * one with (ProviderAuthModule with an `incoming` block is not visible where this guard is
   * provided): every user behind one IP shares a budget. Said once per process.
   */
  private noticeUnauthenticated(context: ExecutionContext, req: Record<string, unknown>): void {
    if (this.warnedUnauthenticated || this.verifier || context.getType() !== 'http' || principalOf(req)) return;
    if (this.rules.for(context.getHandler(), context.getClass()).isPublic) return;
    this.warnedUnauthenticated = true;
    new Logger(ProviderThrottlerGuard.name).warn(
      `${context.getClass().name}.${context.getHandler().name}: no principal on a route not marked @Public(), and ProviderThrottlerGuard ` +
        'has no CredentialVerifier to authenticate with, so it is throttled per IP. Import ProviderAuthModule (with an incoming block) ' +
        'in the module that provides ProviderThrottlerGuard, or make it global (docs/throttling.md).',
    );
  }
}
