/**
 * A user's app throttled by ProviderThrottlerGuard behind ProviderAuthGuard (both APP_GUARD, in
 * that order): budgets per API key and per user, limits per plan, @Public() routes per IP, and the
 * 429 in both provider formats with Retry-After and X-RateLimit-* (Reset in epoch seconds).
 */
import type request from 'supertest';
import { limitByPrincipal } from '../../lib/throttler/index.js';
import { ADAPTERS, exactly, startThrottledApp, statuses, type ThrottledApp } from './support/throttled-app.js';

const nowSec = () => Date.now() / 1000;

/** How many times the answer carries this header (a duplicate would count twice). */
function count(res: request.Response, name: string): number {
  const raw = (res as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders;
  return raw.filter((h, i) => i % 2 === 0 && h.toLowerCase() === name).length;
}

describe.each(ADAPTERS)('ProviderThrottlerGuard on %s', (adapter) => {
  describe('a fixed limit of 3 per minute', () => {
    let app: ThrottledApp;
    beforeAll(async () => {
      app = await startThrottledApp(adapter, { limit: 3 });
    });
    afterAll(() => app.close());

    it('an API key gets exactly 3 answers, then 429; a second key and a user have budgets of their own', async () => {
      const [k1, k2] = [await app.apiKey('one'), await app.apiKey('two')];
      const user = await app.userToken('u-1');
      expect(await statuses(5, () => app.get('/items', k1))).toEqual(exactly(3, 2));
      expect(await statuses(4, () => app.get('/items', k2))).toEqual(exactly(3));
      expect(await statuses(4, () => app.get('/items', user))).toEqual(exactly(3));
      // Two tokens of one user share the user's budget.
      expect((await app.get('/items', await app.userToken('u-1'))).status).toBe(429);
    });

    it('allowed answers carry X-RateLimit-Limit, -Remaining and -Reset (epoch seconds within the window), once each', async () => {
      const key = await app.apiKey('headers');
      const before = nowSec();
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await app.get('/items', key).expect(200));
      expect(answers.map((r) => r.headers['x-ratelimit-limit'])).toEqual(['3', '3', '3']);
      expect(answers.map((r) => r.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0']);
      for (const r of answers) {
        const reset = Number(r.headers['x-ratelimit-reset']);
        expect(Number.isInteger(reset)).toBe(true);
        expect(reset).toBeGreaterThanOrEqual(Math.floor(before) + 59);
        expect(reset).toBeLessThanOrEqual(Math.ceil(nowSec()) + 61);
        expect(r.headers['retry-after']).toBeUndefined();
        for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) expect({ h, n: count(r, h) }).toEqual({ h, n: 1 });
      }
    });

    it("the 429 is Affilync's { detail, error_code: 'RATE_LIMIT_EXCEEDED', status } with Retry-After in seconds and Reset in epoch seconds", async () => {
      const key = await app.apiKey('refused');
      await statuses(3, () => app.get('/items', key));
      const before = nowSec();
      const r = await app.get('/items', key).expect(429);
      expect(r.body).toEqual({ detail: 'Rate limit exceeded', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 });
      const retryAfter = Number(r.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(59);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(r.headers['x-ratelimit-limit']).toBe('3');
      expect(r.headers['x-ratelimit-remaining']).toBe('0');
      const reset = Number(r.headers['x-ratelimit-reset']);
      expect(reset).toBeGreaterThanOrEqual(Math.floor(before) + retryAfter);
      expect(reset).toBeLessThanOrEqual(Math.ceil(nowSec()) + retryAfter);
      for (const h of ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) expect({ h, n: count(r, h) }).toEqual({ h, n: 1 });
      expect(r.headers['www-authenticate']).toBeUndefined();
    });
  });

  it("with errorFormat 'convertly' the 429 is { statusCode, message, error: 'Too Many Requests' }, with the same headers", async () => {
    const app = await startThrottledApp(adapter, { limit: 1, errorFormat: 'convertly' });
    try {
      const key = await app.apiKey();
      const ok = await app.get('/items', key).expect(200);
      expect([ok.headers['x-ratelimit-limit'], ok.headers['x-ratelimit-remaining']]).toEqual(['1', '0']);
      expect(Number(ok.headers['x-ratelimit-reset'])).toBeGreaterThan(nowSec());
      const r = await app.get('/items', key).expect(429);
      expect(r.body).toEqual({ statusCode: 429, message: 'Rate limit exceeded', error: 'Too Many Requests' });
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(59);
      expect(r.headers['x-ratelimit-remaining']).toBe('0');
      expect(Number(r.headers['x-ratelimit-reset']) - Number(r.headers['retry-after'])).toBeLessThanOrEqual(Math.ceil(nowSec()));
    } finally {
      await app.close();
    }
  });

  it('limitByPrincipal: each plan its limit, other users theirs, API keys theirs, anonymous requests theirs', async () => {
    const limit = limitByPrincipal({ plans: { growth: 2, scale: 4 }, user: 1, apiKey: 3, anonymous: 2 });
    const app = await startThrottledApp(adapter, { limit });
    try {
      const growth = await app.userToken('g', 'growth');
      const scale = await app.userToken('s', 'scale');
      const unlisted = await app.userToken('f', 'free');
      const planless = await app.userToken('p');
      const key = await app.apiKey();
      expect(await statuses(3, () => app.get('/items', growth))).toEqual(exactly(2));
      expect(await statuses(5, () => app.get('/items', scale))).toEqual(exactly(4));
      expect(await statuses(2, () => app.get('/items', unlisted))).toEqual(exactly(1));
      expect(await statuses(2, () => app.get('/items', planless))).toEqual(exactly(1));
      expect(await statuses(4, () => app.get('/items', key))).toEqual(exactly(3));
      expect(await statuses(3, () => app.get('/open'))).toEqual(exactly(2));
      const r = await app.get('/items', scale).expect(429);
      expect(r.headers['x-ratelimit-limit']).toBe('4');
    } finally {
      await app.close();
    }
  });

  it('a @Public() route is counted per client IP', async () => {
    const app = await startThrottledApp(adapter, { limit: 2 });
    try {
      expect(await statuses(3, () => app.get('/open', undefined, '203.0.113.7'))).toEqual(exactly(2));
      expect(await statuses(3, () => app.get('/open', undefined, '198.51.100.9'))).toEqual(exactly(2));
      // An authenticated caller from the exhausted IP spends its own budget.
      expect((await app.get('/items', await app.apiKey(), '203.0.113.7')).status).toBe(200);
      // @Public() is the expected case: no warning.
      expect(app.logger.text()).not.toContain('throttled per IP');
    } finally {
      await app.close();
    }
  });

  it('the budget comes back when the window ends: Retry-After says when', async () => {
    const app = await startThrottledApp(adapter, { limit: 1, ttlMs: 1_000 });
    try {
      const key = await app.apiKey();
      await app.get('/items', key).expect(200);
      const r = await app.get('/items', key).expect(429);
      expect(r.headers['retry-after']).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await app.get('/items', key).expect(200);
    } finally {
      await app.close();
    }
  });

  it("without ProviderAuthModule the guard throttles per IP and answers in Affilync's format", async () => {
    const app = await startThrottledApp(adapter, { limit: 1, withoutAuthModule: true, wiring: 'throttler-app-guard' });
    try {
      await app.get('/open').expect(200);
      const r = await app.get('/open').expect(429);
      expect(r.body).toEqual({ detail: 'Rate limit exceeded', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    } finally {
      await app.close();
    }
  });
});

describe('limitByPrincipal', () => {
  it('refuses limits that are not whole numbers, naming the field', () => {
    expect(() => limitByPrincipal({ user: 1, apiKey: 1, anonymous: -1 })).toThrow('limitByPrincipal: anonymous must be a whole number');
    expect(() => limitByPrincipal({ user: 1, apiKey: 1.5, anonymous: 1 })).toThrow('apiKey');
    expect(() => limitByPrincipal({ user: 1, apiKey: 1, anonymous: 1, plans: { growth: Number.NaN } })).toThrow('plans.growth');
  });
});
