import { ProviderAuthError } from '../lib/index.js';
import { FakeAffilync } from './support/fake-providers.js';
import { secretAudit } from './support/secret-audit.js';
import { sleep, startClients, type Clients } from './support/nest-clients.js';

describe('AffilyncClient against a docs-faithful Affilync', () => {
  let fake: FakeAffilync;
  let app: Clients | undefined;
  beforeAll(() => secretAudit.registerSecret('wrong-password-123'));

  beforeEach(async () => {
    fake = await FakeAffilync.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await fake.close();
  });

  describe('API-key mode', () => {
    beforeEach(async () => {
      app = await startClients({ affilync: { baseUrl: fake.baseUrl, apiKey: fake.apiKey } });
    });

    it('sends the key as the bearer credential and never logs in', async () => {
      const body = await app!.affilync.get<{ data: { id: string }[] }>('/campaigns');
      expect(body.data.map((c) => c.id)).toEqual(['cmp_1', 'cmp_2']);
      expect(fake.server.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${fake.apiKey}`]);
      expect(fake.counters.logins + fake.counters.failedLogins).toBe(0);
    });

    it('gives a ProviderAuthError for a revoked key after exactly one request', async () => {
      fake.apiKey = 'afk_live_someoneelse';
      await expect(app!.affilync.get('/campaigns')).rejects.toMatchObject({
        constructor: ProviderAuthError,
        status: 401,
        code: 'TOKEN_INVALID',
        provider: 'affilync',
      });
      expect(fake.server.requests).toHaveLength(1);
      expect(fake.counters.logins + fake.counters.failedLogins).toBe(0);
    });

    it('offers every verb, resolving to the body unchanged (204 to undefined)', async () => {
      await expect(app!.affilync.post('/links', { campaign_id: 'cmp_1' })).resolves.toEqual({ id: 'lnk_9', campaign_id: 'cmp_1' });
      await expect(app!.affilync.put('/links/lnk_9', { a: 1 })).resolves.toEqual({ id: 'lnk_9', method: 'PUT', a: 1 });
      await expect(app!.affilync.patch('/links/lnk_9', { b: 2 })).resolves.toEqual({ id: 'lnk_9', method: 'PATCH', b: 2 });
      await expect(app!.affilync.delete('/links/lnk_9')).resolves.toBeUndefined();
      const res = await app!.affilync.request<{ data: unknown[] }>({ method: 'GET', path: '/campaigns' });
      expect(res.status).toBe(200);
      expect(res.data.data).toHaveLength(2);
      expect(res.rateLimit).toMatchObject({ limit: 300, remaining: 287 });
      expect(res.rateLimit!.reset).toBeGreaterThan(Date.now());
    });
  });

  describe('email/password mode', () => {
    const start = () => startClients({ affilync: { baseUrl: fake.baseUrl, email: fake.email, password: fake.password } });

    it('logs in once for 50 concurrent first calls', async () => {
      app = await start();
      const results = await Promise.all(Array.from({ length: 50 }, () => app!.affilync.get('/campaigns')));
      expect(results).toHaveLength(50);
      expect(fake.counters.logins).toBe(1);
      expect(fake.counters.calls).toBe(50);
      expect(fake.counters.rejected).toBe(0);
    });

    it('refreshes exactly once for 100 concurrent calls after a lifetime, with no failed call', async () => {
      fake.ttlSec = 2;
      app = await start();
      await app.affilync.get('/campaigns');
      await sleep(2_100);
      const settled = await Promise.allSettled(Array.from({ length: 100 }, () => app!.affilync.get('/campaigns')));
      expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
      expect(fake.counters.refreshes).toBe(1);
      expect(fake.counters.logins).toBe(1);
      expect(fake.counters.rejected).toBe(0);
    });

    it('renews about once per lifetime, before expiry, however short the lifetime', async () => {
      fake.ttlSec = 1;
      app = await start();
      const until = Date.now() + 3_500;
      while (Date.now() < until) {
        await app.affilync.get('/campaigns');
        await sleep(20);
      }
      // 3.5 lifetimes of 1 s, renewed at 70–80% of each: 4 or 5 tokens in all, never an expired call.
      expect(fake.counters.logins).toBe(1);
      expect(fake.counters.refreshes).toBeGreaterThanOrEqual(3);
      expect(fake.counters.refreshes).toBeLessThanOrEqual(4);
      expect(fake.counters.rejected).toBe(0);
    });

    it('uses the rotated refresh token from each refresh the next time', async () => {
      fake.ttlSec = 1;
      app = await start();
      await app.affilync.get('/campaigns');
      await sleep(1_000);
      await app.affilync.get('/campaigns');
      await sleep(1_000);
      await app.affilync.get('/campaigns');
      expect(fake.counters.refreshes).toBe(2);
      expect(fake.counters.failedRefreshes).toBe(0);
      // login issued #0; refresh 1 sent #0 and got #1; refresh 2 sent #1.
      expect(fake.usedRefreshTokens).toEqual(fake.issuedRefreshTokens.slice(0, 2));
    });

    it('pays one renewal (a refresh, not a login) for a server-side revocation', async () => {
      app = await start();
      await app.affilync.get('/campaigns');
      fake.revokeAccessTokens();
      await expect(app.affilync.get('/campaigns')).resolves.toBeDefined();
      expect(fake.counters).toMatchObject({ logins: 1, refreshes: 1, rejected: 1, calls: 3 });
    });

    it('renews once for many concurrent calls rejected after a revocation', async () => {
      app = await start();
      await app.affilync.get('/campaigns');
      fake.revokeAccessTokens();
      const settled = await Promise.allSettled(Array.from({ length: 30 }, () => app!.affilync.get('/campaigns')));
      expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
      expect(fake.counters.refreshes).toBe(1);
      expect(fake.counters.logins).toBe(1);
    });

    it('falls back to a fresh login when the refresh is refused', async () => {
      fake.ttlSec = 1;
      app = await start();
      await app.affilync.get('/campaigns');
      fake.refuseRefresh = true;
      await sleep(1_000);
      await expect(app.affilync.get('/campaigns')).resolves.toBeDefined();
      expect(fake.counters).toMatchObject({ logins: 2, refreshes: 0, failedRefreshes: 1, rejected: 0 });
      expect(app.logger.text()).toMatch(/refresh failed .*logging in again/);
    });

    it('against a server that answers 401 to everything: one renewal, one replay, then ProviderAuthError', async () => {
      app = await start();
      fake.rejectAll = true;
      await expect(app.affilync.get('/campaigns')).rejects.toBeInstanceOf(ProviderAuthError);
      expect(fake.counters).toMatchObject({ logins: 1, refreshes: 1, calls: 2, rejected: 2 });
      // The next call starts over with the same bounded cost: still no loop.
      await expect(app.affilync.get('/campaigns')).rejects.toBeInstanceOf(ProviderAuthError);
      expect(fake.counters.calls).toBe(4);
      expect(fake.counters).toMatchObject({ logins: 1, refreshes: 2 });
    });

    it('fails cleanly on bad credentials: one login attempt per call, no secret in the error', async () => {
      app = await startClients({ affilync: { baseUrl: fake.baseUrl, email: fake.email, password: 'wrong-password-123' } });
      const errors = await Promise.allSettled(Array.from({ length: 10 }, () => app!.affilync.get('/campaigns')));
      expect(errors.every((e) => e.status === 'rejected' && e.reason instanceof ProviderAuthError)).toBe(true);
      expect(fake.counters.failedLogins).toBe(1);
      expect(fake.counters.calls).toBe(0);
      const err = (errors[0] as PromiseRejectedResult).reason as ProviderAuthError;
      expect(err).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
      expect(err.message).toContain('login');
      expect(JSON.stringify(err) + String(err.stack)).not.toContain('wrong-password-123');

      await expect(app.affilync.get('/campaigns')).rejects.toBeInstanceOf(ProviderAuthError);
      expect(fake.counters.failedLogins).toBe(2);
    });
  });
});
