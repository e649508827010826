import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  ApiKeyService,
  CredentialVerifier,
  InMemoryApiKeyStore,
  InMemoryRefreshTokenStore,
  ProviderAuthModule,
  TokenService,
  type AccessTokenRef,
  type RefreshTokenStore,
  type ApiKeyRecord,
  type IncomingOptions,
  type RevocationFeed,
  type TokenPair,
} from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { secretAudit } from '../support/secret-audit.js';
import { TokenRoutes } from '../support/token-routes.js';

const SECRET = 'credential-cache-secret-of-32-bytes!';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const keep = <T extends { access_token: string; refresh_token?: string }>(p: T) => {
  secretAudit.registerSecret(p.access_token, p.refresh_token);
  return p;
};

async function startApp(adapter: string, incoming: Partial<IncomingOptions> = {}) {
  const mod = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { jwtSecret: SECRET, ...incoming } })],
    controllers: [TokenRoutes],
  })
    .setLogger(new CapturingLogger())
    .compile();
  const app: INestApplication = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
  await app.init();
  if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** A revocation store that counts lookups, with a feed whose liveness the test controls. */
class CountingRevocations extends InMemoryRefreshTokenStore {
  lookups = 0;
  override async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    this.lookups++;
    return super.isAccessTokenRevoked(token);
  }
}

class SwitchableFeed implements RevocationFeed {
  live = true;
  private readonly listeners = new Set<() => void>();
  subscribe(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  isLive() {
    return this.live;
  }
  set(live: boolean) {
    this.live = live;
    this.listeners.forEach((l) => l());
  }
}

/** A user's own store without a revocation feed: the verifier must ask it every time. */
class FeedlessRevocations implements RefreshTokenStore {
  lookups = 0;
  private readonly inner = new InMemoryRefreshTokenStore();
  saveFamily: RefreshTokenStore['saveFamily'] = (...a) => this.inner.saveFamily(...a);
  getFamily: RefreshTokenStore['getFamily'] = (...a) => this.inner.getFamily(...a);
  revokeFamily: RefreshTokenStore['revokeFamily'] = (...a) => this.inner.revokeFamily(...a);
  markUsed: RefreshTokenStore['markUsed'] = (...a) => this.inner.markUsed(...a);
  revokeAccessToken: RefreshTokenStore['revokeAccessToken'] = (...a) => this.inner.revokeAccessToken(...a);
  revokeUser: RefreshTokenStore['revokeUser'] = (...a) => this.inner.revokeUser(...a);
  isUserRevoked: RefreshTokenStore['isUserRevoked'] = (...a) => this.inner.isUserRevoked(...a);
  isAccessTokenRevoked: RefreshTokenStore['isAccessTokenRevoked'] = (...a) => {
    this.lookups++;
    return this.inner.isAccessTokenRevoked(...a);
  };
}

describe.each(['express', 'fastify'])('the cache of verified credentials on %s', (adapter) => {
  let app: INestApplication;
  let tokens: TokenService;
  let keys: ApiKeyService;
  let verifier: CredentialVerifier;
  const me = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
  /** Three uses: the first fills the cache, the others are served from it. */
  const warm = async (token: string) => {
    for (let i = 0; i < 3; i++) await me(token).expect(200);
  };

  beforeAll(async () => {
    app = await startApp(adapter);
    tokens = app.get(TokenService);
    keys = app.get(ApiKeyService);
    verifier = app.get(CredentialVerifier);
  });
  afterAll(() => app.close());

  it('serves the same principal from the cache as without it, a fresh copy each time', async () => {
    const pair = keep(await tokens.issue({ sub: 'c1', role: 'member', plan: 'growth', brandId: 'b1' }));
    const first = (await me(pair.access_token).expect(200)).body;
    const before = verifier.cachedCredentials;
    const second = (await me(pair.access_token).expect(200)).body;
    expect(verifier.cachedCredentials).toBe(before);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ kind: 'user', sub: 'c1', role: 'member', plan: 'growth', brandId: 'b1' });
  });

  it('every revocation path is refused on the very next request, with the cache warm', async () => {
    const a = keep(await tokens.issue({ sub: 'c2', role: 'member' }));
    await warm(a.access_token);
    await tokens.revokeAccessToken(a.access_token);
    await me(a.access_token).expect(401);

    const b = keep(await tokens.issue({ sub: 'c3', role: 'member' }));
    await warm(b.access_token);
    await tokens.revokeFamily(b.refresh_token);
    await me(b.access_token).expect(401);

    const c = keep(await tokens.issue({ sub: 'c4', role: 'admin' }));
    await warm(c.access_token);
    await tokens.revokeAllForUser('c4');
    await me(c.access_token).expect(401);

    // Refresh replay: the whole family dies, the newest access token included.
    const d = keep(await tokens.issue({ sub: 'c5', role: 'member' }));
    const d2 = keep((await request(app.getHttpServer()).post('/auth/refresh').send({ refresh_token: d.refresh_token }).expect(200)).body as TokenPair);
    await warm(d.access_token);
    await warm(d2.access_token);
    await request(app.getHttpServer()).post('/auth/refresh').send({ refresh_token: d.refresh_token }).expect(401);
    await me(d2.access_token).expect(401);
    await me(d.access_token).expect(401);

    // Convertly-style rotation: the old token dies at once.
    const e = keep(await tokens.issue({ sub: 'c6', role: 'member' }));
    await warm(e.access_token);
    const rotated = keep((await request(app.getHttpServer()).post('/auth/rotate').set('Authorization', `Bearer ${e.access_token}`).expect(200)).body);
    await me(e.access_token).expect(401);
    await me(rotated.access_token).expect(200);
  });

  it('a revoked API key is refused on the next request, and an expiring one at its expiry', async () => {
    const { id, key } = await keys.create({ label: 'cache', scopes: ['campaigns:read'] });
    secretAudit.registerSecret(key);
    const campaigns = () => request(app.getHttpServer()).get('/campaigns').set('Authorization', `Bearer ${key}`);
    for (let i = 0; i < 3; i++) await campaigns().expect(200);
    await keys.revoke(id);
    await campaigns().expect(401);

    const expiring = await keys.create({ label: 'short', scopes: ['campaigns:read'], expiresAt: new Date(Date.now() + 600) });
    secretAudit.registerSecret(expiring.key);
    const use = () => request(app.getHttpServer()).get('/campaigns').set('Authorization', `Bearer ${expiring.key}`);
    for (let i = 0; i < 3; i++) await use().expect(200);
    await sleep(700);
    expect((await use().expect(401)).body).toMatchObject({ error_code: 'TOKEN_EXPIRED' });
  });

  it('never caches a refused credential', async () => {
    const before = verifier.cachedCredentials;
    const good = keep(await tokens.issue({ sub: 'c7', role: 'member' }));
    const [h, p] = good.access_token.split('.');
    for (let i = 0; i < 30; i++) {
      await me(`${h}.${p}.${Buffer.from(`forged-${i}`).toString('base64url')}`).expect(401);
      await me(`not-a-token-${i}`).expect(401);
      await me(`afk_live_${'x'.repeat(i + 10)}`).expect(401);
    }
    expect(verifier.cachedCredentials).toBe(before);
  });
});

describe('the cache of verified credentials: when it is used', () => {
  it('expires a cached token with the token itself', async () => {
    const app = await startApp('express', { accessTokenTtlSec: 1, clockToleranceSec: 0 });
    try {
      const pair = keep(await app.get(TokenService).issue({ sub: 'x1', role: 'member' }));
      const me = () => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${pair.access_token}`);
      await me().expect(200);
      await me().expect(200);
      await sleep(2_050);
      expect((await me().expect(401)).body).toMatchObject({ error_code: 'TOKEN_EXPIRED' });
    } finally {
      await app.close();
    }
  });

  it('holds at most cacheEntries credentials', async () => {
    const app = await startApp('express', { cacheEntries: 5 });
    try {
      const tokens = app.get(TokenService);
      for (let i = 0; i < 12; i++) {
        const pair = keep(await tokens.issue({ sub: `b${i}`, role: 'member' }));
        await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${pair.access_token}`).expect(200);
      }
      expect(app.get(CredentialVerifier).cachedCredentials).toBe(5);
    } finally {
      await app.close();
    }
  });

  it('asks a store without a revocation feed on every request', async () => {
    const store = new FeedlessRevocations();
    const app = await startApp('express', { refreshTokenStore: store });
    try {
      const pair = keep(await app.get(TokenService).issue({ sub: 'f1', role: 'member' }));
      for (let i = 0; i < 5; i++) await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${pair.access_token}`).expect(200);
      expect(store.lookups).toBe(5);
      expect(app.get(CredentialVerifier).cachedCredentials).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('uses the cache only while every feed is live, and empties it when one goes down', async () => {
    const feed = new SwitchableFeed();
    const store = new (class extends CountingRevocations {
      override readonly revocations = feed as never;
    })();
    const apiKeyStore = new (class extends InMemoryApiKeyStore {
      override readonly revocations = feed as never;
      override async get(id: string): Promise<ApiKeyRecord | undefined> {
        return super.get(id);
      }
    })();
    const app = await startApp('fastify', { refreshTokenStore: store, apiKeyStore });
    try {
      const pair = keep(await app.get(TokenService).issue({ sub: 's1', role: 'member' }));
      const me = () => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${pair.access_token}`).expect(200);
      for (let i = 0; i < 4; i++) await me();
      expect(store.lookups).toBe(1);
      expect(app.get(CredentialVerifier).cachedCredentials).toBe(1);

      feed.set(false);
      expect(app.get(CredentialVerifier).cachedCredentials).toBe(0);
      for (let i = 0; i < 3; i++) await me();
      expect(store.lookups).toBe(4);
      expect(app.get(CredentialVerifier).cachedCredentials).toBe(0);

      feed.set(true);
      for (let i = 0; i < 3; i++) await me();
      expect(store.lookups).toBe(5);
    } finally {
      await app.close();
    }
  });
});
