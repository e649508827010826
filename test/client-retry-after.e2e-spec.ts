import { InMemoryTokenStore, ProviderApiError, ProviderRateLimitError, type ProviderAuthModuleOptions } from '../lib/index.js';
import { tokenStoreKey } from '../lib/client/token-manager.js';
import { FakeServer, type FakeAnswer, type FakeRequest } from './support/fake-server.js';
import { secretAudit } from './support/secret-audit.js';
import { startClients, type Clients } from './support/nest-clients.js';
import { useTimeZone } from './support/time-zone.js';

const KEY = 'afk_live_retryafter0123456789';
const EMAIL = 'ops@example.com';
const PASSWORD = 'retry-after-password-42';
const ok: FakeAnswer = { json: { data: [1] } };

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** The three HTTP-date forms of RFC 9110 §5.6.7, written from the RFC (not from our parser). */
const HTTP_DATE_FORMS: [string, (d: Date) => string][] = [
  ['IMF-fixdate', (d) => d.toUTCString()],
  [
    'RFC 850',
    (d) =>
      `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`,
  ],
  [
    'asctime',
    (d) =>
      `${DAYS[d.getUTCDay()].slice(0, 3)} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`,
  ],
];

/** A provider whose answers each test scripts, recording when each request arrived. */
class Timed {
  calls: { req: FakeRequest; at: number }[] = [];
  auth: { req: FakeRequest; at: number }[] = [];
  script: (req: FakeRequest, n: number) => FakeAnswer = () => ok;
  authScript: (req: FakeRequest, n: number) => FakeAnswer | undefined = () => undefined;
  issued = 0;
  private constructor(readonly server: FakeServer) {}
  static async start() {
    const self: Timed = new Timed(await FakeServer.start((req) => self.answer(req)));
    return self;
  }
  /** Milliseconds between the n-th and the (n+1)-th request of a list. */
  static gap(list: { at: number }[], n = 0): number {
    return list[n + 1].at - list[n].at;
  }
  private answer(req: FakeRequest): FakeAnswer {
    if (req.path.startsWith('/api/auth/')) {
      this.auth.push({ req, at: Date.now() });
      const scripted = this.authScript(req, this.auth.length);
      if (scripted) return scripted;
      const n = ++this.issued;
      const pair = { access_token: `acc${n}x${Date.now()}`, refresh_token: `ref${n}x${Date.now()}`, token_type: 'bearer', expires_in: 3600 };
      secretAudit.registerSecret(pair.access_token, pair.refresh_token);
      return { json: pair };
    }
    this.calls.push({ req, at: Date.now() });
    return this.script(req, this.calls.length);
  }
}

describe('Retry-After (RFC 9110 §10.2.3)', () => {
  let fake: Timed;
  let app: Clients | undefined;
  const start = (extra: Partial<ProviderAuthModuleOptions> = {}, mode: 'key' | 'password' = 'key') =>
    startClients({
      affilync:
        mode === 'key' ? { baseUrl: `${fake.server.origin}/api`, apiKey: KEY } : { baseUrl: `${fake.server.origin}/api`, email: EMAIL, password: PASSWORD },
      ...extra,
    });

  beforeAll(() => secretAudit.registerSecret(KEY, PASSWORD));
  beforeEach(async () => {
    fake = await Timed.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await fake.server.close();
  });

  describe('under a time zone far from UTC', () => {
    let restoreZone: () => void;
    beforeAll(() => {
      restoreZone = useTimeZone('America/New_York');
    });
    afterAll(() => restoreZone());

    it.each(HTTP_DATE_FORMS)('waits out a 429 whose Retry-After is an HTTP-date (%s) 2 s ahead, as UTC', async (_, format) => {
      expect(new Date().getTimezoneOffset()).toBeGreaterThanOrEqual(240);
      fake.script = (_req, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': format(new Date(Date.now() + 2_000)) } } : ok);
      app = await start();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.calls).toHaveLength(2);
      // Whole seconds: 2 s ahead, truncated, is between 1 and 2 s of waiting.
      expect(Timed.gap(fake.calls)).toBeGreaterThanOrEqual(950);
      expect(Timed.gap(fake.calls)).toBeLessThan(2_500);
    });
  });

  describe('an unusable Retry-After falls back to a backoff, never to an immediate retry', () => {
    it.each(['foo 2025', 'soon 1', '1.0', '0.5', '-1', 'Mon, 06 Nov 1994 08:49:37 GMT', ''])('429 with Retry-After %p on a GET', async (value) => {
      fake.script = (_req, n) => (n === 1 ? { status: 429, headers: value ? { 'Retry-After': value } : {} } : ok);
      app = await start();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.calls).toHaveLength(2);
      expect(Timed.gap(fake.calls)).toBeGreaterThanOrEqual(150);
      expect(Timed.gap(fake.calls)).toBeLessThan(900);
    });

    it('429 with Retry-After "foo 2025" at login', async () => {
      fake.authScript = (_req, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': 'foo 2025' } } : undefined);
      app = await start({}, 'password');
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.auth).toHaveLength(2);
      expect(Timed.gap(fake.auth)).toBeGreaterThanOrEqual(150);
    });
  });

  describe('503 with a usable Retry-After', () => {
    it('is waited out on a repeatable call when short enough', async () => {
      fake.script = (_req, n) => (n === 1 ? { status: 503, headers: { 'Retry-After': '1' } } : ok);
      app = await start();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.calls).toHaveLength(2);
      expect(Timed.gap(fake.calls)).toBeGreaterThanOrEqual(950);
    });

    it.each([
      ['seconds', () => '30', 30_000],
      ['an HTTP-date', () => new Date(Date.now() + 30_000).toUTCString(), 30_000],
    ])('beyond maxRetryAfterMs (%s) is thrown at once: retryable, with retryAfterMs', async (_, value, ms) => {
      fake.script = () => ({ status: 503, headers: { 'Retry-After': value() }, json: { detail: 'Maintenance', error_code: 'MAINTENANCE', status: 503 } });
      app = await start({ http: { maxRetryAfterMs: 5_000 } });
      const err = (await app.affilync.get('/campaigns').catch((e: unknown) => e)) as ProviderApiError;
      expect(err).toBeInstanceOf(ProviderApiError);
      expect(err).not.toBeInstanceOf(ProviderRateLimitError);
      expect(err).toMatchObject({ status: 503, retryable: true });
      expect(err.retryAfterMs).toBeGreaterThan(ms - 1_500);
      expect(err.retryAfterMs).toBeLessThanOrEqual(ms);
      expect(JSON.parse(JSON.stringify(err))).toMatchObject({ status: 503, retryAfterMs: err.retryAfterMs });
      expect(fake.calls).toHaveLength(1);
    });

    it('on a POST (not repeatable) is thrown at once with retryAfterMs', async () => {
      fake.script = () => ({ status: 503, headers: { 'Retry-After': '1' } });
      app = await start();
      await expect(app.affilync.post('/links', { a: 1 })).rejects.toMatchObject({ status: 503, retryable: true, retryAfterMs: 1_000 });
      expect(fake.calls).toHaveLength(1);
    });

    it('is waited out once per retry left, then thrown with retryAfterMs', async () => {
      fake.script = () => ({ status: 503, headers: { 'Retry-After': '0' } });
      app = await start({ http: { maxRetries: 1 } });
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ status: 503, retryable: true, retryAfterMs: 0 });
      expect(fake.calls).toHaveLength(2);
    });

    it('a 503 without Retry-After is still retried with backoff and carries no retryAfterMs', async () => {
      fake.script = () => ({ status: 503 });
      app = await start({ http: { maxRetries: 1 } });
      const err = (await app.affilync.get('/campaigns').catch((e: unknown) => e)) as ProviderApiError;
      expect(err).toMatchObject({ status: 503, retryable: true });
      expect(err.retryAfterMs).toBeUndefined();
      expect(fake.calls).toHaveLength(2);
    });
  });

  describe("a 429 without Retry-After: Affilync's X-RateLimit-Reset (its unit is cut off in the docs)", () => {
    const in60s: [string, () => string][] = [
      ['epoch seconds', () => String(Math.floor(Date.now() / 1000) + 60)],
      ['epoch milliseconds', () => String(Date.now() + 60_000)],
      ['seconds to wait', () => '60'],
    ];
    it.each(in60s)('as %s, beyond maxRetryAfterMs: thrown at once with retryAfterMs from it', async (_, reset) => {
      fake.script = () => ({
        status: 429,
        headers: { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset() },
        json: { detail: 'Too many requests', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 },
      });
      app = await start({ http: { maxRetryAfterMs: 5_000 } });
      const err = (await app.affilync.get('/campaigns').catch((e: unknown) => e)) as ProviderRateLimitError;
      expect(err).toBeInstanceOf(ProviderRateLimitError);
      expect(err.retryAfterMs).toBeGreaterThan(58_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(fake.calls).toHaveLength(1);
    });

    it('as seconds to wait, short: waited out, then sent again', async () => {
      fake.script = (_req, n) =>
        n === 1 ? { status: 429, headers: { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1' } } : ok;
      app = await start();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.calls).toHaveLength(2);
      expect(Timed.gap(fake.calls)).toBeGreaterThanOrEqual(950);
    });

    it('Retry-After wins over X-RateLimit-Reset when both are sent', async () => {
      fake.script = () => ({ status: 429, headers: { 'Retry-After': '30', 'X-RateLimit-Reset': '600' } });
      app = await start({ http: { maxRetryAfterMs: 5_000 } });
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ status: 429, retryAfterMs: 30_000 });
    });

    it('an unusable X-RateLimit-Reset (garbage, more than a day away) falls back to a backoff, without retryAfterMs', async () => {
      fake.script = () => ({ status: 429, headers: { 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3 * 86_400) } });
      app = await start({ http: { maxRetries: 0 } });
      const err = (await app.affilync.get('/campaigns').catch((e: unknown) => e)) as ProviderRateLimitError;
      expect(err).toBeInstanceOf(ProviderRateLimitError);
      expect(err.retryAfterMs).toBeUndefined();
    });
  });

  describe('login and refresh answered 503 with Retry-After', () => {
    it('a login: waited out once when short, then logged in', async () => {
      fake.authScript = (_req, n) => (n === 1 ? { status: 503, headers: { 'Retry-After': '1' } } : undefined);
      app = await start({}, 'password');
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.auth.map((a) => a.req.path)).toEqual(['/api/auth/login', '/api/auth/login']);
      expect(Timed.gap(fake.auth)).toBeGreaterThanOrEqual(950);
    });

    it('a login: beyond maxRetryAfterMs thrown at once, retryable, with retryAfterMs', async () => {
      fake.authScript = () => ({ status: 503, headers: { 'Retry-After': '30' } });
      app = await start({}, 'password');
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ status: 503, retryable: true, retryAfterMs: 30_000 });
      expect(fake.auth).toHaveLength(1);
      expect(fake.calls).toHaveLength(0);
    });

    const seeded = async () => {
      const store = new InMemoryTokenStore();
      const now = Date.now();
      await store.compareAndSet(
        tokenStoreKey('affilync', `${fake.server.origin}/api`, EMAIL),
        { accessToken: 'acc-seeded-0001', refreshToken: 'ref-seeded-0001', expiresAt: now + 3_600_000, refreshAt: now - 1 },
        0,
      );
      secretAudit.registerSecret('acc-seeded-0001', 'ref-seeded-0001');
      return store;
    };

    it('a refresh: waited out once when short, then refreshed (no login)', async () => {
      fake.authScript = (_req, n) => (n === 1 ? { status: 503, headers: { 'Retry-After': '1' } } : undefined);
      app = await start({ tokenStore: await seeded() }, 'password');
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.auth.map((a) => a.req.path)).toEqual(['/api/auth/refresh', '/api/auth/refresh']);
      expect(Timed.gap(fake.auth)).toBeGreaterThanOrEqual(950);
    });

    it('a refresh: beyond maxRetryAfterMs thrown at once with retryAfterMs; no login against the provider’s advice', async () => {
      fake.authScript = () => ({ status: 503, headers: { 'Retry-After': '30' } });
      app = await start({ tokenStore: await seeded() }, 'password');
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ status: 503, retryable: true, retryAfterMs: 30_000 });
      expect(fake.auth.map((a) => a.req.path)).toEqual(['/api/auth/refresh']);
    });
  });
});
