import { EMULATOR_DEFAULT_USER, ProviderEmulator } from './index.js';

const user = EMULATOR_DEFAULT_USER;

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the emulator's JSON bodies, read field by field in the assertions
  body: any;
}

async function call(url: string, init: RequestInit & { token?: string; json?: unknown } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(url, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // raw text stays as is
  }
  return { status: res.status, headers: res.headers, body };
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function affilyncLogin(em: ProviderEmulator) {
  const r = await call(`${em.affilyncBaseUrl}/auth/login`, { method: 'POST', json: { email: user.email, password: user.password } });
  expect(r.status).toBe(200);
  return r.body as { access_token: string; refresh_token: string; token_type: string; expires_in: number };
}

async function convertlyLogin(em: ProviderEmulator): Promise<string> {
  const r = await call(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', json: { email: user.email, password: user.password } });
  expect(r.status).toBe(200);
  return r.body.data.accessToken as string;
}

describe('ProviderEmulator', () => {
  let em: ProviderEmulator;

  beforeAll(async () => {
    em = await ProviderEmulator.start();
  });
  afterAll(async () => {
    await em.close();
  });
  beforeEach(() => {
    em.clearFaults();
    em.reset(); // the seeded data (links created by one test would show in the next one's lists) and zero counters
    em.setPlan(user.email, 'growth');
  });

  it('listens on 127.0.0.1 with the providers’ base paths and a full-scope afk_live_ key', () => {
    expect(em.affilyncBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(em.convertlyBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(new URL(em.affilyncBaseUrl).port).not.toBe(new URL(em.convertlyBaseUrl).port);
    expect(em.apiKey).toMatch(/^afk_live_\w{16,}$/);
  });

  describe('Affilync', () => {
    it('logs in with the documented pair and serves /campaigns with rate-limit headers', async () => {
      const pair = await affilyncLogin(em);
      expect(pair).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
      const claims = claimsOf(pair.access_token);
      expect(JSON.parse(Buffer.from(pair.access_token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
      // The library's access-token claims (TokenService): role, plan, brandId and the refresh family.
      expect(claims).toEqual({
        sub: expect.any(String),
        role: 'admin',
        typ: 'access',
        jti: expect.any(String),
        fam: expect.any(String),
        plan: 'growth',
        brandId: 'brand_demo',
        iat: expect.any(Number),
        auth_time: claims.iat,
        exp: claims.iat + 3600,
      });
      expect(claimsOf(pair.refresh_token)).toMatchObject({ typ: 'refresh', exp: claimsOf(pair.refresh_token).iat + 30 * 86400 });

      const first = await call(`${em.affilyncBaseUrl}/campaigns`, { token: pair.access_token });
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(3);
      expect(first.body.data[0]).toEqual({ id: 'camp_001', name: expect.any(String), status: 'active', created_at: expect.any(String) });
      expect(first.body.meta).toEqual({ page: 1, per_page: 20, total: 3 });
      // Limits are off by default: nothing enforced, nothing reported.
      expect(first.headers.get('x-ratelimit-limit')).toBeNull();
      await call(`${em.affilyncBaseUrl}/campaigns`, { token: pair.access_token });
      expect(em.counters.affilync).toEqual({ logins: 1, refreshes: 0, calls: 2, rejected: 0, failedLogins: 0, failedRefreshes: 0, rateLimited: 0 });
    });

    // api/errors: 400 is "malformed JSON", 422 "validation errors" (it was 422 for both before).
    it('refuses wrong credentials (401), a malformed body (400) and a missing field (422)', async () => {
      const wrong = await call(`${em.affilyncBaseUrl}/auth/login`, { method: 'POST', json: { email: user.email, password: 'nope' } });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ detail: 'Invalid email or password', error_code: 'TOKEN_INVALID', status: 401 });
      expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="affilync"');
      const malformed = await call(`${em.affilyncBaseUrl}/auth/login`, { method: 'POST', body: '{"email":', headers: { 'content-type': 'application/json' } });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({ detail: 'Malformed JSON body', error_code: 'INVALID_REQUEST', status: 400 });
      const missing = await call(`${em.affilyncBaseUrl}/auth/login`, { method: 'POST', json: { email: user.email } });
      expect(missing.status).toBe(422);
      expect(missing.body).toEqual({
        detail: 'Validation failed',
        error_code: 'VALIDATION_ERROR',
        status: 422,
        fields: [{ field: 'password', message: 'field required' }],
      });
      expect(em.counters.affilync).toMatchObject({ logins: 0, failedLogins: 3, calls: 0 });
    });

    it('answers 401 TOKEN_INVALID with WWW-Authenticate to a missing or forged credential', async () => {
      const missing = await call(`${em.affilyncBaseUrl}/campaigns`);
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ error_code: 'TOKEN_INVALID', status: 401 });
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="affilync"');
      const { access_token } = await affilyncLogin(em);
      const forged = access_token.slice(0, -2) + (access_token.endsWith('AA') ? 'BB' : 'AA');
      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: forged })).body.error_code).toBe('TOKEN_INVALID');
      const { refresh_token } = await affilyncLogin(em);
      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: refresh_token })).status).toBe(401); // not typ access
      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: 'afk_live_unknown' })).body.error_code).toBe('TOKEN_INVALID');
      expect(em.counters.affilync).toMatchObject({ calls: 4, rejected: 4 });
    });

    // The routes the docs do not have are gone (single campaigns, PUT/PATCH/DELETE /links/:id):
    // every route answers as docs.affilync.com describes it (test/emulator-api.e2e-spec.ts).
    it('serves only documented routes: anything else is 404 RESOURCE_NOT_FOUND; POST /links creates (201)', async () => {
      const key = em.apiKey;
      for (const [method, path] of [
        ['GET', '/nowhere'],
        ['GET', '/campaigns/camp_002'],
        ['PUT', '/links/lnk_007'],
        ['PATCH', '/links/lnk_007'],
        ['DELETE', '/links/lnk_007'],
      ]) {
        const r = await call(`${em.affilyncBaseUrl}${path}`, { method, token: key, json: method === 'GET' || method === 'DELETE' ? undefined : {} });
        expect([method, path, r.status, r.body]).toEqual([method, path, 404, { detail: 'Resource not found', error_code: 'RESOURCE_NOT_FOUND', status: 404 }]);
      }
      const created = await call(`${em.affilyncBaseUrl}/links`, { method: 'POST', token: key, json: { campaign_id: 'camp_001', sub_id_1: 'x' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: expect.stringMatching(/^lnk_\d{3}$/), campaign_id: 'camp_001', sub_id_1: 'x', status: 'active' });
    });

    it('rotates refresh tokens: a used one gets 401 TOKEN_INVALID; the old access token lives on', async () => {
      const first = await affilyncLogin(em);
      const r1 = await call(`${em.affilyncBaseUrl}/auth/refresh`, { method: 'POST', json: { refresh_token: first.refresh_token } });
      expect(r1.status).toBe(200);
      expect(r1.body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
      expect(r1.body.refresh_token).not.toBe(first.refresh_token);
      expect(r1.body.access_token).not.toBe(first.access_token);

      const r2 = await call(`${em.affilyncBaseUrl}/auth/refresh`, { method: 'POST', json: { refresh_token: r1.body.refresh_token } });
      expect(r2.status).toBe(200);
      const access = await call(`${em.affilyncBaseUrl}/auth/refresh`, { method: 'POST', json: { refresh_token: first.access_token } });
      expect(access.status).toBe(401); // an access token is no refresh token

      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: first.access_token })).status).toBe(200);
      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: r2.body.access_token })).status).toBe(200);

      // The library's TokenService: a replay of a used refresh token revokes its whole family (RFC 9700).
      const reused = await call(`${em.affilyncBaseUrl}/auth/refresh`, { method: 'POST', json: { refresh_token: first.refresh_token } });
      expect(reused.status).toBe(401);
      expect(reused.body).toMatchObject({ error_code: 'TOKEN_INVALID', status: 401 });
      expect((await call(`${em.affilyncBaseUrl}/auth/refresh`, { method: 'POST', json: { refresh_token: r2.body.refresh_token } })).status).toBe(401);
      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: r2.body.access_token })).status).toBe(401);
      expect(em.counters.affilync).toMatchObject({ logins: 1, refreshes: 2, failedRefreshes: 3, calls: 3, rejected: 1 });
    });

    it('enforces API key scopes (403 INSUFFICIENT_SCOPE) and revocation (401)', async () => {
      const readLinks = await em.createApiKey(['links:read']);
      expect(readLinks).toMatch(/^afk_live_/);
      expect((await call(`${em.affilyncBaseUrl}/links`, { token: readLinks })).status).toBe(200);
      const denied = await call(`${em.affilyncBaseUrl}/campaigns`, { token: readLinks });
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({ detail: 'Missing required scope: campaigns:read', error_code: 'INSUFFICIENT_SCOPE', status: 403 });
      expect((await call(`${em.affilyncBaseUrl}/links`, { method: 'POST', token: readLinks, json: { campaign_id: 'camp_001' } })).status).toBe(403);
      expect((await call(`${em.affilyncBaseUrl}/links`, { method: 'POST', token: em.apiKey, json: { campaign_id: 'camp_001' } })).status).toBe(201);

      await em.revokeApiKey(readLinks);
      const revoked = await call(`${em.affilyncBaseUrl}/links`, { token: readLinks });
      expect(revoked.status).toBe(401);
      expect(revoked.body).toMatchObject({ error_code: 'TOKEN_INVALID', status: 401 });
      expect(revoked.headers.get('www-authenticate')).toBe('Bearer realm="affilync", error="invalid_token"'); // RFC 6750: a key was presented
      expect((await call(`${em.affilyncBaseUrl}/links`, { token: em.apiKey })).status).toBe(200);
      expect(em.counters.affilync).toMatchObject({ calls: 6, rejected: 1 });
    });

    it('revokeAccessTokens: every access token issued so far is refused; refresh tokens still work', async () => {
      const a = await affilyncLogin(em);
      const b = await affilyncLogin(em);
      await em.revokeAccessTokens('affilync');
      for (const t of [a.access_token, b.access_token]) {
        const r = await call(`${em.affilyncBaseUrl}/campaigns`, { token: t });
        expect(r.status).toBe(401);
        expect(r.body.error_code).toBe('TOKEN_INVALID');
      }
      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey })).status).toBe(200); // keys are not tokens
      const renewed = await call(`${em.affilyncBaseUrl}/auth/refresh`, { method: 'POST', json: { refresh_token: a.refresh_token } });
      expect(renewed.status).toBe(200);
      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: renewed.body.access_token })).status).toBe(200);
      expect(em.counters.affilync).toMatchObject({ rejected: 2, refreshes: 1 });
    });

    it('page-paginates 250 links, each exactly once, and refuses per_page over 100 (422)', async () => {
      const seen: string[] = [];
      for (let page = 1; ; page++) {
        const r = await call(`${em.affilyncBaseUrl}/links?page=${page}&per_page=100`, { token: em.apiKey });
        expect(r.status).toBe(200);
        expect(r.body.meta).toEqual({ page, per_page: 100, total: 250 });
        if (r.body.data.length === 0) break;
        seen.push(...r.body.data.map((l: { id: string }) => l.id));
      }
      expect(seen).toHaveLength(250);
      expect(new Set(seen).size).toBe(250);
      expect(seen[0]).toBe('lnk_001');
      expect(seen[249]).toBe('lnk_250');

      const defaults = await call(`${em.affilyncBaseUrl}/links`, { token: em.apiKey });
      expect(defaults.body.data).toHaveLength(20);
      expect(defaults.body.data[0]).toMatchObject({ id: 'lnk_001', campaign_id: 'camp_001', status: 'active' });
      expect(defaults.body.meta).toEqual({ page: 1, per_page: 20, total: 250 });

      const tooBig = await call(`${em.affilyncBaseUrl}/links?per_page=101`, { token: em.apiKey });
      expect(tooBig.status).toBe(422);
      expect(tooBig.body).toMatchObject({ error_code: 'VALIDATION_ERROR', status: 422, fields: [{ field: 'per_page', message: expect.any(String) }] });
    });
  });

  describe('Convertly', () => {
    it('logs in with only an access token and serves /affiliates', async () => {
      const r = await call(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', json: { email: user.email, password: user.password } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ data: { accessToken: expect.any(String), user: { id: expect.any(String), email: user.email, brandId: 'brand_demo' } } });
      const claims = claimsOf(r.body.data.accessToken);
      // The library's access-token claims; no plan claim (the emulator reads the current plan per request).
      expect(claims).toEqual({
        sub: r.body.data.user.id,
        role: 'admin',
        typ: 'access',
        jti: expect.any(String),
        fam: expect.any(String),
        brandId: 'brand_demo',
        iat: expect.any(Number),
        auth_time: claims.iat,
        exp: claims.iat + 86400,
      });

      const list = await call(`${em.convertlyBaseUrl}/affiliates`, { token: r.body.data.accessToken });
      expect(list.status).toBe(200);
      expect(list.body.data).toHaveLength(20);
      expect(list.body.data[0]).toEqual({ id: 'def001', name: expect.any(String), email: expect.any(String), status: 'active', createdAt: expect.any(String) });
      expect(list.body.meta).toEqual({ total: 57, cursor: expect.any(String) });
      expect(list.headers.get('x-ratelimit-limit')).toBeNull();
      // Only GET /v1/affiliates is documented: single creators and creating one are not served (any more).
      const notFound = { statusCode: 404, message: 'Not Found', error: 'Not Found' };
      expect((await call(`${em.convertlyBaseUrl}/affiliates/def005`, { token: r.body.data.accessToken })).body).toEqual(notFound);
      expect((await call(`${em.convertlyBaseUrl}/affiliates`, { method: 'POST', token: r.body.data.accessToken, json: { name: 'New' } })).body).toEqual(
        notFound,
      );
      expect((await call(`${em.convertlyBaseUrl}/orders`, { token: r.body.data.accessToken })).body).toEqual(notFound);
      expect(em.counters.convertly).toEqual({ logins: 1, refreshes: 0, calls: 4, rejected: 0, failedLogins: 0, failedRefreshes: 0, rateLimited: 0 });
    });

    it('refuses wrong credentials and a missing token with the NestJS body', async () => {
      const wrong = await call(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', json: { email: user.email, password: 'x' } });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ statusCode: 401, message: 'Invalid credentials', error: 'Unauthorized' });
      const missing = await call(`${em.convertlyBaseUrl}/affiliates`);
      expect(missing.body).toEqual({ statusCode: 401, message: 'Authentication required: send Authorization: Bearer <token>', error: 'Unauthorized' });
      expect(em.counters.convertly).toMatchObject({ failedLogins: 1, calls: 1, rejected: 1 });
    });

    it('refresh returns a new token and invalidates the one used at once', async () => {
      const old = await convertlyLogin(em);
      const r = await call(`${em.convertlyBaseUrl}/auth/refresh`, { method: 'POST', token: old });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ data: { accessToken: expect.any(String) } });
      const fresh = r.body.data.accessToken as string;
      expect(fresh).not.toBe(old);

      const dead = await call(`${em.convertlyBaseUrl}/affiliates`, { token: old });
      expect(dead.status).toBe(401);
      expect(dead.body).toEqual({ statusCode: 401, message: 'Token is malformed or revoked', error: 'Unauthorized' });
      expect((await call(`${em.convertlyBaseUrl}/auth/refresh`, { method: 'POST', token: old })).status).toBe(401);
      expect((await call(`${em.convertlyBaseUrl}/auth/refresh`, { method: 'POST' })).status).toBe(401);
      expect((await call(`${em.convertlyBaseUrl}/affiliates`, { token: fresh })).status).toBe(200);
      expect(em.counters.convertly).toMatchObject({ logins: 1, refreshes: 1, failedRefreshes: 2, calls: 2, rejected: 1 });
    });

    it('revokeAccessTokens refuses every token issued so far; a new login works', async () => {
      const token = await convertlyLogin(em);
      await em.revokeAccessTokens('convertly');
      expect((await call(`${em.convertlyBaseUrl}/affiliates`, { token })).body.message).toBe('Token is malformed or revoked');
      expect((await call(`${em.convertlyBaseUrl}/auth/refresh`, { method: 'POST', token })).status).toBe(401);
      expect((await call(`${em.convertlyBaseUrl}/affiliates`, { token: await convertlyLogin(em) })).status).toBe(200);
    });

    it('gates the API on the plan, checked on every request (setPlan)', async () => {
      const token = await convertlyLogin(em);
      em.setPlan(user.email, 'starter');
      const gated = await call(`${em.convertlyBaseUrl}/affiliates`, { token });
      expect(gated.status).toBe(403);
      expect(gated.body).toEqual({ statusCode: 403, message: 'Feature requires a paid plan', error: 'Forbidden' });
      em.setPlan(user.email, 'scale');
      expect((await call(`${em.convertlyBaseUrl}/affiliates`, { token })).status).toBe(200);
      expect(() => em.setPlan('nobody@example.com', 'growth')).toThrow();
    });

    it('enforces roles: a Brand Member reads discounts and creators, but only an Admin creates a discount', async () => {
      const roles = await ProviderEmulator.start({
        users: [
          { email: 'admin@brand.test', password: 'admin-pw', role: 'admin' },
          { email: 'member@brand.test', password: 'member-pw', role: 'member' },
        ],
      });
      try {
        const login = async (email: string, password: string) =>
          (await call(`${roles.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', json: { email, password } })).body.data.accessToken as string;
        const admin = await login('admin@brand.test', 'admin-pw');
        const member = await login('member@brand.test', 'member-pw');

        expect((await call(`${roles.convertlyBaseUrl}/discounts`, { token: member })).status).toBe(200);
        expect((await call(`${roles.convertlyBaseUrl}/affiliates`, { token: member })).status).toBe(200);
        const refused = await call(`${roles.convertlyBaseUrl}/discounts`, { method: 'POST', token: member, json: { code: 'SUMMER' } });
        expect(refused.status).toBe(403);
        expect(refused.body).toEqual({ statusCode: 403, message: 'This action requires the admin role', error: 'Forbidden' });

        const created = await call(`${roles.convertlyBaseUrl}/discounts`, { method: 'POST', token: admin, json: { code: 'SUMMER' } });
        expect(created.status).toBe(201);
        expect(created.body.data).toMatchObject({ code: 'SUMMER' });
        const listed = await call(`${roles.convertlyBaseUrl}/discounts`, { token: member });
        expect(listed.body.data.map((d: { code: string }) => d.code)).toEqual(['WELCOME10', 'SUMMER']);
      } finally {
        await roles.close();
      }
    });

    it('cursor-paginates 57 affiliates, each exactly once, and refuses limit over 100 (400)', async () => {
      const token = await convertlyLogin(em);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q: string = cursor === null ? '?limit=20' : `?limit=20&cursor=${encodeURIComponent(cursor)}`;
        const r = await call(`${em.convertlyBaseUrl}/affiliates${q}`, { token });
        expect(r.status).toBe(200);
        expect(r.body.meta.total).toBe(57);
        seen.push(...r.body.data.map((a: { id: string }) => a.id));
        cursor = r.body.meta.cursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(57);
      expect(new Set(seen).size).toBe(57);
      expect([seen[0], seen[56]]).toEqual(['def001', 'def057']);

      const all = await call(`${em.convertlyBaseUrl}/affiliates?limit=100`, { token });
      expect(all.body.data).toHaveLength(57);
      expect(all.body.meta.cursor).toBeNull();
      const tooBig = await call(`${em.convertlyBaseUrl}/affiliates?limit=101`, { token });
      expect(tooBig.status).toBe(400);
      expect(tooBig.body).toEqual({ statusCode: 400, message: 'limit must not be greater than 100', error: 'Bad Request' });
      expect((await call(`${em.convertlyBaseUrl}/affiliates?cursor=garbage`, { token })).status).toBe(400);
    });
  });

  describe('faults', () => {
    it('status: answers once with the provider’s error body, then behaves again', async () => {
      em.fault({ provider: 'affilync', path: '/campaigns', status: 503 });
      const failed = await call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey });
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual({ detail: 'Service Unavailable', error_code: 'SERVICE_UNAVAILABLE', status: 503 });
      expect(failed.headers.get('x-ratelimit-limit')).toBeNull(); // limits off: no budget reported
      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey })).status).toBe(200);

      em.fault({ provider: 'convertly', status: 500 });
      const c = await call(`${em.convertlyBaseUrl}/affiliates`);
      expect(c.body).toEqual({ statusCode: 500, message: 'Internal Server Error', error: 'Internal Server Error' });
      em.fault({ provider: 'affilync', path: '/campaigns', status: 401 });
      const r401 = await call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey });
      expect(r401.body.error_code).toBe('TOKEN_INVALID');
      expect(r401.headers.get('www-authenticate')).toBe('Bearer realm="affilync"');
      expect(em.counters.affilync).toMatchObject({ calls: 3, rejected: 1 });
      expect(em.counters.convertly).toMatchObject({ calls: 1, rejected: 0 });
    });

    it('429 with Retry-After on both providers', async () => {
      em.fault({ provider: 'affilync', status: 429, retryAfter: '7' });
      em.fault({ provider: 'convertly', status: 429, retryAfter: '3' });
      const a = await call(`${em.affilyncBaseUrl}/links`, { token: em.apiKey });
      expect(a.status).toBe(429);
      expect(a.headers.get('retry-after')).toBe('7');
      expect(a.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(a.body).toMatchObject({ error_code: 'RATE_LIMIT_EXCEEDED', status: 429 });
      const c = await call(`${em.convertlyBaseUrl}/affiliates`);
      expect(c.status).toBe(429);
      expect(c.headers.get('retry-after')).toBe('3');
      expect(c.body).toEqual({ statusCode: 429, message: 'Too Many Requests', error: 'Too Many Requests' });
    });

    it('body: sends the raw text as JSON (e.g. a truncated login answer)', async () => {
      em.fault({ provider: 'affilync', path: '/auth/login', method: 'post', body: '{"access_tok' });
      const r = await fetch(`${em.affilyncBaseUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(await r.text()).toBe('{"access_tok');
      expect(em.counters.affilync).toMatchObject({ logins: 0, failedLogins: 1 });
      await affilyncLogin(em);
      expect(em.counters.affilync.logins).toBe(1);
    });

    it('matches provider, method and path, in queue order, for `times` requests', async () => {
      em.fault({ provider: 'convertly', path: '/campaigns', status: 502 }); // another path: never hit
      em.fault({ provider: 'affilync', path: '/links', method: 'POST', status: 409 }); // another method
      em.fault({ provider: 'affilync', path: '/links', status: 502, times: 2 });
      em.fault({ provider: 'affilync', path: '/links', status: 504 });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(`${em.affilyncBaseUrl}/links`, { token: em.apiKey })).status);
      expect(statuses).toEqual([502, 502, 504, 200]);
      expect((await call(`${em.affilyncBaseUrl}/links`, { method: 'POST', token: em.apiKey, json: {} })).status).toBe(409);

      em.fault({ provider: 'affilync', path: '/campaigns', status: 500, times: Infinity, headers: { 'x-fault': 'yes' } });
      for (let i = 0; i < 3; i++) {
        const r = await call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey });
        expect([r.status, r.headers.get('x-fault')]).toEqual([500, 'yes']);
      }
      em.clearFaults();
      expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey })).status).toBe(200);
      expect(() => em.fault({ provider: 'affilync', times: 0 })).toThrow(RangeError);
    });

    it('hang: never answers, so the client times out', async () => {
      em.fault({ provider: 'convertly', path: '/affiliates', hang: true });
      const started = Date.now();
      await expect(fetch(`${em.convertlyBaseUrl}/affiliates`, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({
        name: expect.stringMatching(/AbortError|TimeoutError/),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(em.counters.convertly.calls).toBe(1);
      expect((await call(`${em.convertlyBaseUrl}/affiliates`)).status).toBe(401); // the fault is used up
    });

    it('delayMs: answers normally after the delay, or with the fault', async () => {
      em.fault({ provider: 'affilync', path: '/campaigns', delayMs: 200 });
      let started = Date.now();
      const slow = await call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey });
      expect(slow.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);

      em.fault({ provider: 'convertly', path: '/auth/brand/login', delayMs: 150, status: 503 });
      started = Date.now();
      const r = await call(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', json: { email: user.email, password: user.password } });
      expect(r.status).toBe(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(em.counters.convertly).toMatchObject({ logins: 0, failedLogins: 1 });
    });

    it('headers alone are added to the normal answer', async () => {
      em.fault({ provider: 'affilync', path: '/campaigns', headers: { 'x-extra': '1' }, retryAfter: '5' });
      const r = await call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-extra')).toBe('1');
      expect(r.headers.get('retry-after')).toBe('5');
    });
  });
});

describe('ProviderEmulator token expiry (accessTokenTtlSec: 1)', () => {
  let em: ProviderEmulator;
  beforeAll(async () => {
    em = await ProviderEmulator.start({ accessTokenTtlSec: 1 });
  });
  afterAll(async () => {
    await em.close();
  });

  it('answers expired tokens with each provider’s documented body', async () => {
    const pair = await affilyncLogin(em);
    expect(pair.expires_in).toBe(1);
    const convertly = await convertlyLogin(em);
    expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: pair.access_token })).status).toBe(200);
    expect((await call(`${em.convertlyBaseUrl}/affiliates`, { token: convertly })).status).toBe(200);
    await sleep(1100);

    const a = await call(`${em.affilyncBaseUrl}/campaigns`, { token: pair.access_token });
    expect(a.status).toBe(401);
    expect(a.body).toEqual({ detail: 'Token has expired', error_code: 'TOKEN_EXPIRED', status: 401 });
    expect(a.headers.get('www-authenticate')).toBe('Bearer realm="affilync", error="invalid_token"'); // RFC 6750: a token was presented
    const c = await call(`${em.convertlyBaseUrl}/affiliates`, { token: convertly });
    expect(c.status).toBe(401);
    expect(c.body).toEqual({ statusCode: 401, message: 'Token expired', error: 'Unauthorized' });
    const refresh = await call(`${em.convertlyBaseUrl}/auth/refresh`, { method: 'POST', token: convertly });
    expect(refresh.body).toEqual({ statusCode: 401, message: 'Token expired', error: 'Unauthorized' });

    // Affilync's refresh token outlives the access token.
    const renewed = await call(`${em.affilyncBaseUrl}/auth/refresh`, { method: 'POST', json: { refresh_token: pair.refresh_token } });
    expect(renewed.status).toBe(200);
    expect((await call(`${em.affilyncBaseUrl}/campaigns`, { token: renewed.body.access_token })).status).toBe(200);
  });
});

describe('ProviderEmulator options and close()', () => {
  it('accepts custom users and refuses a bad lifetime', async () => {
    await expect(ProviderEmulator.start({ accessTokenTtlSec: 0 })).rejects.toThrow(RangeError);
    const em = await ProviderEmulator.start({ users: [{ email: 'a@b.test', password: 'pw', plan: 'starter' }] });
    try {
      const r = await call(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', json: { email: 'a@b.test', password: 'pw' } });
      expect(r.status).toBe(200);
      expect((await call(`${em.convertlyBaseUrl}/affiliates`, { token: r.body.data.accessToken })).status).toBe(403);
      const def = await call(`${em.affilyncBaseUrl}/auth/login`, { method: 'POST', json: { email: user.email, password: user.password } });
      expect(def.status).toBe(401);
    } finally {
      await em.close();
    }
  });

  it('closes promptly even with a hanging request open, and the client sees the connection drop', async () => {
    const em = await ProviderEmulator.start();
    em.fault({ provider: 'affilync', hang: true, times: Infinity });
    em.fault({ provider: 'convertly', delayMs: 60_000 });
    const hanging = fetch(`${em.affilyncBaseUrl}/campaigns`).then(
      () => 'answered',
      () => 'failed',
    );
    const delayed = fetch(`${em.convertlyBaseUrl}/affiliates`).then(
      () => 'answered',
      () => 'failed',
    );
    for (let i = 0; i < 100 && (em.counters.affilync.calls < 1 || em.counters.convertly.calls < 1); i++) await sleep(10);
    expect([em.counters.affilync.calls, em.counters.convertly.calls]).toEqual([1, 1]);

    const started = Date.now();
    await em.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await hanging).toBe('failed');
    expect(await delayed).toBe('failed');
    await em.close(); // idempotent
  });
});
