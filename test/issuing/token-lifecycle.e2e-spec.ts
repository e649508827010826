import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { InMemoryRefreshTokenStore, ProviderAuthModule, RefreshTokenStore, TokenService, type TokenPair } from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { secretAudit } from '../support/secret-audit.js';
import { TokenRoutes } from '../support/token-routes.js';

const SECRET = 'token-lifecycle-secret-of-32-bytes!!';

describe.each(['express', 'fastify'])('token lifecycle over HTTP on %s', (adapter) => {
  let app: INestApplication;
  let tokens: TokenService;
  const logger = new CapturingLogger();
  const keep = (p: { access_token: string; refresh_token?: string }) => {
    secretAudit.registerSecret(p.access_token, p.refresh_token);
    return p;
  };
  const me = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
  const refresh = (token: string) => request(app.getHttpServer()).post('/auth/refresh').send({ refresh_token: token });

  beforeAll(async () => {
    const mod = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { jwtSecret: SECRET } })],
      controllers: [TokenRoutes],
    })
      .setLogger(logger)
      .compile();
    app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
    app.useLogger(logger);
    await app.init();
    if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
    tokens = app.get(TokenService);
  });
  afterAll(() => app.close());

  it('issue → use → refresh → use new → replay old: the family dies, newest tokens included', async () => {
    const first = keep(await tokens.issue({ sub: 'u1', role: 'member', plan: 'growth' })) as TokenPair;
    await me(first.access_token).expect(200);
    const second = keep((await refresh(first.refresh_token).expect(200)).body) as TokenPair;
    expect(Object.keys(second).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect((await me(second.access_token).expect(200)).body).toMatchObject({ kind: 'user', sub: 'u1', role: 'member', plan: 'growth' });

    const replay = await refresh(first.refresh_token).expect(401);
    expect(replay.body).toEqual({ detail: 'Token is malformed or revoked', error_code: 'TOKEN_INVALID', status: 401 });
    await me(second.access_token).expect(401);
    await refresh(second.refresh_token).expect(401);
    await me(first.access_token).expect(401);
  });

  it('two simultaneous refreshes: exactly one wins, and the replay kills the winner’s tokens too', async () => {
    const pair = keep(await tokens.issue({ sub: 'u2', role: 'admin' })) as TokenPair;
    const results = await Promise.all([refresh(pair.refresh_token), refresh(pair.refresh_token)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = keep(results.find((r) => r.status === 200)!.body) as TokenPair;
    await me(winner.access_token).expect(401);
    await refresh(winner.refresh_token).expect(401);
  });

  it('rotateAccessToken (Convertly-style): the old token stops working at once; only one of two racing rotations wins', async () => {
    const pair = keep(await tokens.issue({ sub: 'u3', role: 'member' })) as TokenPair;
    const rotated = keep((await request(app.getHttpServer()).post('/auth/rotate').set('Authorization', `Bearer ${pair.access_token}`).expect(200)).body);
    expect(Object.keys(rotated).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    await me(pair.access_token).expect(401);
    await me(rotated.access_token).expect(200);

    const racing = await Promise.all(
      [1, 2].map(() => request(app.getHttpServer()).post('/auth/rotate').set('Authorization', `Bearer ${rotated.access_token}`)),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 401]);
    racing.filter((r) => r.status === 200).forEach((r) => keep(r.body));
  });

  it('refuses a refresh token as an access token and an access token as a refresh token', async () => {
    const pair = keep(await tokens.issue({ sub: 'u4', role: 'member' })) as TokenPair;
    await me(pair.refresh_token).expect(401);
    await refresh(pair.access_token).expect(401);
    await refresh('garbage').expect(401);
  });

  it('each revoke method takes effect on the next request', async () => {
    const a = keep(await tokens.issue({ sub: 'u5', role: 'member' })) as TokenPair;
    await expect(tokens.revokeAccessToken(a.access_token)).resolves.toBe(true);
    await me(a.access_token).expect(401);
    await refresh(a.refresh_token)
      .expect(200)
      .then((r) => keep(r.body));

    const b = keep(await tokens.issue({ sub: 'u6', role: 'member' })) as TokenPair;
    await expect(tokens.revokeFamily(b.refresh_token)).resolves.toBe(true);
    await me(b.access_token).expect(401);
    await refresh(b.refresh_token).expect(401);

    const c1 = keep(await tokens.issue({ sub: 'u7', role: 'admin' })) as TokenPair;
    const c2 = keep(await tokens.issue({ sub: 'u7', role: 'admin' })) as TokenPair;
    const other = keep(await tokens.issue({ sub: 'u8', role: 'admin' })) as TokenPair;
    await tokens.revokeAllForUser('u7');
    await me(c1.access_token).expect(401);
    await me(c2.access_token).expect(401);
    await refresh(c1.refresh_token).expect(401);
    await me(other.access_token).expect(200);
    expect(logger.text()).not.toMatch(/eyJ/);
  });
});

describe('expired tokens', () => {
  it('refresh and rotation of expired tokens answer TOKEN_EXPIRED', async () => {
    const mod = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: SECRET, accessTokenTtlSec: 1, clockToleranceSec: 0 } })],
    })
      .setLogger(new CapturingLogger())
      .compile();
    const tokens = mod.get(TokenService);
    const pair = await tokens.issue({ sub: 'u', role: 'member' });
    secretAudit.registerSecret(pair.access_token, pair.refresh_token);
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(tokens.rotateAccessToken(pair.access_token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED', status: 401 });
    await mod.close();
  });
});

/** A full garbage collection now (V8's gc, reached without --expose-gc on the command line). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('revocation state stays bounded', () => {
  it('keeps 100,000 revocations while they matter and drops them once the tokens would have expired', async () => {
    const store = new InMemoryRefreshTokenStore();
    const mod = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: SECRET, refreshTokenStore: store, accessTokenTtlSec: 60, refreshTokenTtlSec: 60 } })],
    })
      .setLogger(new CapturingLogger())
      .compile();
    expect(mod.get(RefreshTokenStore)).toBe(store);
    const tokens = mod.get(TokenService);
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) {
      const pair = await tokens.issue({ sub: `user-${i % 1000}`, role: 'member' });
      await tokens.revokeAccessToken(pair.access_token);
      if (i % 2 === 0) await tokens.revokeFamily(pair.refresh_token);
    }
    expect(store.size).toMatchObject({ families: 100_000, revokedAccess: 100_000, revokedFamilies: 50_000 });
    // Everything concerns tokens that are dead 60 s (+ tolerance) from now.
    store.sweep(Date.now() + 66_000);
    expect(store.size).toEqual({ families: 0, revokedFamilies: 0, used: 0, revokedAccess: 0, userCutoffs: 0 });
    // Retained memory, not garbage awaiting collection (the 250,000 records held ~46 MB before the sweep).
    collectGarbage();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 1024 * 1024);
    await mod.close();
  }, 120_000);
});
