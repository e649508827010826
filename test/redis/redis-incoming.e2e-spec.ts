import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiKeyService, CredentialVerifier, ProviderAuthModule, TokenService, type TokenPair } from '../../lib/index.js';
import { RedisApiKeyStore, RedisRefreshTokenStore } from '../../lib/redis/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { RedisServer } from '../support/redis-server.js';
import { secretAudit } from '../support/secret-audit.js';
import { TokenRoutes } from '../support/token-routes.js';

const SECRET = 'redis-replicas-secret-of-32-bytes!!!';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const keep = <T extends { access_token: string; refresh_token?: string }>(p: T) => {
  secretAudit.registerSecret(p.access_token, p.refresh_token);
  return p;
};

interface Replica {
  app: INestApplication;
  logger: CapturingLogger;
  tokens: TokenService;
  keys: ApiKeyService;
  verifier: CredentialVerifier;
}

async function replica(adapter: string, url: string): Promise<Replica> {
  const logger = new CapturingLogger();
  const mod = await Test.createTestingModule({
    imports: [
      ProviderAuthModule.forRoot({
        globalGuard: true,
        incoming: {
          jwtSecret: SECRET,
          refreshTokenStore: new RedisRefreshTokenStore({ url, commandTimeoutMs: 300 }),
          apiKeyStore: new RedisApiKeyStore({ url, commandTimeoutMs: 300 }),
        },
      }),
    ],
    controllers: [TokenRoutes],
  })
    .setLogger(logger)
    .compile();
  const app: INestApplication = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
  app.useLogger(logger);
  await app.init();
  if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
  const r = { app, logger, tokens: app.get(TokenService), keys: app.get(ApiKeyService), verifier: app.get(CredentialVerifier) };
  await until(
    async () =>
      await r.keys.list().then(
        () => true,
        () => false,
      ),
  );
  return r;
}

async function until(check: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

describe.each(['express', 'fastify'])('two replicas sharing Redis on %s', (adapter) => {
  let redis: RedisServer;
  let a: Replica;
  let b: Replica;
  const get = (r: Replica, path: string, token: string) => request(r.app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
  const refresh = (r: Replica, token: string) => request(r.app.getHttpServer()).post('/auth/refresh').send({ refresh_token: token });
  /** Used three times on a replica: its cache holds it from then on. */
  const warm = async (r: Replica, token: string) => {
    for (let i = 0; i < 3; i++) await get(r, '/me', token).expect(200);
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    a = await replica(adapter, redis.url);
    b = await replica(adapter, redis.url);
  });
  afterAll(async () => {
    await Promise.all([a?.app.close(), b?.app.close()]);
    await redis.stop();
  });

  it('a pair issued on one replica works on the other; a refresh token redeemed on one cannot be redeemed on the other, and that replay kills the family on both', async () => {
    const first = keep(await a.tokens.issue({ sub: 'r1', role: 'member', plan: 'growth' }));
    expect((await get(b, '/me', first.access_token).expect(200)).body).toMatchObject({ sub: 'r1', plan: 'growth' });
    const second = keep((await refresh(a, first.refresh_token).expect(200)).body as TokenPair);
    await warm(a, second.access_token);
    await warm(b, second.access_token);
    await refresh(b, first.refresh_token).expect(401);
    await get(a, '/me', second.access_token).expect(401);
    await get(b, '/me', second.access_token).expect(401);
    await refresh(a, second.refresh_token).expect(401);
  });

  it('two replicas refreshing the same token at once: exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const pair = keep(await a.tokens.issue({ sub: `race${round}`, role: 'admin' }));
      const results = await Promise.all([refresh(a, pair.refresh_token), refresh(b, pair.refresh_token)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
      const winner = keep(results.find((r) => r.status === 200)!.body as TokenPair);
      // The loser's attempt was a replay: the winner's new tokens die with the family.
      await get(a, '/me', winner.access_token).expect(401);
      await get(b, '/me', winner.access_token).expect(401);
    }
  });

  it('revocations on one replica are refused on the other at its very next request, caches warm', async () => {
    const t1 = keep(await a.tokens.issue({ sub: 'r2', role: 'member' }));
    await warm(b, t1.access_token);
    expect(b.verifier.cachedCredentials).toBeGreaterThan(0);
    await a.tokens.revokeAccessToken(t1.access_token);
    await get(b, '/me', t1.access_token).expect(401);

    const t2 = keep(await a.tokens.issue({ sub: 'r3', role: 'member' }));
    await warm(b, t2.access_token);
    await a.tokens.revokeFamily(t2.refresh_token);
    await get(b, '/me', t2.access_token).expect(401);

    const t3 = keep(await b.tokens.issue({ sub: 'r4', role: 'admin' }));
    await warm(a, t3.access_token);
    await b.tokens.revokeAllForUser('r4');
    await get(a, '/me', t3.access_token).expect(401);

    const t4 = keep(await a.tokens.issue({ sub: 'r5', role: 'member' }));
    await warm(a, t4.access_token);
    const rotated = keep((await request(b.app.getHttpServer()).post('/auth/rotate').set('Authorization', `Bearer ${t4.access_token}`).expect(200)).body);
    await get(a, '/me', t4.access_token).expect(401);
    await get(a, '/me', rotated.access_token).expect(200);
  });

  it('API keys: created on one, listed and used on the other (never the key), revoked on one and refused on the other at once', async () => {
    const { id, key } = await a.keys.create({ label: 'shared', scopes: ['campaigns:read'] });
    secretAudit.registerSecret(key);
    for (let i = 0; i < 3; i++) await get(b, '/campaigns', key).expect(200);
    const listed = (await b.keys.list()).find((k) => k.id === id);
    expect(listed).toMatchObject({ id, label: 'shared', scopes: ['campaigns:read'], revokedAt: null });
    expect(JSON.stringify(await b.keys.list())).not.toContain(key);
    await expect(b.keys.revoke(id)).resolves.toBe(true);
    await expect(a.keys.revoke(id)).resolves.toBe(false);
    await get(a, '/campaigns', key).expect(401);
    await get(b, '/campaigns', key).expect(401);
  });

  it('Redis down: 503 at once, nothing served from a cache, one clear log line; Redis back: requests are checked again without a restart', async () => {
    const pair = keep(await a.tokens.issue({ sub: 'r6', role: 'member' }));
    const { key } = await a.keys.create({ label: 'outage', scopes: ['campaigns:read'] });
    secretAudit.registerSecret(key);
    await warm(b, pair.access_token);
    await redis.stop();
    try {
      const down = await get(b, '/me', pair.access_token);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ error_code: 'SERVICE_UNAVAILABLE' });
      await get(b, '/campaigns', key).expect(503);
      await get(a, '/me', pair.access_token).expect(503);
      expect(b.verifier.cachedCredentials).toBe(0);
      expect(b.logger.text()).toMatch(/credential store is unavailable/);
    } finally {
      await redis.restart();
    }
    // An empty Redis: the records are gone, but a new pair works on both replicas.
    let fresh: TokenPair | undefined;
    await until(async () => {
      fresh = await a.tokens.issue({ sub: 'r7', role: 'member' }).catch(() => undefined);
      return fresh !== undefined;
    });
    keep(fresh!);
    await until(async () => (await get(b, '/me', fresh!.access_token)).status === 200);
    await get(a, '/me', fresh!.access_token).expect(200);
    expect(b.logger.text()).toMatch(/answer again/);
  }, 20_000);
});
