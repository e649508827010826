import { Logger, type LoggerService } from '@nestjs/common';
import type { ProviderDialect } from '../dialects/dialect.interface.js';
import type { ResolvedProviderAuthOptions, ResolvedProviderOptions } from '../provider-auth.options.js';
import { resolveAccount } from '../provider-auth.options-validation.js';
import { LOGGER_CONTEXT } from '../provider-auth.constants.js';
import { AccountCache } from './account-cache.js';
import { ApiKeyCredential, type CredentialSource } from './credential-source.js';
import { BearerHeader } from './exchange.js';
import { HttpTransport } from './http-transport.js';
import type { OriginConnections } from './origin-connections.js';
import type { RateLimitStore } from './rate-limit-store.interface.js';
import { paddedPolicy, RatePacer, rateLimitKey } from './rate-pacer.js';
import type { ProviderClientCore } from './provider-client.js';
import { TokenManager } from './token-manager.js';
import type { TokenStore } from './token-store.interface.js';
import type { ProviderTelemetry } from '../telemetry/provider-telemetry.js';

/** What every client of the module shares, whichever provider and account. */
export interface ClientDependencies {
  options: ResolvedProviderAuthOptions;
  tokenStore: TokenStore;
  rateLimitStore: RateLimitStore;
  connections: OriginConnections;
  /** Spans and metrics (a no-op without OpenTelemetry). */
  telemetry: ProviderTelemetry;
}

/**
 * Everything one provider's clients are made from: the module's block, the shared stores and
 * connections, and the cache of forAccount() clients. The default account's client and every
 * account's client get their working parts (ProviderClientCore) here, alike.
 */
export class ProviderClientKit {
  private readonly accounts: AccountCache<unknown>;
  private readonly logger: LoggerService = new Logger(LOGGER_CONTEXT);

  constructor(
    readonly provider: 'affilync' | 'convertly',
    private readonly dialect: ProviderDialect,
    /** The forRoot block: base URL, and the default account when it gives credentials. */
    readonly block: ResolvedProviderOptions,
    private readonly deps: ClientDependencies,
  ) {
    this.accounts = new AccountCache(deps.options.accountsCacheSize);
  }

  /** The default account's parts, or undefined when the block gives no credentials (forAccount() only). */
  defaultCore(): ProviderClientCore | undefined {
    return hasCredentials(this.block) ? this.coreFor(this.block) : undefined;
  }

  /**
   * The client for one account's credentials (validated as a forRoot block), from the cache or
   * made by `make` from the account's parts.
   */
  account<C>(credentials: unknown, make: (core: ProviderClientCore) => C): C {
    // Credentials seen before are found by their own values, without validating them again (they
    // passed when their client was made); anything else is validated first, and throws if bad.
    const key = accountKey(credentials) ?? this.validatedKey(credentials);
    const { client, hit } = this.accounts.get(key, () => {
      const account = resolveAccount(credentials, this.provider, this.block, (message) => this.logger.warn?.(message));
      return make(this.coreFor(account));
    });
    if (this.deps.telemetry.enabled) this.deps.telemetry.accountCache(this.provider, hit);
    return client as C;
  }

  /** The key of credentials accountKey() cannot read, once they pass validation (else it throws). */
  private validatedKey(credentials: unknown): string {
    const a = resolveAccount(credentials, this.provider, this.block, () => undefined);
    return accountKey({ baseUrl: a.baseUrl, apiKey: a.apiKey, email: a.email, password: a.password, plan: a.plan })!;
  }

  private coreFor(account: ResolvedProviderOptions): ProviderClientCore {
    const { dialect, deps, logger } = this;
    const { options } = deps;
    // Budgets are per credential: per API key or login (Affilync documents this; Convertly does not say).
    const identity = account.apiKey ?? account.email!.toLowerCase();
    const pacer = new RatePacer(
      dialect,
      deps.rateLimitStore,
      rateLimitKey(dialect.name, account.baseUrl, identity),
      paddedPolicy(dialect.ratePolicy(account.plan)),
      logger,
    );
    const transport = new HttpTransport(dialect, account.origin, deps.connections.for(account.origin), options.http.maxResponseBytes);
    const telemetry = deps.telemetry.forClient(dialect.name, account.origin);
    const credentials: CredentialSource = account.apiKey
      ? new ApiKeyCredential(account.apiKey, dialect.apiKeyPrefix)
      : new TokenManager({
          dialect,
          transport,
          basePathname: account.basePathname,
          baseUrl: account.baseUrl,
          email: account.email!,
          password: account.password!,
          store: deps.tokenStore,
          http: options.http,
          logger,
          telemetry,
        });
    return { dialect, transport, credentials, basePathname: account.basePathname, http: options.http, pacer, telemetry, bearer: new BearerHeader() };
  }
}

function hasCredentials(block: ResolvedProviderOptions): boolean {
  return block.apiKey !== undefined || block.email !== undefined;
}

const ACCOUNT_FIELDS = new Set(['baseUrl', 'apiKey', 'email', 'password', 'plan']);

/**
 * The cache key of an account's credentials as given: every field that makes its client different,
 * each length-prefixed (no value can pass for another), the email without case. Undefined when the
 * credentials are not a plain set of those string fields: validation decides about those. Kept in
 * this process's memory only, as the credentials themselves are.
 */
function accountKey(given: unknown): string | undefined {
  if (typeof given !== 'object' || given === null) return undefined;
  let key = '';
  for (const field of Object.keys(given)) if (!ACCOUNT_FIELDS.has(field)) return undefined;
  for (const field of ACCOUNT_FIELDS) {
    const value: unknown = (given as Record<string, unknown>)[field];
    if (value !== undefined && typeof value !== 'string') return undefined;
    const text = value === undefined ? '' : field === 'email' ? value.toLowerCase() : value;
    key += `${value === undefined ? '-' : text.length}:${text};`;
  }
  return key;
}
