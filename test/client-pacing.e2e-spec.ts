/**
 * Pacing: calls wait for budget instead of being sent into a 429. Against a provider of our own
 * (test/support/rate-limited-provider.ts) that enforces a small fixed window per credential: from
 * Affilync's X-RateLimit-* headers in each unit the Reset may come in, and from Convertly's plan.
 */
import { ProviderRateLimitError, type RateLimitStore } from '../lib/index.js';
import { RateLimitedProvider, type ResetUnit } from './support/rate-limited-provider.js';
import { secretAudit } from './support/secret-audit.js';
import { startClients, type Clients } from './support/nest-clients.js';

const KEY = 'afk_live_pacingkey0123456789abc';
const PASSWORD = 'pacing-password-1';
secretAudit.registerSecret(KEY);
secretAudit.registerSecret(PASSWORD);

describe('pacing from Affilync’s X-RateLimit-* headers', () => {
  let provider: RateLimitedProvider;
  let app: Clients;
  afterEach(async () => {
    await app?.close();
    await provider?.close();
  });

  // Whole-second resets may be rounded either way, so the client waits a second longer for those:
  // fewer windows there keep the test short.
  it.each<[ResetUnit, number]>([
    ['epoch-ms', 16],
    ['epoch-s', 8],
    ['epoch-s-floor', 8],
    ['delta-s', 8],
  ])(
    'sends no call into a 429 when Reset is %s: %i calls at once on 5 per 2 s all succeed',
    async (resetUnit, calls) => {
      provider = await RateLimitedProvider.start({ style: 'affilync', limit: 5, windowMs: 2_000, resetUnit });
      app = await startClients({ affilync: { baseUrl: provider.baseUrl, apiKey: KEY }, http: { maxRetries: 0 } });
      const started = Date.now();
      const results = await Promise.allSettled(Array.from({ length: calls }, () => app.affilync.get('/campaigns')));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(provider.refused).toEqual([]);
      expect(provider.accepted).toHaveLength(calls);
      // The calls past each window's budget waited for the next window instead of being refused.
      expect(Date.now() - started).toBeGreaterThanOrEqual((Math.ceil(calls / 5) - 1) * 2_000);
    },
    20_000,
  );

  it('a wait longer than the call may wait rejects at once, sending nothing; a shorter one is waited out', async () => {
    provider = await RateLimitedProvider.start({ style: 'affilync', limit: 2, windowMs: 3_000, resetUnit: 'epoch-ms' });
    app = await startClients({ affilync: { baseUrl: provider.baseUrl, apiKey: KEY }, http: { maxRetries: 0, maxRetryAfterMs: 10_000 } });
    await app.affilync.get('/campaigns');
    await app.affilync.get('/campaigns');
    expect(app.affilync.rateLimitStatus()).toMatchObject({ limit: 2, remaining: 0 });

    // timeoutMs bounds the wait as well as http.maxRetryAfterMs.
    let started = Date.now();
    const refused = await app.affilync.get('/campaigns', { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderRateLimitError);
    expect(Date.now() - started).toBeLessThan(400);
    expect((refused as ProviderRateLimitError).status).toBeUndefined();
    expect((refused as ProviderRateLimitError).retryAfterMs).toBeGreaterThan(2_000);
    expect((refused as ProviderRateLimitError).retryAfterMs).toBeLessThanOrEqual(3_100);
    expect((refused as Error).message).toMatch(/not sent/);

    // The caller's signal ends a wait at once, with its reason.
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 100);
    started = Date.now();
    await expect(app.affilync.get('/campaigns', { signal: controller.signal })).rejects.toThrow('caller gave up');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(provider.accepted).toHaveLength(2);

    // Within the bounds, the call waits for the window and goes.
    await expect(app.affilync.get('/campaigns')).resolves.toBeDefined();
    expect(provider.accepted).toHaveLength(3);
    expect(provider.refused).toEqual([]);
  }, 15_000);

  it('waiting for the first answer is not waiting for budget: it goes on with http.maxRetryAfterMs 0', async () => {
    provider = await RateLimitedProvider.start({ style: 'affilync', limit: 100, windowMs: 60_000, resetUnit: 'epoch-s', latencyMs: 50 });
    app = await startClients({ affilync: { baseUrl: provider.baseUrl, apiKey: KEY }, http: { maxRetryAfterMs: 0 } });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => app.affilync.get('/campaigns')));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(provider.accepted).toHaveLength(20);
  });

  it('with the default http.maxRetryAfterMs (5 s), a minute-long wait is the caller’s at once', async () => {
    provider = await RateLimitedProvider.start({ style: 'affilync', limit: 1, windowMs: 60_000, resetUnit: 'delta-s' });
    app = await startClients({ affilync: { baseUrl: provider.baseUrl, apiKey: KEY } });
    await app.affilync.get('/campaigns');
    const started = Date.now();
    await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ name: 'ProviderRateLimitError', retryAfterMs: expect.any(Number) });
    expect(Date.now() - started).toBeLessThan(300);
    expect(provider.accepted).toHaveLength(1);
    expect(provider.refused).toEqual([]);
  });
});

describe('pacing from Convertly’s plan', () => {
  let provider: RateLimitedProvider;
  let app: Clients;
  afterEach(async () => {
    await app?.close();
    await provider?.close();
  });

  it('growth: 100 calls a minute go at once, the 101st is refused before it is sent', async () => {
    provider = await RateLimitedProvider.start({ style: 'convertly', limit: 100, windowMs: 60_000 });
    app = await startClients({ convertly: { baseUrl: provider.baseUrl, email: 'brand@example.com', password: PASSWORD, plan: 'growth' } });
    await Promise.all(Array.from({ length: 100 }, () => app.convertly.get('/affiliates')));
    expect(app.convertly.rateLimitStatus()).toMatchObject({ limit: 100, remaining: 0 });
    const started = Date.now();
    const refused = await app.convertly.get('/affiliates').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderRateLimitError);
    expect(Date.now() - started).toBeLessThan(300);
    // The first call's place frees a minute (and a little slack) after it was taken.
    expect((refused as ProviderRateLimitError).retryAfterMs).toBeGreaterThan(55_000);
    expect((refused as ProviderRateLimitError).retryAfterMs).toBeLessThanOrEqual(61_000);
    expect(provider.accepted).toHaveLength(100);
    expect(provider.refused).toEqual([]);
  });

  it('scale allows 500; without a plan nothing is paced and the provider’s 429 is what stops calls', async () => {
    provider = await RateLimitedProvider.start({ style: 'convertly', limit: 100, windowMs: 60_000 });
    app = await startClients({ convertly: { baseUrl: provider.baseUrl, email: 'brand@example.com', password: PASSWORD }, http: { maxRetries: 0 } });
    await Promise.all(Array.from({ length: 100 }, () => app.convertly.get('/affiliates')));
    await expect(app.convertly.get('/affiliates')).rejects.toMatchObject({ name: 'ProviderRateLimitError', status: 429 });
    expect(app.convertly.rateLimitStatus()).toBeUndefined();
    // The 429's Retry-After now holds back every call on the credential, before it is sent.
    const sent = provider.refused.length;
    await expect(app.convertly.get('/affiliates')).rejects.toMatchObject({ name: 'ProviderRateLimitError', status: undefined });
    expect(provider.refused).toHaveLength(sent);
    await app.close();

    app = await startClients({ convertly: { baseUrl: provider.baseUrl, email: 'scale@example.com', password: PASSWORD, plan: 'scale' } });
    await Promise.all(Array.from({ length: 20 }, () => app.convertly.get('/affiliates')));
    expect(app.convertly.rateLimitStatus()).toMatchObject({ limit: 500, remaining: 480 });
  });
});

describe('a RateLimitStore that fails', () => {
  it('does not stop calls: they go unpaced, said once in the log, and once when it answers again', async () => {
    const provider = await RateLimitedProvider.start({ style: 'affilync', limit: 100, windowMs: 60_000, resetUnit: 'epoch-ms' });
    let failing = true;
    const calls: string[] = [];
    const store: RateLimitStore = {
      reserve: async () => {
        calls.push('reserve');
        if (failing) throw new Error('store down');
        return { granted: true, ticket: 1 };
      },
      record: async () => {
        calls.push('record');
        return undefined;
      },
    };
    const app = await startClients({ affilync: { baseUrl: provider.baseUrl, apiKey: KEY }, rateLimitStore: store });
    try {
      for (let i = 0; i < 3; i++) await app.affilync.get('/campaigns');
      expect(provider.accepted).toHaveLength(3);
      expect(app.logger.lines.filter((l) => l.level === 'warn' && /rate-limit store failed \(Error\)/.test(l.text))).toHaveLength(1);
      failing = false;
      await app.affilync.get('/campaigns');
      await app.affilync.get('/campaigns');
      expect(app.logger.lines.filter((l) => /rate-limit store is answering again/.test(l.text))).toHaveLength(1);
      expect(calls.slice(-4)).toEqual(['reserve', 'record', 'reserve', 'record']);
    } finally {
      await app.close();
      await provider.close();
    }
  });

  it('a rateLimitStore without reserve/record fails at bootstrap, naming the option', async () => {
    await expect(startClients({ affilync: { apiKey: KEY }, rateLimitStore: {} as RateLimitStore })).rejects.toThrow(
      /rateLimitStore.*must implement RateLimitStore/,
    );
    await expect(startClients({ convertly: { email: 'a@example.com', password: PASSWORD, plan: 'starter' as 'growth' } })).rejects.toThrow(
      /convertly\.plan.*'growth', 'scale'/,
    );
  });
});

describe('against the emulator with its limits on', () => {
  it('the clients stay within both providers’ budgets: the emulator answers no 429', async () => {
    const { ProviderEmulator } = await import('../lib/testing/index.js');
    const emulator = await ProviderEmulator.start({ rateLimits: { affilync: { limit: 5, windowMs: 1_500 }, convertly: { limit: 100, windowMs: 60_000 } } });
    const options = emulator.clientOptions();
    const app = await startClients({ ...options, convertly: { ...options.convertly!, plan: 'growth' } });
    try {
      const affilync = await Promise.allSettled(Array.from({ length: 12 }, () => app.affilync.get('/campaigns')));
      expect(affilync.filter((r) => r.status === 'rejected')).toEqual([]);
      await Promise.all(Array.from({ length: 100 }, () => app.convertly.get('/affiliates')));
      await expect(app.convertly.get('/affiliates')).rejects.toMatchObject({ name: 'ProviderRateLimitError', status: undefined });
      expect(emulator.counters.affilync.rateLimited).toBe(0);
      expect(emulator.counters.convertly.rateLimited).toBe(0);
      expect(emulator.counters.convertly.calls).toBe(100);
    } finally {
      await app.close();
      await emulator.close();
    }
  }, 20_000);
});
