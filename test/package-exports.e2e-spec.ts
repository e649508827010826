import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = process.cwd();

interface Condition {
  types: string;
  default: string;
}
type ExportEntry = string | { import: Condition; require: Condition };

const ENTRY_POINTS = ['.', './graphql', './passport', './redis', './swagger', './terminus', './testing', './throttler', './websockets'];

/** The packaging contract: what package.json promises exists after a build and loads in plain Node, as ESM and as CommonJS. */
describe('published package', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    type: string;
    exports: Record<string, ExportEntry>;
    typesVersions: Record<string, Record<string, string[]>>;
    types: string;
    main: string;
  };

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: root });
  }, 180_000);

  it('is ESM with a CommonJS build beside it, and every file named in exports/types/main/typesVersions exists', () => {
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.exports).sort()).toEqual([...ENTRY_POINTS, './package.json'].sort());
    const files = [pkg.main, pkg.types, ...Object.values(pkg.typesVersions['*']).flat()];
    for (const entry of Object.values(pkg.exports)) {
      if (typeof entry === 'string') files.push(entry);
      else files.push(entry.import.types, entry.import.default, entry.require.types, entry.require.default);
    }
    for (const f of files) expect({ file: f, exists: existsSync(join(root, f)) }).toEqual({ file: f, exists: true });
    // TypeScript with "module": "commonjs" reads typesVersions, not exports: every subpath is there.
    expect(Object.keys(pkg.typesVersions['*']).sort()).toEqual(
      ENTRY_POINTS.filter((e) => e !== '.')
        .map((e) => e.slice(2))
        .sort(),
    );
    expect(JSON.parse(readFileSync(join(root, 'dist/cjs/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  const names = `{
    module: typeof main.ProviderAuthModule.forRoot,
    asyncModule: typeof main.ProviderAuthModule.forRootAsync,
    clients: [typeof main.AffilyncClient, typeof main.ConvertlyClient],
    errors: new main.ProviderAuthError({ provider: 'affilync', message: 'x', retryable: false }) instanceof main.ProviderApiError,
    store: typeof main.TokenStore,
    webhooks: [typeof main.AffilyncWebhook, typeof main.AffilyncEvent, typeof main.OnAffilyncEvent, typeof main.EventIdStore],
    emulator: typeof testing.ProviderEmulator.start,
    redis: [typeof redis.RedisTokenStore, typeof redis.RedisRefreshTokenStore, typeof redis.RedisApiKeyStore, typeof redis.RedisEventIdStore],
    passport: typeof passport.ProviderBearerStrategy,
    throttler: [typeof throttler.ProviderThrottlerGuard, typeof throttler.RedisThrottlerStorage, typeof throttler.limitByPrincipal],
    swagger: typeof swagger.applyProviderAuthOpenApi,
    terminus: typeof terminus.ProviderAuthHealthIndicator,
    websockets: typeof websockets.ProviderAuthWsAdapter,
    graphql: [typeof graphql.GraphQLConnectionAuth, typeof graphql.ProviderAuthGraphQLModule, typeof graphql.ProviderAuthGraphQLError],
  }`;
  const expected = {
    module: 'function',
    asyncModule: 'function',
    clients: ['function', 'function'],
    errors: true,
    store: 'symbol',
    webhooks: ['function', 'function', 'function', 'symbol'],
    emulator: 'function',
    redis: ['function', 'function', 'function', 'function'],
    passport: 'function',
    throttler: ['function', 'function', 'function'],
    swagger: 'function',
    terminus: 'function',
    websockets: 'function',
    graphql: ['function', 'function', 'function'],
  };

  it('loads by its name in a real Node process as ESM (import)', async () => {
    const script = `
      import 'reflect-metadata';
      import * as main from 'nest-provider-auth';
      import * as testing from 'nest-provider-auth/testing';
      import * as redis from 'nest-provider-auth/redis';
      import * as passport from 'nest-provider-auth/passport';
      import * as throttler from 'nest-provider-auth/throttler';
      import * as swagger from 'nest-provider-auth/swagger';
      import * as terminus from 'nest-provider-auth/terminus';
      import * as websockets from 'nest-provider-auth/websockets';
      import * as graphql from 'nest-provider-auth/graphql';
      console.log(JSON.stringify(${names}));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it('loads by its name in a real Node process as CommonJS (require), from dist/cjs', async () => {
    const script = `
      require('reflect-metadata');
      const main = require('nest-provider-auth');
      const testing = require('nest-provider-auth/testing');
      const redis = require('nest-provider-auth/redis');
      const passport = require('nest-provider-auth/passport');
      const throttler = require('nest-provider-auth/throttler');
      const swagger = require('nest-provider-auth/swagger');
      const terminus = require('nest-provider-auth/terminus');
      const websockets = require('nest-provider-auth/websockets');
      const graphql = require('nest-provider-auth/graphql');
      console.log(JSON.stringify({ ...${names}, file: require.resolve('nest-provider-auth') }));`;
    const { stdout } = await run(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ ...expected, file: join(root, 'dist/cjs/index.js') });
  });

  // Each optional integration's peers are loaded by its own path only (./websockets extends
  // @nestjs/platform-ws's adapter, so it loads that one), in neither build: the root entry must work
  // in an app that has none of them installed.
  it.each<[string, string, string[], string]>([
    ['the root entry and ./redis load', '@nestjs/throttler', ['nest-provider-auth/redis'], '^@nestjs/throttler(/|$)'],
    [
      'the root entry and ./graphql load',
      '@nestjs/graphql, graphql or a driver',
      ['nest-provider-auth/graphql'],
      '^(@nestjs/(graphql|apollo|mercurius)|graphql|@apollo/server|mercurius)(/|$)',
    ],
    [
      'the root entry loads',
      '@nestjs/websockets, a WebSocket adapter, socket.io or ws',
      [],
      '^(@nestjs/(websockets|platform-ws|platform-socket\\.io)|socket\\.io|ws)(/|$)',
    ],
    ['the root entry and ./swagger load', '@nestjs/swagger', ['nest-provider-auth/swagger'], '^@nestjs/swagger(/|$)'],
    ['the root entry and ./redis load', '@nestjs/terminus', ['nest-provider-auth/redis'], '^@nestjs/terminus(/|$)'],
    ['the root entry loads', '@nestjs/microservices', [], '^@nestjs/microservices(/|$)'],
    // Imported by the module at bootstrap (telemetry), never when the package loads.
    ['the root entry loads', '@opentelemetry/api', [], '^@opentelemetry/'],
  ])('%s no %s, as CommonJS or as ESM', async (_who, _what, paths, pattern) => {
    const entries = ['nest-provider-auth', ...paths];
    const cjs = `
      const Module = require('node:module');
      const seen = [];
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (new RegExp(${JSON.stringify(pattern)}).test(request)) seen.push(request);
        return resolve.call(this, request, ...rest);
      };
      require('reflect-metadata');
      for (const entry of ${JSON.stringify(entries)}) require(entry);
      console.log(JSON.stringify(seen));`;
    expect(JSON.parse((await run(process.execPath, ['--input-type=commonjs', '-e', cjs], { cwd: root })).stdout)).toEqual([]);
    const refuse = `export async function resolve(s, c, next) { if (new RegExp(${JSON.stringify(pattern)}).test(s)) throw new Error('loaded ' + s); return next(s, c); }`;
    const hooks = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(refuse)}));`;
    const esm = `
      import 'reflect-metadata';
      for (const entry of ${JSON.stringify(entries)}) await import(entry);
      console.log('loaded');`;
    const { stdout } = await run(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hooks)}`, '--input-type=module', '-e', esm], {
      cwd: root,
    });
    expect(stdout.trim()).toBe('loaded');
  });

  it('./websockets: a guarded gateway on ws in a real Node process refuses in the configured format, then serves the key', async () => {
    const script = `
      import 'reflect-metadata';
      import { Module, UseGuards } from '@nestjs/common';
      import { NestFactory } from '@nestjs/core';
      import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
      import WebSocket from 'ws';
      import { ApiKeyService, ProviderAuthGuard, ProviderAuthModule, Scopes } from 'nest-provider-auth';
      import { ProviderAuthWsAdapter } from 'nest-provider-auth/websockets';
      class Gateway { read() { return { event: 'read', data: 'ok' }; } }
      Reflect.decorate([WebSocketGateway(), UseGuards(ProviderAuthGuard)], Gateway);
      Reflect.decorate([SubscribeMessage('read'), Scopes('campaigns:read')], Gateway.prototype, 'read', Object.getOwnPropertyDescriptor(Gateway.prototype, 'read'));
      class AppModule {}
      Module({ imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'x'.repeat(32) } })], providers: [Gateway] })(AppModule);
      const app = await NestFactory.create(AppModule, { logger: ['error'] });
      app.useWebSocketAdapter(new ProviderAuthWsAdapter(app));
      await app.listen(0, '127.0.0.1');
      const { key } = await app.get(ApiKeyService).create({ label: 'ws', scopes: ['campaigns:read'] });
      const url = 'ws://127.0.0.1:' + app.getHttpServer().address().port;
      const ask = (headers) => new Promise((resolve, reject) => {
        const socket = new WebSocket(url, { headers });
        socket.once('error', reject);
        socket.once('open', () => socket.send(JSON.stringify({ event: 'read', data: {} })));
        socket.once('message', (raw) => { socket.close(); resolve(JSON.parse(raw.toString())); });
      });
      console.log(JSON.stringify([await ask({}), await ask({ authorization: 'Bearer ' + key })]));
      await app.close();`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual([
      { event: 'exception', data: { detail: expect.any(String) as unknown, error_code: 'TOKEN_INVALID', status: 401 } },
      { event: 'read', data: 'ok' },
    ]);
  });

  it('./swagger documents a guarded route of a real app in a real Node process', async () => {
    const script = `
      import 'reflect-metadata';
      import { Controller, Get, Module } from '@nestjs/common';
      import { NestFactory } from '@nestjs/core';
      import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
      import { ProviderAuthModule, Public, Scopes } from 'nest-provider-auth';
      import { applyProviderAuthOpenApi } from 'nest-provider-auth/swagger';
      class Routes { list() {} open() {} }
      Controller('campaigns')(Routes);
      Reflect.decorate([Get(), Scopes('campaigns:read')], Routes.prototype, 'list', Object.getOwnPropertyDescriptor(Routes.prototype, 'list'));
      Reflect.decorate([Get('open'), Public()], Routes.prototype, 'open', Object.getOwnPropertyDescriptor(Routes.prototype, 'open'));
      class AppModule {}
      Module({ imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'x'.repeat(32) }, globalGuard: true })], controllers: [Routes] })(AppModule);
      const app = await NestFactory.create(AppModule, { logger: ['error'] });
      app.setGlobalPrefix('api');
      const document = applyProviderAuthOpenApi(app, SwaggerModule.createDocument(app, new DocumentBuilder().build()));
      const list = document.paths['/api/campaigns'].get, open = document.paths['/api/campaigns/open'].get;
      console.log(JSON.stringify({ list: [list.security, list['x-required-scopes'], Object.keys(list.responses)], open: open.security }));
      await app.close();`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ list: [[{ bearer: [] }], ['campaigns:read'], ['200', '401', '403']], open: [] });
  });

  it('./terminus answers a health route of a real app in a real Node process: green, then 503 with the store down', async () => {
    const script = `
      import 'reflect-metadata';
      import { Controller, Get, Module } from '@nestjs/common';
      import { NestFactory } from '@nestjs/core';
      import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
      import { ProviderAuthModule } from 'nest-provider-auth';
      import { ProviderAuthHealthIndicator } from 'nest-provider-auth/terminus';
      let storeUp = true;
      const tokenStore = {
        get: async () => { if (!storeUp) throw new Error('down'); return undefined; },
        compareAndSet: async () => undefined,
        withLock: (_k, _t, fn) => fn(),
      };
      class Health {
        constructor(health, indicator) { this.health = health; this.indicator = indicator; }
        check() { return this.health.check([() => this.indicator.isHealthy('provider-auth')]); }
      }
      Controller('health')(Health);
      Reflect.decorate([Get()], Health.prototype, 'check', Object.getOwnPropertyDescriptor(Health.prototype, 'check'));
      Reflect.defineMetadata('design:paramtypes', [HealthCheckService, ProviderAuthHealthIndicator], Health);
      class HealthModule {}
      Module({ imports: [TerminusModule], controllers: [Health], providers: [ProviderAuthHealthIndicator] })(HealthModule);
      class AppModule {}
      Module({ imports: [ProviderAuthModule.forRoot({ isGlobal: true, tokenStore }), HealthModule] })(AppModule);
      const app = await NestFactory.create(AppModule, { logger: ['error'] });
      await app.listen(0, '127.0.0.1');
      const url = 'http://127.0.0.1:' + app.getHttpServer().address().port + '/health';
      const green = await fetch(url);
      storeUp = false;
      const red = await fetch(url);
      console.log(JSON.stringify({ statuses: [green.status, red.status], down: (await red.json()).error }));
      await app.close();`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ statuses: [200, 503], down: { 'provider-auth:token-store': { status: 'down', store: 'Object', error: 'Error' } } });
  });

  // Jest gets @nestjs/throttler converted to ESM (jest.config.ts); here the real CommonJS package
  // require()s Nest 12's ESM, as in a user's app.
  it('./throttler guards a route in a real Node process: 200, then the 429 in the configured format', async () => {
    const script = `
      import 'reflect-metadata';
      import { Controller, Get, Module } from '@nestjs/common';
      import { APP_GUARD, NestFactory } from '@nestjs/core';
      import { ThrottlerModule } from '@nestjs/throttler';
      import { ProviderAuthGuard, ProviderAuthModule, Public } from 'nest-provider-auth';
      import { ProviderThrottlerGuard } from 'nest-provider-auth/throttler';
      class Routes { open() { return { ok: true }; } }
      Controller()(Routes);
      Reflect.decorate([Get('open'), Public()], Routes.prototype, 'open', Object.getOwnPropertyDescriptor(Routes.prototype, 'open'));
      class AppModule {}
      Module({
        imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'x'.repeat(32), errorFormat: 'convertly' } }), ThrottlerModule.forRoot([{ ttl: 60000, limit: 1 }])],
        controllers: [Routes],
        providers: [{ provide: APP_GUARD, useClass: ProviderAuthGuard }, { provide: APP_GUARD, useClass: ProviderThrottlerGuard }],
      })(AppModule);
      const app = await NestFactory.create(AppModule, { logger: ['error'] });
      await app.listen(0, '127.0.0.1');
      const url = 'http://127.0.0.1:' + app.getHttpServer().address().port + '/open';
      const first = await fetch(url);
      const second = await fetch(url);
      console.log(JSON.stringify({ statuses: [first.status, second.status], body: await second.json(), retryAfter: second.headers.get('retry-after') }));
      await app.close();`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({
      statuses: [200, 429],
      body: { statusCode: 429, message: 'Rate limit exceeded', error: 'Too Many Requests' },
      retryAfter: '60',
    });
  });

  it('with both builds loaded in one process, tokens, decorator metadata and instanceof are shared', async () => {
    const script = `
      require('reflect-metadata');
      const cjs = require('nest-provider-auth');
      import('nest-provider-auth').then(async (esm) => {
        const { Reflector } = await import('@nestjs/core');
        const reflector = new Reflector();
        class Controller { route() {} }
        const descriptor = Object.getOwnPropertyDescriptor(Controller.prototype, 'route');
        esm.Scopes('campaigns:read')(Controller.prototype, 'route', descriptor);
        cjs.Roles('admin')(Controller.prototype, 'route', descriptor);
        esm.Public()(Controller);
        const error = (lib, Class) => new lib[Class]({ provider: 'affilync', message: 'x', retryable: false });
        console.log(JSON.stringify({
          distinctCopies: cjs.ProviderAuthModule !== esm.ProviderAuthModule,
          tokens: ['TokenStore', 'ApiKeyStore', 'RefreshTokenStore', 'EventIdStore', 'PROVIDER_AUTH_OPTIONS', 'PROVIDER_AUTH_MODULE_OPTIONS'].map((t) => cjs[t] === esm[t]),
          scopesReadByTheOtherCopy: reflector.get(cjs.ScopesMetadata, Controller.prototype.route),
          rolesReadByTheOtherCopy: reflector.get(esm.RolesMetadata, Controller.prototype.route),
          publicReadByTheOtherCopy: reflector.get(cjs.PublicMetadata, Controller),
          instanceof: [
            error(cjs, 'ProviderAuthError') instanceof esm.ProviderApiError,
            error(cjs, 'ProviderAuthError') instanceof esm.ProviderAuthError,
            error(esm, 'ProviderRateLimitError') instanceof cjs.ProviderApiError,
            new cjs.ProviderAuthConfigError([]) instanceof esm.ProviderAuthConfigError,
          ],
          notInstanceof: [
            error(cjs, 'ProviderAuthError') instanceof esm.ProviderForbiddenError,
            error(esm, 'ProviderApiError') instanceof cjs.ProviderAuthError,
            new Error('x') instanceof cjs.ProviderApiError,
            new cjs.ProviderAuthConfigError([]) instanceof esm.ProviderApiError,
          ],
        }));
      });`;
    const { stdout } = await run(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({
      distinctCopies: true,
      tokens: [true, true, true, true, true, true],
      scopesReadByTheOtherCopy: ['campaigns:read'],
      rolesReadByTheOtherCopy: ['admin'],
      publicReadByTheOtherCopy: true,
      instanceof: [true, true, true, true],
      notInstanceof: [false, false, false, false],
    });
  });

  it('ships no test files, and source maps that carry their sources', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: root });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(files.some((f) => /\.spec\./.test(f))).toBe(false);
    for (const f of [
      'dist/index.js',
      'dist/cjs/index.js',
      'dist/testing/index.js',
      'dist/redis/index.js',
      'dist/passport/index.js',
      'dist/throttler/index.js',
      'dist/swagger/index.js',
      'dist/terminus/index.js',
      'dist/websockets/index.js',
      'dist/graphql/index.js',
      'LICENSE',
    ])
      expect(files).toContain(f);
    for (const map of ['dist/index.js.map', 'dist/cjs/issuing/token.service.js.map']) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[]; sourcesContent?: string[] };
      expect(sourcesContent?.length).toBe(sources.length);
      expect(sourcesContent!.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
    }
  });
});
