import { affilyncDialect } from './affilync.dialect.js';
import { convertlyDialect } from './convertly.dialect.js';
import { InvalidAuthAnswer } from './dialect.interface.js';

const jwt = (claims: object) => ['{"alg":"HS256","typ":"JWT"}', JSON.stringify(claims)].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.sig';

describe('affilyncDialect', () => {
  const pair = { access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 3600 };

  it('times expiry from when the request was sent and keeps the rotated refresh token', () => {
    const g = affilyncDialect.parseLogin(pair, 1_000_000);
    expect(g).toEqual({ accessToken: 'a', refreshToken: 'r', expiresAt: 1_000_000 + 3_600_000, refreshExpiresAt: 1_000_000 + 30 * 86_400_000 });
  });

  it.each([
    ['not an object', 'nope'],
    ['an array', [pair]],
    ['no access token', { ...pair, access_token: undefined }],
    ['no refresh token', { ...pair, refresh_token: '' }],
    ['another token type', { ...pair, token_type: 'mac' }],
    ['a negative expires_in', { ...pair, expires_in: -5 }],
    ['a string expires_in', { ...pair, expires_in: '3600' }],
    ['an absurd expires_in', { ...pair, expires_in: 1e12 }],
    ['an expires_in under 1 s', { ...pair, expires_in: 0.5 }],
    ['an access token with a space', { ...pair, access_token: 'a b' }],
    ['a refresh token with CR LF', { ...pair, refresh_token: 'r\r\nX-Injected: 1' }],
    ['an access token with a non-ASCII letter', { ...pair, access_token: 'aé' }],
  ])('refuses an answer with %s', (_, body) => {
    expect(() => affilyncDialect.parseRefresh(body, 0, { accessToken: 'x', expiresAt: 0 })).toThrow(InvalidAuthAnswer);
  });

  it('never puts a token in its error text', () => {
    try {
      affilyncDialect.parseLogin({ ...pair, access_token: 'SECRET-TOKEN', token_type: 'weird' }, 0);
      throw new Error('should have thrown');
    } catch (e) {
      expect(String(e)).not.toContain('SECRET-TOKEN');
    }
  });

  it('sends login and refresh in the documented shapes', () => {
    expect(affilyncDialect.loginRequest('e@x.io', 'pw')).toEqual({
      path: '/auth/login',
      headers: { 'content-type': 'application/json' },
      body: '{"email":"e@x.io","password":"pw"}',
    });
    expect(JSON.parse(affilyncDialect.refreshRequest({ accessToken: 'a', refreshToken: 'r', expiresAt: 0 }).body!)).toEqual({ refresh_token: 'r' });
  });

  it('tells code-shaped codes from documented ones', () => {
    expect(affilyncDialect.isErrorCode('UPSTREAM_BUSY')).toBe(true);
    expect(['not a code', 'X', 'lower_case', 'TOKEN-EXPIRED', `A${'B'.repeat(64)}`].some(affilyncDialect.isErrorCode)).toBe(false);
    expect(affilyncDialect.isDocumentedErrorCode('QUOTA_EXCEEDED')).toBe(true);
    expect(affilyncDialect.isDocumentedErrorCode('UPSTREAM_BUSY')).toBe(false);
  });

  it('parses error bodies and rate-limit headers (reset as epoch seconds or seconds from now)', () => {
    expect(affilyncDialect.parseError({ detail: 'Token has expired', error_code: 'TOKEN_EXPIRED', status: 401 })).toEqual({
      code: 'TOKEN_EXPIRED',
      message: 'Token has expired',
    });
    expect(affilyncDialect.parseError('<html>')).toEqual({});
    expect(affilyncDialect.parseRateLimit({ 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '287', 'x-ratelimit-reset': '1767225600' }, 0)).toEqual({
      limit: 300,
      remaining: 287,
      reset: 1_767_225_600_000,
      resetPrecisionMs: 1000,
    });
    expect(affilyncDialect.parseRateLimit({ 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '30' }, 5_000)!.reset).toBe(35_000);
    expect(affilyncDialect.parseRateLimit({ 'x-ratelimit-limit': 'lots' }, 0)).toBeUndefined();
  });

  it('reads X-RateLimit-Reset as epoch seconds, epoch milliseconds or seconds to wait (the unit is cut off in the docs)', () => {
    const now = 1_767_225_000_000; // 2026-01-01T00:50:00Z
    const reset = (value: string) =>
      affilyncDialect.parseRateLimit({ 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': value }, now)!.reset;
    expect(reset('1767225600')).toBe(1_767_225_600_000);
    expect(reset('1767225600000')).toBe(1_767_225_600_000);
    expect(reset('600')).toBe(now + 600_000);
    expect(reset('0')).toBe(now);
    // Whole seconds may have been rounded down: the pacing waits up to a second longer for those.
    const precision = (value: string) =>
      affilyncDialect.parseRateLimit({ 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': value }, now)!.resetPrecisionMs;
    expect([precision('1767225600'), precision('1767225600000'), precision('600')]).toEqual([1000, 1, 1000]);
    expect(affilyncDialect.resetWaitMs({ 'x-ratelimit-reset': '1767225060' }, now)).toBe(60_000);
    expect(affilyncDialect.resetWaitMs({ 'x-ratelimit-reset': '1767225060000' }, now)).toBe(60_000);
    expect(affilyncDialect.resetWaitMs({ 'x-ratelimit-reset': '60' }, now)).toBe(60_000);
    // A reset already past is no wait at all; one more than a day away, or garbage, is not advice.
    expect(affilyncDialect.resetWaitMs({ 'x-ratelimit-reset': '1767224000' }, now)).toBe(0);
    expect(affilyncDialect.resetWaitMs({ 'x-ratelimit-reset': String(2 * 86_400) }, now)).toBeUndefined();
    expect(affilyncDialect.resetWaitMs({ 'x-ratelimit-reset': 'soon' }, now)).toBeUndefined();
    expect(affilyncDialect.resetWaitMs({}, now)).toBeUndefined();
    expect(convertlyDialect.resetWaitMs({ 'x-ratelimit-reset': '60' }, now)).toBeUndefined();
  });

  it('paces Affilync from its headers, Convertly from the configured plan (100 or 500 a minute)', () => {
    expect(affilyncDialect.ratePolicy(undefined)).toEqual({ kind: 'reported', assumedWindowMs: 60_000 });
    expect(convertlyDialect.ratePolicy('growth')).toEqual({ kind: 'window', limit: 100, windowMs: 60_000 });
    expect(convertlyDialect.ratePolicy('scale')).toEqual({ kind: 'window', limit: 500, windowMs: 60_000 });
    expect(convertlyDialect.ratePolicy(undefined)).toEqual({ kind: 'none' });
    expect(convertlyDialect.ratePolicy('starter')).toEqual({ kind: 'none' });
  });

  it('leaves reset out (never NaN) when X-RateLimit-Reset is absent or unusable', () => {
    expect(affilyncDialect.parseRateLimit({ 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '287' }, 0)).toEqual({ limit: 300, remaining: 287 });
    const info = affilyncDialect.parseRateLimit({ 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '287', 'x-ratelimit-reset': 'soon' }, 0)!;
    expect('reset' in info).toBe(false);
  });

  it("parses a 422's fields[] as sent (made safe by the client), keeping only object entries", () => {
    const body = {
      detail: 'Validation failed',
      error_code: 'VALIDATION_ERROR',
      status: 422,
      fields: [{ field: 'amount', message: 'Must be a string' }, 'junk', null],
    };
    expect(affilyncDialect.parseError(body)).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Validation failed',
      fields: [{ field: 'amount', message: 'Must be a string' }],
    });
    expect(affilyncDialect.parseError({ detail: 'x', error_code: 'X_Y', fields: 'nope' })).toEqual({ code: 'X_Y', message: 'x' });
  });

  it('treats plan limits as final, whatever the status', () => {
    expect(['QUOTA_EXCEEDED', 'PAYMENT_REQUIRED'].every(affilyncDialect.isFinalErrorCode)).toBe(true);
    expect(['RATE_LIMIT_EXCEEDED', 'VALIDATION_ERROR'].some(affilyncDialect.isFinalErrorCode)).toBe(false);
    expect(convertlyDialect.isFinalErrorCode('Payment Required')).toBe(false);
  });
});

describe('convertlyDialect', () => {
  const answer = (token: string) => ({ data: { accessToken: token, user: { id: 'u', email: 'e', brandId: 'b' } } });

  it('takes the lifetime from exp - iat, timed from when the request was sent', () => {
    const g = convertlyDialect.parseLogin(answer(jwt({ iat: 100, exp: 100 + 86_400 })), 5_000);
    expect(g.expiresAt).toBe(5_000 + 86_400_000);
    expect(g.refreshToken).toBeUndefined();
  });

  it('uses exp alone when there is no iat, and 24 h when the token is not a readable JWT', () => {
    const now = Date.now();
    const exp = Math.floor(now / 1000) + 600;
    expect(convertlyDialect.parseLogin(answer(jwt({ exp })), now).expiresAt).toBe(exp * 1000);
    expect(convertlyDialect.parseLogin(answer('opaque-token'), now).expiresAt).toBe(now + 86_400_000);
  });

  it.each([
    ['no data', {}],
    ['no accessToken', { data: {} }],
    ['an expired token', answer(jwt({ exp: 10 }))],
    ['exp before iat', answer(jwt({ iat: 100, exp: 50 }))],
    ['exp − iat under 1 s', answer(jwt({ iat: 100, exp: 100.5 }))],
    ['exp (no iat) less than 1 s away', answer(jwt({ exp: Date.now() / 1000 + 0.5 }))],
    ['an accessToken with a line break', answer('tok\nen')],
  ])('refuses an answer with %s', (_, body) => {
    expect(() => convertlyDialect.parseRefresh(body, Date.now(), { accessToken: 'x', expiresAt: 0 })).toThrow(InvalidAuthAnswer);
  });

  it('refreshes with the current token in the header and no body', () => {
    expect(convertlyDialect.refreshRequest({ accessToken: 'cur', expiresAt: 0 })).toEqual({
      path: '/auth/refresh',
      headers: { authorization: 'Bearer cur' },
    });
  });

  it('takes HTTP reason phrases, and nothing else, as codes', () => {
    expect(['Not Found', 'Unauthorized', 'Too Many Requests'].every(convertlyDialect.isErrorCode)).toBe(true);
    expect(['NOT_FOUND', 'not found', 'Nope'].some(convertlyDialect.isErrorCode)).toBe(false);
    expect(convertlyDialect.isDocumentedErrorCode('Service Unavailable')).toBe(true);
  });

  it('parses Nest-style error bodies, including message arrays', () => {
    expect(convertlyDialect.parseError({ statusCode: 401, message: 'Token expired', error: 'Unauthorized' })).toEqual({
      code: 'Unauthorized',
      message: 'Token expired',
    });
    expect(convertlyDialect.parseError({ statusCode: 400, message: ['a', 'b'], error: 'Bad Request' }).message).toBe('a; b');
    expect(convertlyDialect.parseRateLimit({ 'x-ratelimit-limit': '1' }, 0)).toBeUndefined();
  });
});

describe('healthCheck', () => {
  it.each([
    ['affilync', affilyncDialect, '/campaigns'],
    ['convertly', convertlyDialect, '/affiliates'],
  ] as const)("%s: a documented list, one item long, by the dialect's own page-size parameter", (_name, dialect, path) => {
    const sizeParam = dialect.pagination.kind === 'page' ? dialect.pagination.perPageParam : dialect.pagination.limitParam;
    expect(dialect.healthCheck).toEqual({ path, query: { [sizeParam]: 1 } });
    expect(dialect.healthCheck.path.startsWith(dialect.basePath)).toBe(false);
  });
});
