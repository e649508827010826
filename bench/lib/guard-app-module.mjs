// The guard benchmark's Nest app: the same trivial handler behind each guard under test. Built by
// guard-app.mjs (served to autocannon) and inject-app.mjs (requests injected in-process).
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';

const DIST = new URL('../../dist/', import.meta.url).href;
const lib = await import(`${DIST}index.js`);
const { ApiKeyService, ProviderAuthGuard, ProviderAuthModule, Roles, Scopes, TokenService } = lib;
const { ProviderBearerStrategy } = await import(`${DIST}passport/index.js`);

export const SECRET = 'bench-secret-of-at-least-32-bytes!!';

const decorate = (cls, method, ...decorators) => Reflect.decorate(decorators, cls.prototype, method, Object.getOwnPropertyDescriptor(cls.prototype, method));
const body = { ok: true };

/** The NestJS docs recipe: passport-jwt with a string secret. */
class DocsJwtStrategy extends PassportStrategy(JwtStrategy, 'jwt') {
  constructor() {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), ignoreExpiration: false, secretOrKey: SECRET });
  }
  validate(payload) {
    return { userId: payload.sub, role: payload.role };
  }
}
Injectable()(DocsJwtStrategy);

/** The floor: Nest's guard machinery around a guard that does nothing. */
class TrivialGuard {
  canActivate() {
    return true;
  }
}

/** The floor of any authenticating guard: it hands the handler a user on the request, as passport does. */
class UserGuard {
  canActivate(context) {
    context.getArgByIndex(0).user = { kind: 'user', sub: 'bench-user' };
    return true;
  }
}

class Routes {
  open() {
    return body;
  }
  trivial() {
    return body;
  }
  setsuser() {
    return body;
  }
  jwt() {
    return body;
  }
  key() {
    return body;
  }
  roles() {
    return body;
  }
  recipe() {
    return body;
  }
  passport() {
    return body;
  }
}
decorate(Routes, 'open', Get('open'));
decorate(Routes, 'trivial', Get('trivial'), UseGuards(TrivialGuard));
decorate(Routes, 'setsuser', Get('setsuser'), UseGuards(UserGuard));
decorate(Routes, 'jwt', Get('jwt'), UseGuards(ProviderAuthGuard), Scopes('campaigns:read'));
decorate(Routes, 'key', Get('key'), UseGuards(ProviderAuthGuard), Scopes('campaigns:read'));
decorate(Routes, 'roles', Get('roles'), UseGuards(ProviderAuthGuard), Roles('member'));
decorate(Routes, 'recipe', Get('recipe'), UseGuards(AuthGuard('jwt')));
decorate(Routes, 'passport', Get('passport'), UseGuards(AuthGuard('provider-bearer')));
Controller()(Routes);

async function stores(redisUrl) {
  if (!redisUrl) return {};
  const { RedisApiKeyStore, RedisRefreshTokenStore } = await import(`${DIST}redis/index.js`);
  return { apiKeyStore: new RedisApiKeyStore({ url: redisUrl }), refreshTokenStore: new RedisRefreshTokenStore({ url: redisUrl }) };
}

/**
 * The app on `adapterName` ('express' | 'fastify'), initialised but not listening, with a member's
 * access token and an API key it accepts.
 */
export async function createGuardApp(adapterName, { redisUrl = '', cacheEntries = '' } = {}) {
  class BenchModule {}
  Module({
    imports: [
      PassportModule,
      ProviderAuthModule.forRoot({
        incoming: { jwtSecret: SECRET, ...(await stores(redisUrl)), ...(cacheEntries !== '' && { cacheEntries: Number(cacheEntries) }) },
      }),
    ],
    controllers: [Routes],
    providers: [DocsJwtStrategy, ProviderBearerStrategy],
  })(BenchModule);

  let adapter;
  if (adapterName === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    adapter = new FastifyAdapter();
  }
  const app = adapter ? await NestFactory.create(BenchModule, adapter, { logger: false }) : await NestFactory.create(BenchModule, { logger: false });
  await app.init();

  // Wait for the Redis stores' first connection before handing out credentials.
  const keys = app.get(ApiKeyService);
  for (let i = 0; ; i++) {
    try {
      await keys.list();
      break;
    } catch (e) {
      if (i > 200) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const pair = await app.get(TokenService).issue({ sub: 'bench-user', role: 'member', plan: 'growth' });
  const { key } = await keys.create({ label: 'bench', scopes: ['campaigns:read'] });
  return { app, jwt: pair.access_token, apiKey: key };
}
