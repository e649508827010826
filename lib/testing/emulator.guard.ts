import { Inject, Injectable, Optional, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CredentialVerifier, PROVIDER_AUTH_OPTIONS, ProviderAuthGuard, type Principal, type ResolvedProviderAuthOptions } from '../index.js';
import { AccessTokenLedger } from './access-token-ledger.js';
import { UserDirectory } from './emulator-users.js';

interface GuardedRequest {
  headers?: Record<string, unknown>;
  originalUrl?: string;
  url?: string;
  user?: Principal;
}

/**
 * Marks routes open only to users on these plans (lower case), checked on every request against
 * the plan the user has now — Convertly's Starter users get 403 on its API. API keys are not
 * plan-gated. Routes without it (login, refresh) are open to every plan.
 */
export const PlanGated = Reflector.createDecorator<readonly string[]>();

/**
 * Marks routes that also take an API key as `?api_key=` (Affilync's conversions postback, as an
 * alternative to the header). Only an `afk_` key, and only when no Authorization header is sent.
 */
export const QueryApiKey = Reflector.createDecorator<true>();

/** Plans with Convertly API access (help.convertlyhq.com/api/authentication: Starter gets 403). */
export const CONVERTLY_API_PLANS: readonly string[] = ['growth', 'scale'];

/**
 * The library's ProviderAuthGuard (API keys, tokens, @Roles, @Scopes, the documented refusals),
 * plus what a provider's server knows that a token cannot say: a token's exact end of life (see
 * AccessTokenLedger), and the user's current account, so that setPlan() takes effect on the very
 * next request with the same token.
 */
@Injectable()
export class EmulatorGuard extends ProviderAuthGuard {
  constructor(
    reflector: Reflector,
    @Inject(PROVIDER_AUTH_OPTIONS) options: ResolvedProviderAuthOptions,
    @Optional() @Inject(CredentialVerifier) verifier: CredentialVerifier | null,
    private readonly users: UserDirectory,
    private readonly ledger: AccessTokenLedger,
  ) {
    super(reflector, options, verifier);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.get(QueryApiKey, context.getHandler())) keyFromQuery(context.switchToHttp().getRequest<GuardedRequest>());
    if (!(await super.canActivate(context))) return false;
    const plans = this.reflector.getAllAndOverride(PlanGated, [context.getHandler(), context.getClass()]);
    const principal = context.switchToHttp().getRequest<GuardedRequest>().user;
    if (plans && principal?.kind === 'user' && !plans.includes(principal.plan ?? '')) throw this.refuse({ reason: 'plan' });
    return true;
  }

  protected override async authenticate(req: GuardedRequest): Promise<Principal> {
    const principal = await super.authenticate(req);
    if (principal.kind !== 'user') return principal;
    // The library accepted the header, so it is exactly `Bearer <token>`.
    const token = String(req.headers?.authorization).slice('Bearer '.length);
    if (this.ledger.hasExpired(token)) throw this.refuse({ reason: 'expired' });
    const user = this.users.byId(principal.sub);
    if (!user) throw this.refuse({ reason: 'invalid' });
    return { ...principal, plan: user.plan.toLowerCase() };
  }
}

/** `?api_key=afk_…` becomes the Authorization header the library checks, unless one was sent. */
function keyFromQuery(req: GuardedRequest): void {
  if (!req.headers || req.headers.authorization !== undefined) return;
  const key = new URL(req.originalUrl ?? req.url ?? '/', 'http://127.0.0.1').searchParams.get('api_key');
  if (key?.startsWith('afk_')) req.headers.authorization = `Bearer ${key}`;
}
