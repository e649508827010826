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
// The guard's own framing check (one Authorization header, no token in the query or body), so the
// reference guards below do exactly the checks of issue 8 that ProviderAuthGuard does.
const { bearerHeaderCandidate } = await import(`${DIST}incoming/bearer-extraction.js`);
const { VARIANTS, variantGuards, piecesGuard } = await import('./guard-variants.mjs');
const { SpinGuard } = await import('./spin-guard.mjs');
const variants = variantGuards(ProviderAuthGuard, bearerHeaderCandidate);

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

/**
 * The floor of any bearer guard: it reads the Authorization header and hands the handler a user on
 * the request, as passport does. (On Express each of those two touches of the request is a lookup
 * no inline cache holds: see lib/incoming/bearer-extraction.ts.)
 */
class UserGuard {
  canActivate(context) {
    const req = context.getArgByIndex(0);
    req.user = { kind: 'user', sub: 'bench-user', credentialLength: req.headers.authorization.length };
    return true;
  }
}

/**
 * The bearer floor plus one clock read against an expiry: what reading the clock costs inside a
 * request, which every guard that stops a cached token at its `exp` pays (far more than the
 * 0.05 µs of Date.now() in a loop: see docs/performance.md).
 */
class ClockGuard {
  canActivate(context) {
    const req = context.getArgByIndex(0);
    const header = req.headers.authorization;
    if (Date.now() >= clockUntil) return false;
    req.user = { kind: 'user', sub: 'bench-user', credentialLength: header.length };
    return true;
  }
}
const clockUntil = Date.now() + 24 * 3600_000;

/**
 * The least a guard with a cache of verified credentials does on a hit, written inline: the
 * framing checks of issue 8 (the same function as ProviderAuthGuard's), one lookup of the whole
 * header in a Map, one clock read against the entry's expiry, a copy of the principal on
 * request.user. No route rules, no roles or scopes, no revocation: a reference, not a guard to use.
 */
class CachedFloorGuard {
  canActivate(context) {
    const req = context.getArgByIndex(0);
    const header = bearerHeaderCandidate(req, req.headers);
    const entry = header === undefined ? undefined : verifiedHeaders.get(header);
    if (entry === undefined || Date.now() >= entry.until) return false;
    req.user = { ...entry.principal };
    return true;
  }
}
/** The cached floor's cache: each app's member token, filled when the app is made. */
const verifiedHeaders = new Map();

/**
 * Times every call of the benchmark's guards (`canActivate` up to its return, on the clock
 * SpinGuard uses) and hands `record(route, ns)` each: the route is the handler's name. Wraps the
 * classes' prototypes, so it is for a process that measures this and nothing else.
 */
export function timeGuardCalls(record) {
  for (const Guard of [TrivialGuard, UserGuard, ClockGuard, CachedFloorGuard, SpinGuard, ProviderAuthGuard]) {
    const canActivate = Guard.prototype.canActivate;
    Guard.prototype.canActivate = function timedCanActivate(context) {
      const began = process.hrtime.bigint();
      const result = canActivate.call(this, context);
      const ns = Number(process.hrtime.bigint() - began);
      record(context.getHandler().name, ns);
      return result;
    };
  }
}

/** Each route: its path is its name; the same handler behind each guard under test. */
const ROUTES = {
  open: () => [],
  trivial: () => [UseGuards(TrivialGuard)],
  setsuser: () => [UseGuards(UserGuard)],
  clock: () => [UseGuards(ClockGuard)],
  cachedfloor: () => [UseGuards(CachedFloorGuard)],
  spin: () => [UseGuards(SpinGuard)],
  jwt: () => [UseGuards(ProviderAuthGuard), Scopes('campaigns:read')],
  key: () => [UseGuards(ProviderAuthGuard), Scopes('campaigns:read')],
  roles: () => [UseGuards(ProviderAuthGuard), Roles('member')],
  recipe: () => [UseGuards(AuthGuard('jwt'))],
  passport: () => [UseGuards(AuthGuard('provider-bearer'))],
};
/** The routes every app registers unless told otherwise. */
export const ROUTE_NAMES = Object.keys(ROUTES);
// The cache-hit path without one piece or another (bench/lib/guard-variants.mjs), as the JWT route:
// registered only when asked for by name.
for (const v of VARIANTS) ROUTES[v.route] = () => [UseGuards(variants[v.route]), Scopes('campaigns:read')];
// The same path with a clock read between its pieces (§1e), as the JWT route: registered only when asked for.
const PiecesGuard = piecesGuard(ProviderAuthGuard, bearerHeaderCandidate);
ROUTES.pieces = () => [UseGuards(PiecesGuard), Scopes('campaigns:read')];

/** A controller with the named routes only. */
function controllerWith(names) {
  class Routes {}
  for (const name of names) {
    Object.defineProperty(Routes.prototype, name, { value: { [name]: () => body }[name], writable: true, configurable: true });
    decorate(Routes, name, Get(name), ...ROUTES[name]());
  }
  Controller()(Routes);
  return Routes;
}

async function stores(redisUrl) {
  if (!redisUrl) return {};
  const { RedisApiKeyStore, RedisRefreshTokenStore } = await import(`${DIST}redis/index.js`);
  return { apiKeyStore: new RedisApiKeyStore({ url: redisUrl }), refreshTokenStore: new RedisRefreshTokenStore({ url: redisUrl }) };
}

/**
 * The bench app on `adapterName` ('express' | 'fastify'), initialised but not listening, with a
 * member's access token and an API key it accepts (`routes`: the routes to register, in this
 * order; all by default), and `handler`, the (req, res) function that
 * serves every route (Express), or `app` to listen or inject into (Fastify).
 *
 * Express tries an app's routes in the order they were registered, so in one app the sixth route
 * pays for five path matches that the second does not (3–7 µs per request in-process, as much as
 * the costs measured here). On Express every route is therefore the only route of its own app,
 * behind one dispatcher on the path that every route goes through alike. Fastify finds a route
 * in a tree: one app.
 */
export async function createGuardApp(adapterName, { routes = ROUTE_NAMES, ...options } = {}) {
  if (adapterName === 'fastify') return createApp('fastify', routes, options);
  const apps = new Map();
  for (const name of routes) apps.set(`/${name}`, await createApp('express', [name], options));
  // Each request goes to its route's app as Node would hand it over: through the 'request' listeners of
  // the HTTP server Nest made for that app (the app itself, and what the app's modules added there).
  const servers = new Map([...apps].map(([path, made]) => [path, made.app.getHttpServer()]));
  const handler = (req, res) => {
    const q = req.url.indexOf('?');
    const server = servers.get(q < 0 ? req.url : req.url.slice(0, q));
    if (server) return server.emit('request', req, res);
    res.statusCode = 404;
    res.end();
  };
  // A member's JWT is good in every app (one secret); an API key only in the app that made it.
  return { handler, jwt: apps.values().next().value.jwt, apiKey: apps.get('/key')?.apiKey };
}

/** One Nest app with the named routes. */
async function createApp(adapterName, names, { redisUrl = '', cacheEntries = '' } = {}) {
  class BenchModule {}
  Module({
    imports: [
      PassportModule,
      ProviderAuthModule.forRoot({
        incoming: { jwtSecret: SECRET, ...(await stores(redisUrl)), ...(cacheEntries !== '' && { cacheEntries: Number(cacheEntries) }) },
      }),
    ],
    controllers: [controllerWith(names)],
    // Passport keeps one strategy per name for the whole process: only the apps that use one make it.
    providers: [...(names.includes('recipe') ? [DocsJwtStrategy] : []), ...(names.includes('passport') ? [ProviderBearerStrategy] : [])],
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
  verifiedHeaders.set(`Bearer ${pair.access_token}`, {
    until: Date.now() + 15 * 60_000,
    principal: Object.freeze({ kind: 'user', sub: 'bench-user', role: 'member', scopes: Object.freeze(['campaigns:read']), plan: 'growth' }),
  });
  return { app, jwt: pair.access_token, apiKey: key };
}
