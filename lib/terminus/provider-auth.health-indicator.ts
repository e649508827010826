import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { AffilyncClient } from '../client/affilync.client.js';
import { ConvertlyClient } from '../client/convertly.client.js';
import { RateLimitStore } from '../client/rate-limit-store.interface.js';
import { TokenStore } from '../client/token-store.interface.js';
import { affilyncDialect } from '../dialects/affilync.dialect.js';
import { convertlyDialect } from '../dialects/convertly.dialect.js';
import type { ProviderName } from '../dialects/dialect.interface.js';
import { ApiKeyStore } from '../issuing/api-key-store.interface.js';
import { RefreshTokenStore } from '../issuing/refresh-token-store.interface.js';
import { PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { resolveHealthOptions, type ProviderAuthHealthOptions } from './health-options.js';
import { ProviderProbe } from './provider-probe.js';
import { feedState, PROBE_KEY, probeStore, type Verdict } from './store-probes.js';

/**
 * A @nestjs/terminus health indicator for ProviderAuthModule: its stores answer, the revocation
 * feeds are live, and (with `providers: true`) each provider takes its credential. Provide it
 * beside TerminusModule in a module that sees ProviderAuthModule (global, or imported there).
 *
 * @example
 * health.check([() => providerAuth.isHealthy('provider-auth', { providers: true })])
 */
@Injectable()
export class ProviderAuthHealthIndicator {
  private readonly probes: { name: ProviderName; probe: ProviderProbe }[] = [];

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(PROVIDER_AUTH_OPTIONS) private readonly options: ResolvedProviderAuthOptions,
    @Inject(TokenStore) private readonly tokenStore: TokenStore,
    @Inject(RateLimitStore) private readonly rateLimitStore: RateLimitStore,
    @Inject(ApiKeyStore) private readonly apiKeyStore: ApiKeyStore,
    @Inject(RefreshTokenStore) private readonly refreshTokenStore: RefreshTokenStore,
    // Optional: an app without one of the blocks must not fail at bootstrap for injecting its client.
    @Optional() affilync?: AffilyncClient,
    @Optional() convertly?: ConvertlyClient,
  ) {
    const candidates = [
      { name: 'affilync' as const, dialect: affilyncDialect, client: affilync },
      { name: 'convertly' as const, dialect: convertlyDialect, client: convertly },
    ];
    // A block without credentials of its own (`{}`, `{ baseUrl }`) serves forAccount() only: nothing to probe.
    for (const { name, dialect, client } of candidates) {
      if (client?.hasAccount) this.probes.push({ name, probe: new ProviderProbe(dialect, client) });
    }
  }

  /**
   * Checks, each under a key of its own (`<key>:token-store`, `<key>:rate-limit-store`, and with
   * `incoming`: `<key>:api-key-store`, `<key>:refresh-token-store`, `<key>:revocation-feed`; with
   * `providers: true`, `<key>:affilync` and `<key>:convertly` for the blocks with default
   * credentials). Never throws for an outage: a failed check is a `down` key, and terminus answers 503.
   *
   * @example
   * // GET /health → { status: 'ok', info: { 'provider-auth:token-store': { status: 'up', store: 'RedisTokenStore' }, … } }
   * health.check([() => providerAuth.isHealthy('provider-auth')])
   */
  async isHealthy(key: string, options?: ProviderAuthHealthOptions): Promise<HealthIndicatorResult> {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('ProviderAuthHealthIndicator: key must be a non-empty string');
    const o = resolveHealthOptions(options);
    const checks: [string, Promise<Verdict>][] = [
      ['token-store', probeStore(this.tokenStore, () => this.tokenStore.get(PROBE_KEY), o.storeTimeoutMs)],
      // The RateLimitStore interface has no read: only an isAvailable() of the store's own can tell.
      ['rate-limit-store', probeStore(this.rateLimitStore, undefined, o.storeTimeoutMs)],
    ];
    if (this.options.incoming) {
      checks.push(
        ['api-key-store', probeStore(this.apiKeyStore, () => this.apiKeyStore.get(PROBE_KEY), o.storeTimeoutMs)],
        ['refresh-token-store', probeStore(this.refreshTokenStore, () => this.refreshTokenStore.getFamily(PROBE_KEY), o.storeTimeoutMs)],
        ['revocation-feed', Promise.resolve(this.revocationFeed(o.whenRevocationFeedDown))],
      );
    }
    if (o.providers) {
      for (const { name, probe } of this.probes) checks.push([name, probe.check(o.providerIntervalMs, o.providerTimeoutMs)]);
    }
    const verdicts = await Promise.all(checks.map(([, verdict]) => verdict));
    const result: HealthIndicatorResult = {};
    checks.forEach(([part], i) => {
      const { up, details } = verdicts[i];
      const session = this.health.check(`${key}:${part}`);
      Object.assign(result, up ? session.up(details) : session.down(details));
    });
    return result;
  }

  /**
   * The feeds of the incoming stores. A feed that is down turns the caches of verified credentials
   * off (every request asks the stores, so every revocation still applies): the app works, slower,
   * and a revocation is no less effective. 'down' by default all the same, so that it is seen.
   */
  private revocationFeed(whenDown: 'down' | 'up'): Verdict {
    const feeds = { apiKeys: feedState(this.apiKeyStore), refreshTokens: feedState(this.refreshTokenStore) };
    const down = Object.values(feeds).includes('down');
    if (!down) return { up: true, details: feeds };
    return whenDown === 'down'
      ? { up: false, details: feeds }
      : { up: true, details: { ...feeds, warning: 'revocation feed down: credential caches are off, revocations still apply' } };
  }
}
