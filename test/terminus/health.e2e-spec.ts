/**
 * ProviderAuthHealthIndicator in a user's app: GET /health through @nestjs/terminus, on Express and
 * Fastify — in-memory and Redis stores, the revocation feeds, and each provider through the
 * emulator, called at most once per interval; never a secret in the answer or the logs.
 */
import { createRequire } from 'node:module';
import type { Response } from 'supertest';
import { HealthIndicatorService } from '@nestjs/terminus';
import {
  InMemoryApiKeyStore,
  InMemoryRateLimitStore,
  InMemoryRefreshTokenStore,
  InMemoryTokenStore,
  type AffilyncClient,
  type ApiKeyRecord,
  type ConvertlyClient,
  type ResolvedProviderAuthOptions,
  type StoredToken,
  type TokenStore,
  type VersionedToken,
} from '../../lib/index.js';
import { RedisApiKeyStore, RedisRateLimitStore, RedisRefreshTokenStore, RedisTokenStore } from '../../lib/redis/index.js';
import { EMULATOR_DEFAULT_USER, ProviderEmulator } from '../../lib/testing/index.js';
import { ProviderAuthHealthIndicator } from '../../lib/terminus/index.js';
import { RedisServer } from '../support/redis-server.js';
import { secretAudit } from '../support/secret-audit.js';
import { ADAPTERS, eventually, JWT_SECRET, startHealthApp, type HealthApp } from './health-app.js';

const K = (part: string) => `provider-auth:${part}`;

/** Nothing in the answer a secret could hide in: no token, key, password, URL, or message text. */
function expectNothingSecret(res: Response, secrets: string[]) {
  const body = JSON.stringify(res.body);
  for (const s of secrets) expect(body.includes(s)).toBe(false);
  expect(body).not.toMatch(/eyJ[A-Za-z0-9_-]{2,}\.|afk_live_|Bearer|https?:\/\/|rediss?:\/\/|password/i);
  for (const details of Object.values(res.body.details as Record<string, Record<string, unknown>>)) expect(details).not.toHaveProperty('message');
}

/** A TokenStore that answers as slowly, or fails as verbosely, as a test wants. */
class ScriptedTokenStore implements TokenStore {
  constructor(private readonly behaviour: 'hang' | 'throw-secret') {}
  get(): Promise<VersionedToken | undefined> {
    if (this.behaviour === 'hang') return new Promise(() => undefined);
    return Promise.reject(new Error('connect to redis://admin:s3cr3t-pass@db.internal failed for afk_live_abcdefghijklmnop'));
  }
  compareAndSet(_key: string, _token: StoredToken, _version: number): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }
  withLock<T>(_key: string, _ttlMs: number, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}

// Under Jest this require goes through moduleNameMapper: NEST_MAJOR=11 must reach .ci/nest11's terminus 11.
it('runs on the @nestjs/terminus major that goes with the Nest major under test', () => {
  const { version } = createRequire(import.meta.url)('@nestjs/terminus/package.json') as { version: string };
  expect(version.split('.')[0]).toBe(process.env.NEST_MAJOR === '11' ? '11' : '12');
});

describe.each(ADAPTERS)('ProviderAuthHealthIndicator on %s', (adapter) => {
  let emulator: ProviderEmulator;
  const apps: HealthApp[] = [];
  const start = async (...args: Parameters<typeof startHealthApp> extends [unknown, ...infer R] ? R : never) => {
    const app = await startHealthApp(adapter, ...args);
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    emulator = await ProviderEmulator.start();
    secretAudit.registerSecret(emulator.apiKey, EMULATOR_DEFAULT_USER.password, JWT_SECRET);
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await emulator.close();
  });
  beforeEach(() => {
    emulator.clearFaults();
    emulator.resetCounters();
  });

  describe('in-memory stores', () => {
    it('without incoming: 200, the token store and the rate-limit store up, and no provider called', async () => {
      const app = await start(emulator.clientOptions());
      const res = await app.get().expect(200);
      expect(res.body).toEqual({
        status: 'ok',
        info: {
          [K('token-store')]: { status: 'up', store: 'InMemoryTokenStore', responseTimeMs: expect.any(Number) },
          [K('rate-limit-store')]: { status: 'up', store: 'InMemoryRateLimitStore', probed: false },
        },
        error: {},
        details: expect.any(Object),
      });
      expect(emulator.counters.affilync.calls + emulator.counters.convertly.calls).toBe(0);
    });

    it('with incoming: the API-key and refresh-token stores up, and both revocation feeds live', async () => {
      const app = await start({ incoming: { jwtSecret: JWT_SECRET } });
      const res = await app.get().expect(200);
      expect(Object.keys(res.body.info)).toEqual([K('token-store'), K('rate-limit-store'), K('api-key-store'), K('refresh-token-store'), K('revocation-feed')]);
      expect(res.body.info[K('api-key-store')]).toMatchObject({ status: 'up', store: 'InMemoryApiKeyStore' });
      expect(res.body.info[K('refresh-token-store')]).toMatchObject({ status: 'up', store: 'InMemoryRefreshTokenStore' });
      expect(res.body.info[K('revocation-feed')]).toEqual({ status: 'up', apiKeys: 'live', refreshTokens: 'live' });
    });

    it('a store that does not answer in time is down with TimeoutError, and the answer is 503', async () => {
      const app = await start({ tokenStore: new ScriptedTokenStore('hang') }, { storeTimeoutMs: 150 });
      const res = await app.get().expect(503);
      expect(res.body.status).toBe('error');
      expect(res.body.error).toEqual({ [K('token-store')]: { status: 'down', store: 'ScriptedTokenStore', error: 'TimeoutError', timeoutMs: 150 } });
      expect(res.body.info[K('rate-limit-store')]).toMatchObject({ status: 'up' });
    });

    it("a store's error is shown by its class name only, never its message", async () => {
      const app = await start({ tokenStore: new ScriptedTokenStore('throw-secret') });
      secretAudit.registerSecret('s3cr3t-pass', 'db.internal');
      const res = await app.get().expect(503);
      expect(res.body.error[K('token-store')]).toEqual({ status: 'down', store: 'ScriptedTokenStore', error: 'Error' });
      expectNothingSecret(res, ['s3cr3t-pass', 'db.internal']);
      expect(app.logger.text()).toContain('Health Check has failed');
    });

    it('a revocation feed that is down: down by default, up with a warning when whenRevocationFeedDown is up', async () => {
      // An ApiKeyStore whose feed is down; its records are the in-memory default's.
      const feedDown = {
        revocations: { isLive: () => false, subscribe: () => () => undefined },
        save: () => Promise.resolve(),
        get: (): Promise<ApiKeyRecord | undefined> => Promise.resolve(undefined),
        list: () => Promise.resolve([]),
        revoke: () => Promise.resolve(false),
        touch: () => Promise.resolve(),
      };
      const app = await start({ incoming: { jwtSecret: JWT_SECRET, apiKeyStore: feedDown } });
      const strict = await app.get().expect(503);
      expect(strict.body.error).toEqual({ [K('revocation-feed')]: { status: 'down', apiKeys: 'down', refreshTokens: 'live' } });
      const lenient = await app.get('/health/lenient').expect(200);
      expect(lenient.body.info[K('revocation-feed')]).toEqual({
        status: 'up',
        apiKeys: 'down',
        refreshTokens: 'live',
        warning: expect.stringContaining('revocations still apply'),
      });
    });
  });

  describe('providers', () => {
    it('green against the emulator: one authenticated call each, the smallest page of a documented list', async () => {
      const app = await start(emulator.clientOptions({ affilync: 'password' }), { providers: true });
      const res = await app.get().expect(200);
      for (const p of ['affilync', 'convertly']) {
        expect(res.body.info[K(p)]).toEqual({ status: 'up', checkedAt: expect.any(String), responseTimeMs: expect.any(Number) });
        expect(Date.parse(res.body.info[K(p)].checkedAt)).toBeGreaterThan(Date.now() - 10_000);
      }
      expect([emulator.counters.affilync.calls, emulator.counters.convertly.calls]).toEqual([1, 1]);
      expect([emulator.counters.affilync.logins, emulator.counters.convertly.logins]).toEqual([1, 1]);
      expectNothingSecret(res, [emulator.apiKey, EMULATOR_DEFAULT_USER.password, EMULATOR_DEFAULT_USER.email]);
    });

    it('at most one call per provider per interval, however often and however concurrently /health is hit', async () => {
      const app = await start(emulator.clientOptions(), { providers: true, providerIntervalMs: 60_000 });
      // The first check's calls are slow: every concurrent check waits for them, none sends its own.
      emulator.fault({ provider: 'affilync', path: '/campaigns', delayMs: 300 });
      emulator.fault({ provider: 'convertly', path: '/affiliates', delayMs: 300 });
      const concurrent = await Promise.all(Array.from({ length: 10 }, () => app.get()));
      expect(concurrent.map((r) => r.status)).toEqual(Array(10).fill(200));
      for (let i = 0; i < 20; i++) await app.get().expect(200);
      expect([emulator.counters.affilync.calls, emulator.counters.convertly.calls]).toEqual([1, 1]);
    });

    it('after the interval the provider is asked again, and the answer can change', async () => {
      const key = await emulator.createApiKey(['campaigns:read']);
      secretAudit.registerSecret(key);
      const app = await start(
        { ...emulator.clientOptions(), affilync: { baseUrl: emulator.affilyncBaseUrl, apiKey: key } },
        { providers: true, providerIntervalMs: 1_500 },
      );
      expect((await app.get().expect(200)).body.info[K('affilync')].status).toBe('up');
      await emulator.revokeApiKey(key);
      // Within the interval the remembered answer stands.
      expect((await app.get().expect(200)).body.info[K('affilync')].status).toBe('up');
      expect(emulator.counters.affilync.calls).toBe(1);
      await new Promise((r) => setTimeout(r, 1_600));
      const res = await app.get().expect(503);
      expect(res.body.error).toEqual({
        [K('affilync')]: {
          status: 'down',
          error: 'ProviderAuthError',
          httpStatus: 401,
          code: 'TOKEN_INVALID',
          checkedAt: expect.any(String),
          responseTimeMs: expect.any(Number),
        },
      });
      expect(res.body.info[K('convertly')]).toMatchObject({ status: 'up' });
      expect(emulator.counters.affilync.calls).toBe(2);
      expectNothingSecret(res, [key, emulator.apiKey]);
    });

    it('red when the provider answers 401 to every call, after the one renewal and replay', async () => {
      const app = await start(emulator.clientOptions(), { providers: true });
      emulator.fault({ provider: 'convertly', path: '/affiliates', status: 401, times: Infinity });
      const res = await app.get().expect(503);
      expect(res.body.error[K('convertly')]).toMatchObject({ status: 'down', error: 'ProviderAuthError', httpStatus: 401 });
      expect(res.body.info[K('affilync')]).toMatchObject({ status: 'up' });
      expectNothingSecret(res, [EMULATOR_DEFAULT_USER.password]);
    });

    it('red with ProviderNetworkError once the provider is gone and the interval has passed', async () => {
      const gone = await ProviderEmulator.start();
      const app = await start(gone.clientOptions(), { providers: true, providerIntervalMs: 100, providerTimeoutMs: 2_000 });
      await app.get().expect(200);
      await gone.close();
      await new Promise((r) => setTimeout(r, 150));
      const res = await app.get().expect(503);
      for (const p of ['affilync', 'convertly']) expect(res.body.error[K(p)]).toMatchObject({ status: 'down', error: 'ProviderNetworkError' });
      expect(res.body.error[K('affilync')]).not.toHaveProperty('httpStatus');
    });

    it('a provider that does not answer in time is down with TimeoutError', async () => {
      const app = await start(emulator.clientOptions(), { providers: true, providerTimeoutMs: 200 });
      emulator.fault({ provider: 'affilync', path: '/campaigns', hang: true });
      const res = await app.get().expect(503);
      expect(res.body.error[K('affilync')]).toMatchObject({ status: 'down', error: expect.stringMatching(/^(TimeoutError|ProviderTimeoutError)$/) });
    });

    it('a provider without a block is not checked; without providers: true none is', async () => {
      const app = await start({ convertly: emulator.clientOptions().convertly }, { providers: true });
      const res = await app.get().expect(200);
      expect(res.body.info).not.toHaveProperty(K('affilync'));
      expect(res.body.info[K('convertly')]).toMatchObject({ status: 'up' });
      expect(emulator.counters.affilync.calls).toBe(0);
    });
  });

  describe('Redis stores on a real redis-server', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await RedisServer.start();
    });
    afterAll(() => redis.stop());

    it('green; Redis stops → 503 with the stores and the feeds down; Redis back → green', async () => {
      const url = redis.url;
      const app = await start({
        ...emulator.clientOptions(),
        tokenStore: new RedisTokenStore({ url }),
        rateLimitStore: new RedisRateLimitStore({ url }),
        incoming: { jwtSecret: JWT_SECRET, apiKeyStore: new RedisApiKeyStore({ url }), refreshTokenStore: new RedisRefreshTokenStore({ url }) },
      });
      await eventually(async () => {
        const res = await app.get();
        expect(res.status).toBe(200);
      });
      const green = await app.get().expect(200);
      expect(green.body.info[K('token-store')]).toEqual({ status: 'up', store: 'RedisTokenStore' });
      expect(green.body.info[K('revocation-feed')]).toEqual({ status: 'up', apiKeys: 'live', refreshTokens: 'live' });

      await redis.stop();
      let red!: Response;
      await eventually(async () => {
        red = await app.get();
        expect(red.body.error?.[K('token-store')]).toBeDefined();
        expect(red.body.error?.[K('revocation-feed')]).toBeDefined();
      });
      expect(red.status).toBe(503);
      expect(red.body.status).toBe('error');
      expect(red.body.error[K('token-store')]).toEqual({ status: 'down', store: 'RedisTokenStore', available: false });
      expect(red.body.error[K('revocation-feed')]).toEqual({ status: 'down', apiKeys: 'down', refreshTokens: 'down' });
      expect(red.body.error[K('api-key-store')]).toEqual({ status: 'down', store: 'RedisApiKeyStore', available: false });
      expect(red.body.error[K('rate-limit-store')]).toEqual({ status: 'down', store: 'RedisRateLimitStore', available: false });
      expect(red.body.error[K('refresh-token-store')]).toMatchObject({ status: 'down', store: 'RedisRefreshTokenStore', error: 'RedisUnavailableError' });
      expectNothingSecret(red, [url]);
      const lenient = await app.get('/health/lenient').expect(503);
      expect(lenient.body.info[K('revocation-feed')]).toMatchObject({ status: 'up', apiKeys: 'down', refreshTokens: 'down' });

      await redis.restart();
      await eventually(async () => {
        const res = await app.get();
        expect(res.status).toBe(200);
      });
      const again = await app.get().expect(200);
      expect(again.body.error).toEqual({});
      expect(again.body.info[K('revocation-feed')]).toEqual({ status: 'up', apiKeys: 'live', refreshTokens: 'live' });
    }, 60_000);
  });
});

// A block with no default credentials (`affilync: {}` or `{ baseUrl }`: forAccount() only) has a
// configured client whose default account cannot call: the indicator must not try it.
it('a provider block without default credentials (forAccount only) is not checked', async () => {
  const calls: string[] = [];
  const client = (name: string, hasAccount: boolean) => ({
    configured: true,
    hasAccount,
    request: () => (calls.push(name), Promise.resolve({ status: 200, headers: {}, data: {} })),
  });
  const endpoint = { baseUrl: 'http://127.0.0.1:1/api', origin: 'http://127.0.0.1:1', basePathname: '/api' };
  const options = {
    affilync: endpoint,
    convertly: { ...endpoint, email: 'ops@example.com', password: 'not-used-here' },
  } as unknown as ResolvedProviderAuthOptions;
  const indicator = new ProviderAuthHealthIndicator(
    new HealthIndicatorService(),
    options,
    new InMemoryTokenStore(),
    new InMemoryRateLimitStore(),
    new InMemoryApiKeyStore(),
    new InMemoryRefreshTokenStore(),
    client('affilync', false) as unknown as AffilyncClient,
    client('convertly', true) as unknown as ConvertlyClient,
  );
  const result = await indicator.isHealthy('pa', { providers: true });
  expect(Object.keys(result)).toEqual(['pa:token-store', 'pa:rate-limit-store', 'pa:convertly']);
  expect(calls).toEqual(['convertly']);
});
