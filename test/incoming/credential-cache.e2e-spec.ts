import { Controller, Get, HttpCode, Post, UseGuards, type INestApplication } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ProviderBearerStrategy } from '../../lib/passport/index.js';
import {
  ApiKeyService,
  CredentialVerifier,
  InMemoryApiKeyStore,
  InMemoryRefreshTokenStore,
  CurrentPrincipal,
  ProviderAuthModule,
  Public,
  TokenService,
  type AccessTokenRef,
  type ApiKeyStore,
  type Principal,
  type RefreshTokenStore,
  type ApiKeyRecord,
  type IncomingOptions,
  type RevocationFeed,
  type TokenPair,
} from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { send, type Send } from './support/incoming-app.js';
import { secretAudit } from '../support/secret-audit.js';
import { TokenRoutes } from '../support/token-routes.js';

const SECRET = 'credential-cache-secret-of-32-bytes!';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const keep = <T extends { access_token: string; refresh_token?: string }>(p: T) => {
  secretAudit.registerSecret(p.access_token, p.refresh_token);
  return p;
};

/** The same user route behind @nestjs/passport only (the global guard steps aside for @Public). */
@Controller('passport')
@Public()
@UseGuards(AuthGuard('provider-bearer'))
class PassportRoutes {
  @Get('me')
  me(@CurrentPrincipal() p: Principal) {
    return p;
  }
}

/** A guarded route that takes a body (the global guard covers it). */
@Controller('body')
class BodyRoutes {
  @Post('me')
  @HttpCode(200)
  me(@CurrentPrincipal() p: Principal) {
    return p;
  }
}

async function startApp(adapter: string, incoming: Partial<IncomingOptions> = {}, fastifyAdapter: () => FastifyAdapter = () => new FastifyAdapter()) {
  const mod = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { jwtSecret: SECRET, ...incoming } })],
    controllers: [TokenRoutes, PassportRoutes, BodyRoutes],
    providers: [ProviderBearerStrategy],
  })
    .setLogger(new CapturingLogger())
    .compile();
  const app: INestApplication = adapter === 'fastify' ? mod.createNestApplication(fastifyAdapter()) : mod.createNestApplication();
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
  listFamilies: RefreshTokenStore['listFamilies'] = (...a) => this.inner.listFamilies(...a);
  revokeSession: RefreshTokenStore['revokeSession'] = (...a) => this.inner.revokeSession(...a);
  isAccessTokenRevoked: RefreshTokenStore['isAccessTokenRevoked'] = (...a) => {
    this.lookups++;
    return this.inner.isAccessTokenRevoked(...a);
  };
}

/** A user's own API-key store without a revocation feed, counting lookups. */
class FeedlessApiKeys implements ApiKeyStore {
  gets = 0;
  private readonly inner = new InMemoryApiKeyStore();
  save: ApiKeyStore['save'] = (...a) => this.inner.save(...a);
  list: ApiKeyStore['list'] = (...a) => this.inner.list(...a);
  touch: ApiKeyStore['touch'] = (...a) => this.inner.touch(...a);
  revoke: ApiKeyStore['revoke'] = (...a) => this.inner.revoke(...a);
  get: ApiKeyStore['get'] = (...a) => {
    this.gets++;
    return this.inner.get(...a);
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

  it('serves from the cache only the exact `Bearer <credential>` it verified: a header sharing its tail goes the full way', async () => {
    const token = keep(await tokens.issue({ sub: 'c8', role: 'member' })).access_token;
    const { key } = await keys.create({ label: 'tail', scopes: ['campaigns:read'] });
    secretAudit.registerSecret(key);
    await warm(token);
    await warm(key);
    expect(verifier.cached(token)).toBeDefined();
    expect(verifier.cached(key)).toBeDefined();
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
    const raw = (value: string) => request(app.getHttpServer()).get('/me').set('Authorization', value);
    // Same length and tail (the cache's key), another credential: checked in full, refused.
    await raw(`Bearer x${token}`).expect(401);
    await raw(`Bearer ${flip(token, 20)}`).expect(401);
    await raw(`Bearer ${'A'.repeat(token.length - 32)}${token.slice(-32)}`).expect(401);
    await raw(`Bearer ${flip(key, 12)}`).expect(401);
    await raw(`Bearer afk_live_${key.slice(-32)}`).expect(401);
    // Other spellings of the same credential are not the fast path's: the full check decides.
    await raw(`Bearer  ${token}`).expect(401);
    await raw(`bearer ${token}`).expect(200);
    await raw(`Basic ${token}`).expect(401);
  });

  it('refuses a warm credential beside an access_token in the body or the query, chunked bodies included', async () => {
    const token = keep(await tokens.issue({ sub: 'c9', role: 'member' })).access_token;
    await warm(token);
    expect(verifier.cached(token)).toBeDefined();
    const authorization = `Bearer ${token}`;
    const other = 'a'.repeat(24);
    const post = (body: Send['body']) => send(app.getHttpServer(), { path: '/body/me', method: 'post', authorization, body });
    expect((await post({ type: 'json', data: { name: 'x' } })).status).toBe(200);
    expect((await post({ type: 'json', data: { name: 'x' }, chunked: true })).status).toBe(200);
    for (const type of ['json', 'form'] as const) {
      for (const chunked of [false, true]) {
        const answer = await post({ type, data: { access_token: other }, chunked });
        const refused = { status: answer.status, invalidRequest: answer.text.includes('"INVALID_REQUEST"') };
        expect({ type, chunked, ...refused }).toEqual({ type, chunked, status: 400, invalidRequest: true });
      }
    }
    await request(app.getHttpServer()).get(`/me?access_token=${other}`).set('Authorization', authorization).expect(400);
    await me(token).expect(200);
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

describe('the cache of verified credentials on Fastify over HTTP/2', () => {
  /** One request on an h2c session; a body goes out in DATA frames, with no length header. */
  const call = (session: ClientHttp2Session, path: string, authorization: string, body?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const headers = {
        ':method': body === undefined ? 'GET' : 'POST',
        ':path': path,
        authorization,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      };
      const stream = session.request(headers);
      let status = 0;
      let text = '';
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (text += chunk));
      stream.on('end', () => resolve({ status, text }));
      stream.on('error', reject);
      if (body !== undefined) stream.write(body.slice(0, 5));
      stream.end(body?.slice(5));
    });

  it('refuses a warm credential beside an access_token in a body sent without Content-Length', async () => {
    const app = await startApp('fastify', {}, () => new FastifyAdapter({ http2: true }));
    await app.listen(0, '127.0.0.1');
    const session = connectHttp2(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
    try {
      const token = keep(await app.get(TokenService).issue({ sub: 'h2', role: 'member' })).access_token;
      const authorization = `Bearer ${token}`;
      for (let i = 0; i < 3; i++) expect((await call(session, '/me', authorization)).status).toBe(200);
      expect(app.get(CredentialVerifier).cached(token)).toBeDefined();
      expect((await call(session, '/body/me', authorization, JSON.stringify({ name: 'x' }))).status).toBe(200);
      const refused = await call(session, '/body/me', authorization, JSON.stringify({ access_token: 'a'.repeat(24) }));
      expect({ status: refused.status, invalidRequest: refused.text.includes('"INVALID_REQUEST"') }).toEqual({ status: 400, invalidRequest: true });
    } finally {
      session.close();
      await app.close();
    }
  });
});

describe('the cache of verified credentials on Fastify with rewriteUrl', () => {
  it('judges the query of the URL the request came with, not of the rewritten one', async () => {
    // The rewrite drops the query: Fastify parses none, but the client did send a token in it.
    const app = await startApp('fastify', {}, () => new FastifyAdapter({ rewriteUrl: (req: { url?: string }) => (req.url ?? '/').split('?')[0] }));
    try {
      const token = keep(await app.get(TokenService).issue({ sub: 'rw', role: 'member' })).access_token;
      const me = (path: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
      for (let i = 0; i < 3; i++) await me('/me').expect(200);
      expect(app.get(CredentialVerifier).cached(token)).toBeDefined();
      await me('/me?page=2').expect(200);
      await me(`/me?access_token=${'a'.repeat(24)}`).expect(400);
    } finally {
      await app.close();
    }
  });
});

describe('the cache of verified credentials: when it is used', () => {
  it('expires a cached token with the token itself', async () => {
    const app = await startApp('express', { accessTokenTtlSec: 1, clockToleranceSec: 0 });
    try {
      // Times are whole seconds: a token issued late in a second expires at the next one. Issue it
      // just after a second begins, so the two requests below fall inside its one-second life.
      await sleep(1_000 - (Date.now() % 1_000) + 20);
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

  it('asks an API-key store without a revocation feed on every request', async () => {
    const store = new FeedlessApiKeys();
    const app = await startApp('fastify', { apiKeyStore: store });
    try {
      const { key } = await app.get(ApiKeyService).create({ label: 'feedless', scopes: ['campaigns:read'] });
      secretAudit.registerSecret(key);
      for (let i = 0; i < 5; i++) await request(app.getHttpServer()).get('/campaigns').set('Authorization', `Bearer ${key}`).expect(200);
      expect(store.gets).toBe(5);
      expect(app.get(CredentialVerifier).cachedCredentials).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('records the use of an API key served from the cache', async () => {
    // The first use's write fails, so the next use must write again: it can only come from the cache hit.
    const store = new (class extends InMemoryApiKeyStore {
      gets = 0;
      touches = 0;
      override async get(id: string): Promise<ApiKeyRecord | undefined> {
        this.gets++;
        return super.get(id);
      }
      override async touch(id: string, at: Date): Promise<void> {
        if (++this.touches === 1) throw new Error('write lost');
        return super.touch(id, at);
      }
    })();
    const app = await startApp('express', { apiKeyStore: store });
    try {
      const keys = app.get(ApiKeyService);
      const { id, key } = await keys.create({ label: 'usage', scopes: ['campaigns:read'] });
      secretAudit.registerSecret(key);
      const use = () => request(app.getHttpServer()).get('/campaigns').set('Authorization', `Bearer ${key}`).expect(200);
      await use();
      expect((await keys.list()).find((k) => k.id === id)?.lastUsedAt).toBeNull();
      await use();
      expect(store.gets).toBe(1);
      expect(store.touches).toBe(2);
      expect((await keys.list()).find((k) => k.id === id)?.lastUsedAt).toBeInstanceOf(Date);
    } finally {
      await app.close();
    }
  });

  it('does not cache a credential whose check straddled a revocation', async () => {
    // The store answers "not revoked", and the revocation lands before that answer is used.
    const store = new (class extends InMemoryRefreshTokenStore {
      revokeDuringCheck = false;
      override async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
        const answer = await super.isAccessTokenRevoked(token);
        if (this.revokeDuringCheck) {
          this.revokeDuringCheck = false;
          await this.revokeAccessToken(token.jti, Date.now() + 60_000);
        }
        return answer;
      }
    })();
    const app = await startApp('express', { refreshTokenStore: store });
    try {
      const pair = keep(await app.get(TokenService).issue({ sub: 'r1', role: 'member' }));
      const me = () => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${pair.access_token}`);
      store.revokeDuringCheck = true;
      await me().expect(200);
      await me().expect(401);
    } finally {
      await app.close();
    }
  });
});

describe.each(['express', 'fastify'])("AuthGuard('provider-bearer') and the cache on %s", (adapter) => {
  it('serves a warm credential from the same cache, and refuses it right after a revocation', async () => {
    const store = new CountingRevocations();
    const app = await startApp(adapter, { refreshTokenStore: store });
    try {
      const tokens = app.get(TokenService);
      const pair = keep(await tokens.issue({ sub: 'p1', role: 'member', plan: 'growth' }));
      const me = () => request(app.getHttpServer()).get('/passport/me').set('Authorization', `Bearer ${pair.access_token}`);
      const bodies = [];
      for (let i = 0; i < 4; i++) bodies.push((await me().expect(200)).body);
      expect(store.lookups).toBe(1);
      expect(bodies[3]).toEqual(bodies[0]);
      expect(bodies[0]).toMatchObject({ kind: 'user', sub: 'p1', role: 'member', plan: 'growth' });
      await tokens.revokeAccessToken(pair.access_token);
      await me().expect(401);
    } finally {
      await app.close();
    }
  });
});
