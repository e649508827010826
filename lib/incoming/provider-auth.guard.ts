import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';
import { PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedIncomingOptions, ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { answerFor, ProviderAuthException, type Refusal } from './auth-answers.js';
import { authenticateRequest } from './authenticate-request.js';
import { bearerHeaderCandidate } from './bearer-extraction.js';
import { CredentialVerifier } from './credential-verifier.js';
import { roleSatisfies, type Principal, type Role } from './principal.js';
import { RouteRules, type RouteRule } from './route-rules.js';
import { TRANSPORTS, type Transport, type TransportRequest } from './transports/index.js';
import { NOOP_TELEMETRY } from '../telemetry/noop-telemetry.js';
import { PROVIDER_AUTH_TELEMETRY, type ProviderTelemetry } from '../telemetry/provider-telemetry.js';

interface HttpRequest {
  headers?: Record<string, unknown>;
  user?: Principal;
}
interface HttpResponse {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

/**
 * Authenticates the bearer credential (API key or access token), then checks @Roles, @Scopes and
 * the plan gate, and sets the Principal on `request.user`. Answers refusals in the configured
 * provider's error shape with RFC 6750 challenges. Denies what it does not understand.
 *
 * @example @UseGuards(ProviderAuthGuard) @Scopes('campaigns:read') @Get() list() { … }
 */
@Injectable()
export class ProviderAuthGuard implements CanActivate {
  protected readonly options: ResolvedIncomingOptions;
  private readonly rules: RouteRules;
  private readonly fastPath: boolean;
  /** A subclass that overrides getRequest() (another transport, another request shape) is always asked. */
  private readonly customRequest: boolean;
  /**
   * Refusals and cache lookups are counted here (a no-op without OpenTelemetry). Injected as a
   * property, so subclasses get it without passing it to super().
   */
  @Optional() @Inject(PROVIDER_AUTH_TELEMETRY) private readonly telemetry: ProviderTelemetry = NOOP_TELEMETRY;

  constructor(
    protected readonly reflector: Reflector,
    @Inject(PROVIDER_AUTH_OPTIONS) options: ResolvedProviderAuthOptions,
    @Optional() @Inject(CredentialVerifier) protected readonly verifier: CredentialVerifier | null,
  ) {
    if (!options.incoming || !verifier) {
      throw new ProviderAuthConfigError([
        { path: 'incoming', problem: `is not configured, but ${new.target.name} is used; add incoming: { jwtSecret } to ProviderAuthModule.forRoot()` },
      ]);
    }
    this.options = options.incoming;
    this.rules = new RouteRules(reflector);
    // A subclass that overrides authenticate() (extra checks) always goes through it.
    this.customRequest = Object.getPrototypeOf(this).getRequest !== ProviderAuthGuard.prototype.getRequest;
    this.fastPath = Object.getPrototypeOf(this).authenticate === ProviderAuthGuard.prototype.authenticate && !this.customRequest;
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const type = context.getType<string>();
    if (type !== 'http' || this.customRequest) return this.activateTransport(context, type);
    const rule = this.rules.for(context.getHandler(), context.getClass());
    if (rule.isPublic) return true;
    // An HTTP context's arguments are [request, response, next]; switchToHttp() would attach three
    // new closures to the context on every request to hand back the same two objects.
    const req = context.getArgByIndex<HttpRequest | undefined>(0);
    const res = context.getArgByIndex<HttpResponse | undefined>(1);
    if (!req || !res) return false;
    // Read once: each property access of an Express request is a slow lookup (bearer-extraction.ts).
    const headers = req.headers;
    if (typeof headers !== 'object' || headers === null) return false;
    if (this.fastPath) {
      // A credential verified before and still good: answered without a single await (a
      // promise per request was a measurable share of a fast route's time).
      const header = bearerHeaderCandidate(req, headers);
      const principal = header === undefined ? undefined : this.verifier!.cachedHeader(header);
      if (principal) {
        if (this.telemetry.enabled) this.telemetry.credentialCache(true);
        req.user = principal;
        try {
          this.authorize(principal, rule.roles, rule.scopes);
        } catch (error) {
          this.count(error, 'http');
          challenge(res, error);
          throw error;
        }
        return true;
      }
    }
    return this.check(req, res, rule);
  }

  /**
   * The credential's source and the principal's holder for this context: for HTTP the request
   * itself; for GraphQL, WebSockets and RPC what their transports say (lib/incoming/transports/);
   * undefined denies. Override to adapt another transport or request shape, as ThrottlerGuard's
   * getRequestResponse() allows.
   */
  protected getRequest(context: ExecutionContext): TransportRequest | undefined {
    const type = context.getType<string>();
    if (type === 'http') {
      const req = context.switchToHttp().getRequest<HttpRequest | undefined>();
      return req && typeof req.headers === 'object' && req.headers !== null ? { source: req, holder: req } : undefined;
    }
    return TRANSPORTS[type]?.request(context, this.options);
  }

  /** Any context but the plain HTTP fast path: its transport reads the credential and shapes the refusal. */
  private async activateTransport(context: ExecutionContext, type: string): Promise<boolean> {
    // Fail closed: a context type no transport understands is denied, whatever its decorators say.
    const transport: Transport | undefined = TRANSPORTS[type];
    if (type !== 'http' && !transport && !this.customRequest) return false;
    const rule = this.rules.for(context.getHandler(), context.getClass());
    if (rule.isPublic) return true;
    const found = this.getRequest(context);
    if (!found) return false;
    try {
      const principal = await this.authenticate(found.source as HttpRequest);
      found.holder.user = principal;
      this.authorize(principal, rule.roles, rule.scopes);
      return true;
    } catch (error) {
      this.count(error, type);
      if (type === 'http') {
        const res = context.switchToHttp().getResponse<HttpResponse | undefined>();
        if (res) challenge(res, error);
        throw error;
      }
      throw transport && error instanceof ProviderAuthException ? await transport.refusal(error) : error;
    }
  }

  private async check(req: HttpRequest, res: HttpResponse, rule: RouteRule): Promise<boolean> {
    try {
      const principal = await this.authenticate(req);
      req.user = principal;
      this.authorize(principal, rule.roles, rule.scopes);
      return true;
    } catch (error) {
      this.count(error, 'http');
      challenge(res, error);
      throw error;
    }
  }

  /** The request's principal, or a thrown refusal. */
  protected async authenticate(req: HttpRequest): Promise<Principal> {
    const authentication = await authenticateRequest(req, this.verifier!, this.telemetry);
    if (!authentication.ok) throw this.refuse(authentication.refusal);
    return authentication.principal;
  }

  /** Roles, then scopes, then plan. */
  protected authorize(principal: Principal, roles: readonly Role[], scopes: readonly string[]): void {
    if (roles.length > 0 && !holdsRole(principal, roles)) throw this.refuse({ reason: 'insufficient-role', roles });
    if (scopes.length > 0 && !holdsScopes(principal.scopes, scopes)) throw this.refuse({ reason: 'insufficient-scope', scopes });
    const plans = this.options.allowedPlans;
    if (plans && principal.kind === 'user' && (principal.plan === undefined || !plans.has(principal.plan))) {
      throw this.refuse({ reason: 'plan' });
    }
  }

  /** A refusal, counted by its code and the context's type. */
  private count(error: unknown, transport: string): void {
    if (this.telemetry.enabled && error instanceof ProviderAuthException) this.telemetry.refusal(error.code, transport);
  }

  /** The exception for a refusal; override to log or reshape. */
  protected refuse(refusal: Refusal): ProviderAuthException {
    return answerFor(refusal, this.options.errorFormat, this.options.realm);
  }
}

// Plain loops, not some()/every() with closures: these run on every guarded request.

/** Whether the principal is a user whose role satisfies one of `roles` (an API key never does). */
function holdsRole(principal: Principal, roles: readonly Role[]): boolean {
  if (principal.kind !== 'user') return false;
  for (let i = 0; i < roles.length; i++) if (roleSatisfies(principal.role, roles[i])) return true;
  return false;
}

/** Whether `held` includes every one of `required`. */
function holdsScopes(held: readonly string[], required: readonly string[]): boolean {
  for (let i = 0; i < required.length; i++) if (!held.includes(required[i])) return false;
  return true;
}

/** A refusal's WWW-Authenticate challenge, on the response it is about to become. */
function challenge(res: HttpResponse, error: unknown): void {
  if (error instanceof ProviderAuthException && error.challenge) setHeader(res, 'WWW-Authenticate', error.challenge);
}

function setHeader(res: HttpResponse, name: string, value: string): void {
  // Fastify's reply and Express's response both have header(); plain Node responses setHeader().
  if (typeof res.header === 'function') res.header(name, value);
  else if (typeof res.setHeader === 'function') res.setHeader(name, value);
}
