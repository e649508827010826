import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { Response } from 'supertest';
import {
  PROVIDER_AUTH_OPTIONS,
  ProviderAuthConfigError,
  ProviderAuthModule,
  type TokenService,
  type IncomingOptions,
  type RefreshTokenStore,
  type TokenPair,
} from '../../lib/index.js';
import { answerFor } from '../../lib/incoming/auth-answers.js';
import { forge, nowSec, payloadOf } from '../incoming/support/token-forge.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { secretAudit } from '../support/secret-audit.js';
import { keep, startTokenApp, type TokenApp } from '../support/token-app.js';

/**
 * A session ends `incoming.maxSessionSec` after the user authenticated: refreshes and rotations
 * carry the authentication time (`auth_time`) and renewals past the end answer 401 TOKEN_EXPIRED.
 * Time moves through a shifted Date.now (timers stay real, so the HTTP stacks and Redis run).
 */
const SECRET = 'session-limit-secret-of-32-bytes-long';
const MAX_SESSION_SEC = 120;
const TTL_SEC = 60;
const TOLERANCE_SEC = 5;
type Format = 'affilync' | 'convertly';

const realNow = Date.now;
let offsetMs = 0;
const advance = (sec: number) => {
  offsetMs += sec * 1000;
};
beforeEach(() => {
  offsetMs = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
});
afterEach(() => {
  jest.restoreAllMocks();
});

const signed = (claims: Record<string, unknown>) => {
  const token = forge(claims, { secret: SECRET });
  secretAudit.registerSecret(token);
  return token;
};

/** The library's own answer for this refusal, in this format (Convertly bodies carry no code). */
function expectAnswer(res: Response, reason: 'expired' | 'invalid', format: Format): void {
  if (res.status === 200) keep(res.body);
  const want = answerFor({ reason }, format, 'api');
  expect(want.code).toBe(reason === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID');
  // A failure must not print a token: an answer with new tokens is shown by its status only.
  const body = res.status === 200 ? '(new tokens)' : res.body;
  expect({ status: res.status, body }).toEqual({ status: 401, body: want.getResponse() });
  if (format === 'affilync') expect(res.body.error_code).toBe(want.code);
}

describe.each([
  ['express', 'affilync', 'in-memory'],
  ['fastify', 'convertly', 'in-memory'],
  ['express', 'convertly', 'redis'],
  ['fastify', 'affilync', 'redis'],
] as const)('sessions end after incoming.maxSessionSec (%s, %s answers, %s store)', (adapter, format, storeKind) => {
  let t: TokenApp;
  let store: RefreshTokenStore;
  let tokens: TokenService;
  const me = (token: string) => t.me(token);
  const rotate = (token: string) => t.rotate(token);
  const refresh = (token: string) => t.refresh(token);

  beforeAll(async () => {
    t = await startTokenApp(adapter, storeKind, {
      jwtSecret: SECRET,
      errorFormat: format,
      maxSessionSec: MAX_SESSION_SEC,
      accessTokenTtlSec: TTL_SEC,
      refreshTokenTtlSec: TTL_SEC,
      clockToleranceSec: TOLERANCE_SEC,
    });
    ({ store, tokens } = t);
  });
  afterAll(() => t?.close());

  it('a chain of refreshes works inside the session, every token carrying the first auth_time; past it: 401 TOKEN_EXPIRED', async () => {
    const first = keep(await tokens.issue({ sub: 's1', role: 'member' }));
    const authTime = payloadOf(first.access_token).auth_time as number;
    expect(authTime).toBe(payloadOf(first.access_token).iat);
    expect(payloadOf(first.refresh_token).auth_time).toBe(authTime);
    const fam = payloadOf(first.refresh_token).fam as string;
    expect(await store.getFamily(fam)).toMatchObject({ authTime });

    advance(50);
    const second = keep((await refresh(first.refresh_token).expect(200)).body as TokenPair);
    advance(50);
    const third = keep((await refresh(second.refresh_token).expect(200)).body as TokenPair);
    for (const t of [second.access_token, second.refresh_token, third.access_token, third.refresh_token]) {
      expect(payloadOf(t).auth_time).toBe(authTime);
    }
    expect(await store.getFamily(fam)).toMatchObject({ authTime });
    await me(third.access_token).expect(200);

    advance(30); // 130 s after authentication; the refresh token itself is good for 30 s more
    expect(Date.now() / 1000).toBeLessThan(payloadOf(third.refresh_token).exp as number);
    expectAnswer(await refresh(third.refresh_token), 'expired', format);
    // Renewal is refused; the access token already issued lives out its own TTL.
    await me(third.access_token).expect(200);
  });

  it('a chain of rotations works inside the session, auth_time copied unchanged; past it: 401 TOKEN_EXPIRED', async () => {
    const pair = keep(await tokens.issue({ sub: 's2', role: 'admin', plan: 'growth' }));
    const authTime = payloadOf(pair.access_token).auth_time as number;

    advance(50);
    const second = keep((await rotate(pair.access_token).expect(200)).body);
    advance(50);
    const third = keep((await rotate(second.access_token).expect(200)).body);
    expect(payloadOf(second.access_token).auth_time).toBe(authTime);
    expect(payloadOf(third.access_token).auth_time).toBe(authTime);
    expect((await me(third.access_token).expect(200)).body).toMatchObject({ sub: 's2', role: 'admin', plan: 'growth' });

    advance(30);
    expect(Date.now() / 1000).toBeLessThan(payloadOf(third.access_token).exp as number);
    expectAnswer(await rotate(third.access_token), 'expired', format);
  });

  it('tokens from before auth_time existed count their iat as the authentication time', async () => {
    const sub = `legacy-${randomUUID()}`;
    const fam = randomUUID();
    const iat = nowSec();
    await store.saveFamily(fam, { sub, role: 'member' }, Date.now() + 3_600_000);
    const legacyRefresh = signed({ sub, typ: 'refresh', jti: randomUUID(), fam, iat, exp: iat + TTL_SEC });
    const legacyAccess = signed({ sub, role: 'member', typ: 'access', jti: randomUUID(), iat, exp: iat + TTL_SEC });

    advance(40);
    let renewed = keep((await refresh(legacyRefresh).expect(200)).body as TokenPair);
    let rotated = keep((await rotate(legacyAccess).expect(200)).body);
    expect(await store.getFamily(fam)).toMatchObject({ authTime: iat });
    advance(50);
    renewed = keep((await refresh(renewed.refresh_token).expect(200)).body as TokenPair);
    rotated = keep((await rotate(rotated.access_token).expect(200)).body);
    expect(payloadOf(renewed.refresh_token).auth_time).toBe(iat);
    expect(payloadOf(renewed.access_token).auth_time).toBe(iat);
    expect(payloadOf(rotated.access_token).auth_time).toBe(iat);

    advance(35); // 125 s after the legacy tokens' iat; the renewed ones are good for 25 s more
    expect(Date.now() / 1000).toBeLessThan(payloadOf(rotated.access_token).exp as number);
    expectAnswer(await refresh(renewed.refresh_token), 'expired', format);
    expectAnswer(await rotate(rotated.access_token), 'expired', format);
  });

  it('on refresh the family record decides when the session began, whatever the token says', async () => {
    const sub = `recorded-${randomUUID()}`;
    const fam = randomUUID();
    const iat = nowSec();
    await store.saveFamily(fam, { sub, role: 'member', authTime: iat - MAX_SESSION_SEC - 1 }, Date.now() + 3_600_000);
    const claimsFreshSession = signed({ sub, typ: 'refresh', jti: randomUUID(), fam, iat, exp: iat + TTL_SEC, auth_time: iat });
    expectAnswer(await refresh(claimsFreshSession), 'expired', format);
  });

  it('refuses a well-signed token whose lifetime this configuration could not have issued (exp − iat > TTL + tolerance)', async () => {
    const sub = `forged-${randomUUID()}`;
    const fam = randomUUID();
    const iat = nowSec();
    await store.saveFamily(fam, { sub, role: 'member', authTime: iat }, Date.now() + 3_600_000);
    const refreshWith = (lifetime: number) => signed({ sub, typ: 'refresh', jti: randomUUID(), fam, iat, exp: iat + lifetime, auth_time: iat });
    const accessWith = (lifetime: number) => signed({ sub, role: 'member', typ: 'access', jti: randomUUID(), iat, exp: iat + lifetime, auth_time: iat });

    expectAnswer(await rotate(accessWith(TTL_SEC + TOLERANCE_SEC + 1)), 'invalid', format);
    expectAnswer(await rotate(accessWith(30 * 86_400)), 'invalid', format);
    expectAnswer(await refresh(refreshWith(TTL_SEC + TOLERANCE_SEC + 1)), 'invalid', format);
    expectAnswer(await refresh(refreshWith(366 * 86_400)), 'invalid', format);
    // The limit itself still passes (a token issued by a replica whose clock was a little ahead).
    keep((await rotate(accessWith(TTL_SEC + TOLERANCE_SEC)).expect(200)).body);
    keep((await refresh(refreshWith(TTL_SEC + TOLERANCE_SEC)).expect(200)).body);
  });

  it('refuses a well-signed token issued in the future, or with an auth_time that is not a time before its iat', async () => {
    const sub = `forged-${randomUUID()}`;
    const iat = nowSec();
    const access = (claims: Record<string, unknown>) => signed({ sub, role: 'member', typ: 'access', jti: randomUUID(), iat, exp: iat + TTL_SEC, ...claims });

    expectAnswer(await rotate(access({ iat: iat + 30, exp: iat + 30 + TTL_SEC })), 'invalid', format);
    expectAnswer(await rotate(access({ auth_time: iat + 1 })), 'invalid', format);
    expectAnswer(await rotate(access({ auth_time: String(iat) })), 'invalid', format);
    expectAnswer(await rotate(access({ auth_time: null })), 'invalid', format);
    keep((await rotate(access({ auth_time: iat - 10 })).expect(200)).body);
  });
});

describe('incoming.maxSessionSec is checked at bootstrap', () => {
  const bootstrap = (incoming: Partial<IncomingOptions>) =>
    Test.createTestingModule({ imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: SECRET, ...incoming } })] })
      .setLogger(new CapturingLogger())
      .compile();

  it.each([
    ['under a minute', 59],
    ['zero', 0],
    ['negative', -3600],
    ['not whole seconds', 3600.5],
    ['a string', '3600'],
    ['over 366 days', 366 * 86_400 + 1],
    ['not a number', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('refuses %s, naming incoming.maxSessionSec', async (_, value) => {
    const error = await bootstrap({ maxSessionSec: value as number }).then(
      (mod) => mod.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderAuthConfigError);
    expect((error as ProviderAuthConfigError).issues).toContainEqual({
      path: 'incoming.maxSessionSec',
      problem: `must be an integer from 60 to ${366 * 86_400}`,
    });
  });

  it('defaults to 30 days and takes any whole number of seconds from a minute to 366 days', async () => {
    for (const [given, resolved] of [
      [undefined, 2_592_000],
      [60, 60],
      [366 * 86_400, 366 * 86_400],
    ] as const) {
      const mod = await bootstrap(given === undefined ? {} : { maxSessionSec: given });
      expect(mod.get(PROVIDER_AUTH_OPTIONS).incoming.maxSessionSec).toBe(resolved);
      await mod.close();
    }
  });
});
