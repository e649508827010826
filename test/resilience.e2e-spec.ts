import {
  ProviderApiError,
  ProviderAuthError,
  ProviderInvalidResponseError,
  ProviderNetworkError,
  ProviderRateLimitError,
  ProviderTimeoutError,
  type ProviderAuthModuleOptions,
} from '../lib/index.js';
import { FakeServer, type FakeAnswer, type FakeRequest } from './support/fake-server.js';
import { secretAudit } from './support/secret-audit.js';
import { sleep, startClients, type Clients } from './support/nest-clients.js';

const KEY = 'afk_live_resilience0123456789';
const EMAIL = 'ops@example.com';
const PASSWORD = 'resilience-password-42';
const pair = (n: number) => ({ access_token: `eyJacc.${n}x${Date.now()}`, refresh_token: `eyJref.${n}x${Date.now()}`, token_type: 'bearer', expires_in: 3600 });
const ok: FakeAnswer = { json: { data: [1] } };

/**
 * A provider whose answers each test scripts: `script(req)` answers resource calls; logins and
 * refreshes answer a fresh pair unless `auth` is scripted too.
 */
class Scripted {
  logins = 0;
  refreshes: string[] = [];
  calls: FakeRequest[] = [];
  script: (req: FakeRequest, n: number) => FakeAnswer | Promise<FakeAnswer> = () => ok;
  auth?: (req: FakeRequest) => FakeAnswer | undefined;
  issued = 0;
  /** Delay every login/refresh answer, so callers pile up waiting on it. */
  authDelayMs = 0;
  constructor(readonly server: FakeServer) {}
  close() {
    return this.server.close();
  }
  static async start() {
    const s: Scripted = new Scripted(await FakeServer.start((req) => s.answer(req)));
    return s;
  }
  private async answer(req: FakeRequest): Promise<FakeAnswer> {
    if (req.path.startsWith('/api/auth/')) {
      if (this.authDelayMs) await sleep(this.authDelayMs);
      const scripted = this.auth?.(req);
      if (req.path === '/api/auth/login') this.logins++;
      else this.refreshes.push(JSON.parse(req.body).refresh_token);
      if (scripted) return scripted;
      const p = pair(++this.issued);
      secretAudit.registerSecret(p.access_token, p.refresh_token);
      return { json: p };
    }
    this.calls.push(req);
    return this.script(req, this.calls.length);
  }
}

describe('outgoing clients when the provider misbehaves', () => {
  let fake: Scripted;
  let app: Clients | undefined;
  const start = (extra: Partial<ProviderAuthModuleOptions> = {}, mode: 'key' | 'password' = 'key') =>
    startClients({
      affilync:
        mode === 'key' ? { baseUrl: `${fake.server.origin}/api`, apiKey: KEY } : { baseUrl: `${fake.server.origin}/api`, email: EMAIL, password: PASSWORD },
      ...extra,
    });

  beforeAll(() => secretAudit.registerSecret(KEY, PASSWORD));
  beforeEach(async () => {
    fake = await Scripted.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await fake.close();
  });

  describe('rate limits (429)', () => {
    it('waits out Retry-After: 1 on a GET, then succeeds', async () => {
      fake.script = (_, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': '1' }, json: { error_code: 'RATE_LIMIT_EXCEEDED' } } : ok);
      app = await start();
      const started = Date.now();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(fake.calls).toHaveLength(2);
    });

    it('reads Retry-After as an HTTP date', async () => {
      const when = new Date(Date.now() + 1_000).toUTCString();
      fake.script = (_, n) => (n === 1 ? { status: 429, headers: { 'Retry-After': when } } : ok);
      app = await start();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.calls).toHaveLength(2);
    });

    it.each(['soon', '-5', '99999999999', ''])('falls back to capped backoff for an unusable Retry-After %p', async (value) => {
      fake.script = (_, n) => (n === 1 ? { status: 429, headers: value ? { 'Retry-After': value } : {} } : ok);
      app = await start();
      const started = Date.now();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(fake.calls).toHaveLength(2);
    });

    it('throws ProviderRateLimitError with retryAfterMs when the wait is longer than maxRetryAfterMs', async () => {
      fake.script = () => ({ status: 429, headers: { 'Retry-After': '30' }, json: { detail: 'Too many', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 } });
      app = await start({ http: { maxRetryAfterMs: 5_000 } });
      const err = await app.affilync.get('/campaigns').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderRateLimitError);
      expect(err).toMatchObject({ status: 429, code: 'RATE_LIMIT_EXCEEDED', retryAfterMs: 30_000, retryable: true });
      expect(fake.calls).toHaveLength(1);
    });

    it('never waits on a POST: throws at once with retryAfterMs', async () => {
      fake.script = () => ({ status: 429, headers: { 'Retry-After': '1' } });
      app = await start();
      await expect(app.affilync.post('/links', { a: 1 })).rejects.toMatchObject({ constructor: ProviderRateLimitError, retryAfterMs: 1_000 });
      expect(fake.calls).toHaveLength(1);
    });

    it('gives up after maxRetries waits', async () => {
      fake.script = () => ({ status: 429, headers: { 'Retry-After': '0' } });
      app = await start({ http: { maxRetries: 2 } });
      await expect(app.affilync.get('/campaigns')).rejects.toBeInstanceOf(ProviderRateLimitError);
      expect(fake.calls).toHaveLength(3);
    });

    it('a 429 from the login endpoint: one wait, one more try, then an error for every waiting caller', async () => {
      fake.auth = () => ({ status: 429, headers: { 'Retry-After': '0' }, json: { error_code: 'RATE_LIMIT_EXCEEDED' } });
      app = await start({}, 'password');
      const settled = await Promise.allSettled(Array.from({ length: 20 }, () => app!.affilync.get('/campaigns')));
      expect(settled.every((s) => s.status === 'rejected' && s.reason instanceof ProviderRateLimitError)).toBe(true);
      expect(fake.logins).toBe(2);
      expect(fake.calls).toHaveLength(0);
    });
  });

  describe('retries', () => {
    it('retries a 500 on a GET once and succeeds', async () => {
      fake.script = (_, n) => (n === 1 ? { status: 500, json: { detail: 'boom' } } : ok);
      app = await start();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.calls).toHaveLength(2);
    });

    it.each([502, 503, 504])('retries %i up to maxRetries, then surfaces it', async (status) => {
      fake.script = () => ({ status });
      app = await start({ http: { maxRetries: 2 } });
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ constructor: ProviderApiError, status, retryable: true });
      expect(fake.calls).toHaveLength(3);
    });

    it('surfaces a 500 on a POST after exactly one attempt', async () => {
      fake.script = () => ({ status: 500, json: { detail: 'boom', error_code: 'INTERNAL', status: 500 } });
      app = await start();
      await expect(app.affilync.post('/links', { a: 1 })).rejects.toMatchObject({ constructor: ProviderApiError, status: 500 });
      expect(fake.calls).toHaveLength(1);
    });

    it('retries a POST the caller marks idempotent, but never a PATCH', async () => {
      fake.script = (_, n) => (n === 1 ? { status: 503 } : ok);
      app = await start();
      await expect(app.affilync.post('/conversions/track', { order_id: 'o1' }, { idempotent: true })).resolves.toEqual({ data: [1] });
      expect(fake.calls).toHaveLength(2);
      fake.calls = [];
      fake.script = () => ({ status: 503 });
      await expect(app.affilync.patch('/links/1', { a: 1 })).rejects.toMatchObject({ status: 503 });
      expect(fake.calls).toHaveLength(1);
    });

    it('does not retry 4xx answers', async () => {
      fake.script = () => ({ status: 404, json: { detail: 'Campaign not found', error_code: 'RESOURCE_NOT_FOUND', status: 404 } });
      app = await start();
      await expect(app.affilync.get('/campaigns/x')).rejects.toMatchObject({ status: 404, code: 'RESOURCE_NOT_FOUND', retryable: false });
      expect(fake.calls).toHaveLength(1);
    });

    it('retries a dropped connection on a GET; a POST gets ProviderNetworkError after one attempt', async () => {
      fake.script = (_, n) => (n === 1 ? { destroy: true } : ok);
      app = await start();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.calls).toHaveLength(2);
      fake.calls = [];
      fake.script = () => ({ destroy: true });
      await expect(app.affilync.post('/links', {})).rejects.toMatchObject({ constructor: ProviderNetworkError, retryable: true });
      expect(fake.calls).toHaveLength(1);
      const dropped = (await app.affilync.post('/links', {}).catch((e: unknown) => e)) as ProviderNetworkError;
      expect(dropped.status).toBeUndefined();
    });

    it('does not resend a refresh token whose refresh timed out: it logs in instead', async () => {
      app = await start({ http: { timeoutMs: 300 } }, 'password');
      await app.affilync.get('/campaigns');
      fake.auth = (req) => (req.path === '/api/auth/refresh' ? { hang: true } : undefined);
      // Make the token due for renewal by answering the next call with 401.
      fake.script = (_, n) => (n === 2 ? { status: 401, json: { error_code: 'TOKEN_INVALID' } } : ok);
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.refreshes).toHaveLength(1);
      expect(fake.logins).toBe(2);
      expect(app.logger.text()).toMatch(/refresh failed .*did not answer.*logging in again/);
    });
  });

  describe('timeouts and cancellation', () => {
    it('gives ProviderTimeoutError in about timeoutMs, without a retry', async () => {
      fake.script = () => ({ hang: true });
      app = await start({ http: { timeoutMs: 300 } });
      const started = Date.now();
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ constructor: ProviderTimeoutError, retryable: true });
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(280);
      expect(took).toBeLessThan(1_000);
      expect(fake.calls).toHaveLength(1);
    });

    it('takes a per-call timeoutMs over the module default', async () => {
      fake.script = () => ({ hang: true });
      app = await start({ http: { timeoutMs: 10_000 } });
      const started = Date.now();
      await expect(app.affilync.get('/campaigns', { timeoutMs: 200 })).rejects.toBeInstanceOf(ProviderTimeoutError);
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it("rethrows the caller's abort reason at once, and sends nothing after it", async () => {
      fake.script = () => ({ hang: true });
      app = await start();
      const controller = new AbortController();
      const reason = new Error('caller gave up');
      const call = app.affilync.get('/campaigns', { signal: controller.signal });
      await sleep(100);
      const aborted = Date.now();
      controller.abort(reason);
      await expect(call).rejects.toBe(reason);
      expect(Date.now() - aborted).toBeLessThan(100);
      await sleep(300);
      expect(fake.calls).toHaveLength(1);
    });

    it('aborts a retry backoff wait at once', async () => {
      fake.script = () => ({ status: 429, headers: { 'Retry-After': '4' } });
      app = await start();
      const controller = new AbortController();
      const call = app.affilync.get('/campaigns', { signal: controller.signal });
      await sleep(200);
      controller.abort(new Error('stop'));
      await expect(call).rejects.toThrow('stop');
      await sleep(200);
      expect(fake.calls).toHaveLength(1);
    });

    it('a caller that aborts while a login is in flight stops waiting; the others still get the token', async () => {
      fake.authDelayMs = 300;
      app = await start({}, 'password');
      const controller = new AbortController();
      const quitter = app.affilync.get('/campaigns', { signal: controller.signal });
      const stayer = app.affilync.get('/campaigns');
      await sleep(50);
      controller.abort(new Error('bye'));
      await expect(quitter).rejects.toThrow('bye');
      await expect(stayer).resolves.toEqual({ data: [1] });
      expect(fake.logins).toBe(1);
      expect(fake.calls).toHaveLength(1);
    });
  });

  describe('invalid answers', () => {
    it.each([
      ['truncated JSON', { text: '{"access_token":"eyJ', headers: { 'content-type': 'application/json' } }],
      ['an HTML page', { text: '<html>maintenance</html>', headers: { 'content-type': 'text/html' } }],
      ['a JSON array', { json: [] }],
      ['no access token', { json: { ...pair(0), access_token: undefined } }],
      ['a token_type other than bearer', { json: { ...pair(0), token_type: 'mac' } }],
      ['a negative expires_in', { json: { ...pair(0), expires_in: -1 } }],
      ['a non-numeric expires_in', { json: { ...pair(0), expires_in: 'soon' } }],
      ['an absurd expires_in', { json: { ...pair(0), expires_in: 1e12 } }],
    ] as [string, FakeAnswer][])('a login answer with %s fails that call; the next call logs in cleanly', async (_, answer) => {
      let first = true;
      fake.auth = () => {
        if (!first) return undefined;
        first = false;
        return answer;
      };
      app = await start({}, 'password');
      const err = await app.affilync.get('/campaigns').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderInvalidResponseError);
      expect(err).toMatchObject({ status: 200, retryable: false });
      expect(fake.calls).toHaveLength(0);
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [1] });
      expect(fake.logins).toBe(2);
      expect(fake.refreshes).toHaveLength(0);
    });

    it('a resource answer that is not JSON is a ProviderInvalidResponseError with the status', async () => {
      fake.script = () => ({ status: 200, text: '<html>proxy error</html>', headers: { 'content-type': 'text/html' } });
      app = await start();
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ constructor: ProviderInvalidResponseError, status: 200 });
    });

    it('bad credentials after a revoked session: ProviderAuthError, not a loop', async () => {
      app = await start({}, 'password');
      await app.affilync.get('/campaigns');
      fake.script = () => ({ status: 401, json: { error_code: 'TOKEN_INVALID' } });
      fake.auth = () => ({ status: 401, json: { error_code: 'TOKEN_INVALID', detail: 'Invalid email or password' } });
      await expect(app.affilync.get('/campaigns')).rejects.toBeInstanceOf(ProviderAuthError);
      expect(fake.calls).toHaveLength(2);
      expect(fake.refreshes).toHaveLength(1);
      expect(fake.logins).toBe(2);
    });
  });
});
