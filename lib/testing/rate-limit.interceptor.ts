import type { ServerResponse } from 'node:http';
import { HttpException, HttpStatus, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import type { Principal } from '../index.js';
import type { ProviderProfile } from './provider-profile.js';
import type { RateLimitRule } from './rate-limit-rules.js';
import type { RateLimitWindows } from './rate-limit-windows.js';

/**
 * The `rateLimits` option at work. An interceptor, because Nest runs interceptors after guards:
 * only requests the emulator's guard let through — authenticated, with the scope, role and plan
 * the route needs — reach it, and it knows their credential (`request.user`). Login and refresh
 * are public, so they have none and pass. A refusal throws before the route runs, so it has no
 * side effect, and the error filter answers it in the provider's error body.
 */
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly profile: ProviderProfile,
    private readonly rule: RateLimitRule,
    private readonly windows: RateLimitWindows,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const principal = http.getRequest<{ user?: Principal }>().user;
    const limit = principal && this.rule.limitFor(principal);
    if (!principal || limit === undefined) return next.handle();
    const verdict = this.windows.take(credentialOf(principal), limit, this.rule.windowMs);
    // Set before the route answers, so its answer — a 404 or 422 included — carries them too. A
    // header already set came from a fault the test queued: that one wins.
    const res = http.getResponse<ServerResponse>();
    for (const [name, value] of Object.entries(this.profile.rateLimitHeaders(verdict))) if (!res.hasHeader(name)) res.setHeader(name, value);
    if (verdict.admitted) return next.handle();
    // Status only: each provider's errorAnswer words its 429 (Affilync's RATE_LIMIT_EXCEEDED body).
    return throwError(() => new HttpException('Too Many Requests', HttpStatus.TOO_MANY_REQUESTS));
  }
}

/**
 * Affilync limits "per API key or per user token"; a user's tokens share one budget here, so a
 * client cannot dodge the limit by logging in again. Convertly does not say (NOT DOCUMENTED): per
 * user, like Affilync's.
 */
function credentialOf(principal: Principal): string {
  return principal.kind === 'api_key' ? `key:${principal.keyId}` : `user:${principal.sub}`;
}
