import { Inject, Logger, Module, Optional, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit, type Provider } from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { AffilyncClient } from './client/affilync.client.js';
import { ProviderClientKit, type ClientDependencies } from './client/client-factory.js';
import { OriginConnections } from './client/origin-connections.js';
import { findUnconfiguredInjections } from './unconfigured-injection-check.js';
import { ConvertlyClient } from './client/convertly.client.js';
import { InMemoryRateLimitStore } from './client/in-memory-rate-limit-store.js';
import { InMemoryTokenStore } from './client/in-memory-token-store.js';
import { RateLimitStore } from './client/rate-limit-store.interface.js';
import { TokenStore } from './client/token-store.interface.js';
import { CredentialVerifier } from './incoming/credential-verifier.js';
import { findRouteDecoratorIssues } from './incoming/route-decorator-checks.js';
import { ProviderAuthGuard } from './incoming/provider-auth.guard.js';
import { bindVerifier, unbindVerifier } from './incoming/verifier-registry.js';
import { declareRequestUser } from './incoming/request-user-slot.js';
import { ApiKeyService } from './issuing/api-key.service.js';
import { ApiKeyStore } from './issuing/api-key-store.interface.js';
import { InMemoryApiKeyStore } from './issuing/in-memory-api-key-store.js';
import { InMemoryRefreshTokenStore } from './issuing/in-memory-refresh-token-store.js';
import { HS256_JWT, loadHs256Jwt, type Hs256Jwt } from './issuing/hs256-jwt.js';
import { RefreshTokenStore } from './issuing/refresh-token-store.interface.js';
import { TokenService } from './issuing/token.service.js';
import { affilyncDialect } from './dialects/affilync.dialect.js';
import { convertlyDialect } from './dialects/convertly.dialect.js';
import { ProviderAuthConfigError } from './provider-auth-config.error.js';
import { LOGGER_CONTEXT, PROVIDER_AUTH_OPTIONS } from './provider-auth.constants.js';
import { PROVIDER_AUTH_MODULE_OPTIONS, ProviderAuthConfigurableModule } from './provider-auth.module-definition.js';
import type { ProviderAuthModuleOptions, ResolvedProviderAuthOptions } from './provider-auth.options.js';
import { resolveOptions } from './provider-auth.options-validation.js';
import { AffilyncEventDispatcher } from './webhooks/affilync-event-dispatcher.js';
import { AffilyncWebhookInterceptor } from './webhooks/affilync-webhook.interceptor.js';
import { EventIdStore } from './webhooks/event-id-store.interface.js';
import { InMemoryEventIdStore } from './webhooks/in-memory-event-id-store.js';
import { loadTelemetry } from './telemetry/load-telemetry.js';
import { PROVIDER_AUTH_TELEMETRY, type ProviderTelemetry } from './telemetry/provider-telemetry.js';

/** What every outgoing client shares (stores, connections, options); internal. */
const CLIENT_DEPENDENCIES = Symbol.for('nest-provider-auth:ClientDependencies');

const providers: Provider[] = [
  {
    provide: PROVIDER_AUTH_OPTIONS,
    inject: [PROVIDER_AUTH_MODULE_OPTIONS],
    useFactory: (raw: ProviderAuthModuleOptions) => resolveOptions(raw, (message) => new Logger(LOGGER_CONTEXT).warn(message)),
  },
  {
    provide: TokenStore,
    inject: [PROVIDER_AUTH_OPTIONS],
    useFactory: (o: ResolvedProviderAuthOptions) => o.tokenStore ?? new InMemoryTokenStore(),
  },
  {
    provide: RateLimitStore,
    inject: [PROVIDER_AUTH_OPTIONS],
    useFactory: (o: ResolvedProviderAuthOptions) => o.rateLimitStore ?? new InMemoryRateLimitStore(),
  },
  {
    provide: ApiKeyStore,
    inject: [PROVIDER_AUTH_OPTIONS],
    useFactory: (o: ResolvedProviderAuthOptions) => o.incoming?.apiKeyStore ?? new InMemoryApiKeyStore(),
  },
  {
    provide: RefreshTokenStore,
    inject: [PROVIDER_AUTH_OPTIONS],
    useFactory: (o: ResolvedProviderAuthOptions) => o.incoming?.refreshTokenStore ?? new InMemoryRefreshTokenStore(),
  },
  {
    provide: EventIdStore,
    inject: [PROVIDER_AUTH_OPTIONS],
    useFactory: (o: ResolvedProviderAuthOptions) => o.incoming?.eventIdStore ?? new InMemoryEventIdStore(),
  },
  AffilyncEventDispatcher,
  AffilyncWebhookInterceptor,
  // @opentelemetry/api (an optional peer) is imported here, once; without it, a no-op.
  { provide: PROVIDER_AUTH_TELEMETRY, useFactory: () => loadTelemetry() },
  // The incoming services exist only with an `incoming` block; injecting one without it fails at
  // bootstrap (onModuleInit below), so null never reaches a caller.
  {
    // @nestjs/jwt (an optional peer) is imported here, and only for an app with `incoming`.
    provide: HS256_JWT,
    inject: [PROVIDER_AUTH_OPTIONS],
    useFactory: (o: ResolvedProviderAuthOptions) => (o.incoming ? loadHs256Jwt(o.incoming.jwtKeys, o.incoming.clockToleranceSec) : null),
  },
  {
    provide: CredentialVerifier,
    inject: [PROVIDER_AUTH_OPTIONS, ApiKeyStore, RefreshTokenStore, HS256_JWT],
    useFactory: (o: ResolvedProviderAuthOptions, keys: ApiKeyStore, revocations: RefreshTokenStore, jwt: Hs256Jwt | null) =>
      o.incoming && jwt ? new CredentialVerifier(o.incoming, keys, revocations, jwt) : null,
  },
  {
    provide: TokenService,
    inject: [PROVIDER_AUTH_OPTIONS, RefreshTokenStore, HS256_JWT],
    useFactory: (o: ResolvedProviderAuthOptions, store: RefreshTokenStore, jwt: Hs256Jwt | null) =>
      o.incoming && jwt ? new TokenService(o.incoming, store, jwt) : null,
  },
  {
    provide: ApiKeyService,
    inject: [PROVIDER_AUTH_OPTIONS, ApiKeyStore],
    useFactory: (o: ResolvedProviderAuthOptions, store: ApiKeyStore) => (o.incoming ? new ApiKeyService(o.incoming, store) : null),
  },
  {
    // One pool per provider origin for every client and account (or the user's http.dispatcher).
    provide: OriginConnections,
    inject: [PROVIDER_AUTH_OPTIONS],
    useFactory: (o: ResolvedProviderAuthOptions) => new OriginConnections(o.http.dispatcher),
  },
  {
    provide: CLIENT_DEPENDENCIES,
    inject: [PROVIDER_AUTH_OPTIONS, TokenStore, RateLimitStore, OriginConnections, PROVIDER_AUTH_TELEMETRY],
    useFactory: (
      options: ResolvedProviderAuthOptions,
      tokenStore: TokenStore,
      rateLimitStore: RateLimitStore,
      connections: OriginConnections,
      telemetry: ProviderTelemetry,
    ): ClientDependencies => ({
      options,
      tokenStore,
      rateLimitStore,
      connections,
      telemetry,
    }),
  },
  {
    provide: AffilyncClient,
    inject: [CLIENT_DEPENDENCIES],
    useFactory: (deps: ClientDependencies) =>
      new AffilyncClient(deps.options.affilync && new ProviderClientKit('affilync', affilyncDialect, deps.options.affilync, deps), 'affilync'),
  },
  {
    provide: ConvertlyClient,
    inject: [CLIENT_DEPENDENCIES],
    useFactory: (deps: ClientDependencies) =>
      new ConvertlyClient(deps.options.convertly && new ProviderClientKit('convertly', convertlyDialect, deps.options.convertly, deps), 'convertly'),
  },
];

/**
 * Authentication for the Affilync and Convertly APIs.
 *
 * @example
 * ProviderAuthModule.forRoot({ affilync: { apiKey: process.env.AFFILYNC_API_KEY! } })
 */
@Module({
  // DiscoveryModule: the @OnAffilyncEvent() handlers are found among the app's providers.
  imports: [DiscoveryModule],
  providers,
  exports: [
    // What an @AffilyncWebhook() route's guard and interceptor inject, in the user's module.
    EventIdStore,
    AffilyncEventDispatcher,
    AffilyncWebhookInterceptor,
    AffilyncClient,
    ConvertlyClient,
    TokenStore,
    RateLimitStore,
    PROVIDER_AUTH_OPTIONS,
    CredentialVerifier,
    TokenService,
    ApiKeyService,
    ApiKeyStore,
    RefreshTokenStore,
    // What ProviderAuthGuard, in the user's module, reports refusals and cache lookups to.
    PROVIDER_AUTH_TELEMETRY,
  ],
})
export class ProviderAuthModule extends ProviderAuthConfigurableModule implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private server?: object;
  /** Takes back the declaration of request.user on Express's server (request-user-slot.ts). */
  private undeclareRequestUser?: () => void;

  constructor(
    private readonly modules: ModulesContainer,
    @Inject(PROVIDER_AUTH_OPTIONS) private readonly options: ResolvedProviderAuthOptions,
    @Inject(CredentialVerifier) private readonly verifier: CredentialVerifier | null,
    @Inject(OriginConnections) private readonly connections: OriginConnections,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    super();
  }

  onModuleDestroy(): void {
    if (this.server) unbindVerifier(this.server);
    this.undeclareRequestUser?.();
    this.undeclareRequestUser = undefined;
  }

  /**
   * Closes the providers' connection pools (never the user's http.dispatcher) and the stores given
   * in the options that have a close() (the Redis stores): each closes only the connections it
   * opened itself, never a client the user passed in.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.connections.close();
    const { tokenStore, rateLimitStore, incoming } = this.options;
    const stores = new Set<unknown>([tokenStore, rateLimitStore, incoming?.apiKeyStore, incoming?.refreshTokenStore, incoming?.eventIdStore]);
    await Promise.all(
      [...stores].map((store) => {
        const close = (store as { close?: unknown } | undefined)?.close;
        return typeof close === 'function' ? Promise.resolve(close.call(store)).catch(() => undefined) : undefined;
      }),
    );
  }

  onModuleInit(): void {
    const issues = findUnconfiguredInjections(
      this.modules,
      [
        { cls: AffilyncClient, block: 'affilync', configured: this.options.affilync !== undefined },
        { cls: ConvertlyClient, block: 'convertly', configured: this.options.convertly !== undefined },
        { cls: TokenService, block: 'incoming', configured: this.options.incoming !== undefined },
        { cls: ApiKeyService, block: 'incoming', configured: this.options.incoming !== undefined },
        { cls: CredentialVerifier, block: 'incoming', configured: this.options.incoming !== undefined },
      ],
      [ProviderAuthGuard, ProviderAuthModule],
    );
    issues.push(...findRouteDecoratorIssues(this.modules, this.options.incoming?.scopes));
    if (issues.length > 0) throw new ProviderAuthConfigError(issues);
    const server = this.adapterHost?.httpAdapter?.getInstance?.() as object | undefined;
    if (this.verifier && server) {
      this.server = server;
      bindVerifier(server, this.verifier);
      this.undeclareRequestUser = declareRequestUser(server, this.adapterHost?.httpAdapter?.getHttpServer?.());
    }
  }
}
