/** What ProviderAuthHealthIndicator.isHealthy() checks, and how patiently. */
export interface ProviderAuthHealthOptions {
  /**
   * Also send each provider whose block has default credentials one cheap authenticated call
   * (Affilync `GET /campaigns?per_page=1`, Convertly `GET /affiliates?limit=1`), at most once per
   * `providerIntervalMs` (default false).
   */
  providers?: boolean;
  /**
   * How long a provider's answer is remembered, in ms (default 60 000): however often the health
   * route is hit, each provider gets at most one call per interval, and checks that arrive while
   * one is in flight share it.
   */
  providerIntervalMs?: number;
  /** How long one provider check may take, a login included (default 5 000 ms). */
  providerTimeoutMs?: number;
  /** How long a store may take to answer its probe (default 1 000 ms). */
  storeTimeoutMs?: number;
  /**
   * What a revocation feed that is not live makes the `revocation-feed` key: 'down' (default: the
   * check fails) or 'up', with the feed shown as 'down' and a warning in the details. While a feed
   * is down, caches of verified credentials are off and every revocation still applies.
   */
  whenRevocationFeedDown?: 'down' | 'up';
}

export interface ResolvedHealthOptions {
  providers: boolean;
  providerIntervalMs: number;
  providerTimeoutMs: number;
  storeTimeoutMs: number;
  whenRevocationFeedDown: 'down' | 'up';
}

export const HEALTH_DEFAULTS: ResolvedHealthOptions = {
  providers: false,
  providerIntervalMs: 60_000,
  providerTimeoutMs: 5_000,
  storeTimeoutMs: 1_000,
  whenRevocationFeedDown: 'down',
};

/** Defaults applied; a wrong option is a TypeError naming it (a programming error, not an outage). */
export function resolveHealthOptions(options: ProviderAuthHealthOptions = {}): ResolvedHealthOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('ProviderAuthHealthIndicator: options must be an object');
  const o = { ...HEALTH_DEFAULTS, ...stripUndefined(options) };
  if (typeof o.providers !== 'boolean') throw new TypeError('ProviderAuthHealthIndicator: providers must be true or false');
  for (const name of ['providerIntervalMs', 'providerTimeoutMs', 'storeTimeoutMs'] as const) {
    const v = o[name];
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= 2 ** 31 - 1)) {
      throw new TypeError(`ProviderAuthHealthIndicator: ${name} must be a number of milliseconds from 1 to 2147483647`);
    }
  }
  if (o.whenRevocationFeedDown !== 'down' && o.whenRevocationFeedDown !== 'up') {
    throw new TypeError("ProviderAuthHealthIndicator: whenRevocationFeedDown must be 'down' or 'up'");
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
