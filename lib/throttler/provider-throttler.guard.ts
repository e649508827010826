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
import { PublicMetadata } from '../incoming/decorators.js';
import { PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { principalOf, principalTracker } from './principal-tracker.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

type ErrorFormat = 'affilync' | 'convertly';

/**
 * @nestjs/throttler's guard for routes behind ProviderAuthGuard: each API key and each user has a
 * budget of its own (`key:<keyId>`, `user:<sub>`; a request without a principal, on a @Public()
 * route, is counted per client IP), refusals are 429 in the configured provider's error format, and
 * every answer carries X-RateLimit-Limit / -Remaining / -Reset (epoch seconds).
 *
 * It must run after ProviderAuthGuard: register both as APP_GUARD in that order in one module, or
 * `@UseGuards(ProviderAuthGuard, ProviderThrottlerGuard)` (docs/throttling.md).
 *
 * @example providers: [{ provide: APP_GUARD, useClass: ProviderAuthGuard }, { provide: APP_GUARD, useClass: ProviderThrottlerGuard }]
 */
@Injectable()
export class ProviderThrottlerGuard extends ThrottlerGuard {
  /** Body shape of the 429: `incoming.errorFormat` when ProviderAuthModule is imported, else 'affilync'. */
  protected readonly errorFormat: ErrorFormat;
  private readonly realm: string;
  private warnedUnordered = false;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storageService: ThrottlerStorage,
    reflector: Reflector,
    @Optional() @Inject(PROVIDER_AUTH_OPTIONS) authOptions?: ResolvedProviderAuthOptions,
  ) {
    super(options, storageService, reflector);
    this.errorFormat = authOptions?.incoming?.errorFormat ?? 'affilync';
    this.realm = authOptions?.incoming?.realm ?? 'api';
  }

  /** `key:<keyId>` or `user:<sub>`; the client IP (as ThrottlerGuard does) when there is no principal. */
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = principalOf(req);
    return principal ? principalTracker(principal) : super.getTracker(req);
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
    this.noticeMissingPrincipal(context, req);
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
   * A route not marked @Public() whose request has no principal yet: most likely this guard runs
   * before ProviderAuthGuard, and every user behind one IP shares a budget. Said once per process.
   */
  private noticeMissingPrincipal(context: ExecutionContext, req: Record<string, unknown>): void {
    if (this.warnedUnordered || context.getType() !== 'http' || principalOf(req)) return;
    if (this.reflector.getAllAndOverride(PublicMetadata, [context.getHandler(), context.getClass()])) return;
    this.warnedUnordered = true;
    new Logger(ProviderThrottlerGuard.name).warn(
      `${context.getClass().name}.${context.getHandler().name}: no principal on a route not marked @Public(), so it is throttled per IP. ` +
        'If ProviderAuthGuard guards it, ProviderThrottlerGuard ran first: register ProviderAuthGuard before it (docs/throttling.md).',
    );
  }
}
