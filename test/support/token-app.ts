import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { InMemoryRefreshTokenStore, ProviderAuthModule, TokenService, type IncomingOptions, type RefreshTokenStore } from '../../lib/index.js';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';
import { CapturingLogger } from './capturing-logger.js';
import { RedisServer } from './redis-server.js';
import { secretAudit } from './secret-audit.js';
import { TokenRoutes } from './token-routes.js';

export type StoreKind = 'in-memory' | 'redis';

/** An app built on TokenService (TokenRoutes under the global guard), on one adapter and one store. */
export interface TokenApp {
  app: INestApplication;
  tokens: TokenService;
  store: RefreshTokenStore;
  /** GET /me with the access token. */
  me(accessToken: string): request.Test;
  /** POST /auth/rotate with the access token. */
  rotate(accessToken: string): request.Test;
  /** POST /auth/refresh with the refresh token. */
  refresh(refreshToken: string): request.Test;
  close(): Promise<void>;
}

export async function startTokenApp(
  adapter: 'express' | 'fastify',
  storeKind: StoreKind,
  incoming: Omit<IncomingOptions, 'refreshTokenStore'>,
): Promise<TokenApp> {
  const redis = storeKind === 'redis' ? await RedisServer.start() : undefined;
  const store: RefreshTokenStore = redis ? new RedisRefreshTokenStore({ url: redis.url }) : new InMemoryRefreshTokenStore();
  const mod = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { ...incoming, refreshTokenStore: store } })],
    controllers: [TokenRoutes],
  })
    .setLogger(new CapturingLogger())
    .compile();
  const app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  const server = () => app.getHttpServer();
  return {
    app,
    tokens: app.get(TokenService),
    store,
    me: (token) => request(server()).get('/me').set('Authorization', `Bearer ${token}`),
    rotate: (token) => request(server()).post('/auth/rotate').set('Authorization', `Bearer ${token}`),
    refresh: (token) => request(server()).post('/auth/refresh').send({ refresh_token: token }),
    close: async () => {
      await app.close();
      await redis?.stop();
    },
  };
}

/** Registers an answer's tokens with the secret audit, and returns it. */
export function keep<T extends { access_token: string; refresh_token?: string }>(pair: T): T {
  secretAudit.registerSecret(pair.access_token, pair.refresh_token);
  return pair;
}
