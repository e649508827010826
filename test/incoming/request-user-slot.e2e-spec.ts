import { Controller, Get, Req, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ProviderAuthModule, Public, Scopes, TokenService } from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';

/** What a handler sees of `request.user`: whether the request object owns the property, and its value. */
@Controller()
class C {
  @Public() @Get('open') open(@Req() req: Record<string, unknown>) {
    return { own: Object.hasOwn(req, 'user'), user: req.user === undefined ? 'undefined' : req.user };
  }
  @Scopes('campaigns:read') @Get('guarded') guarded(@Req() req: { user?: { sub?: string } }) {
    return { sub: req.user?.sub };
  }
}

type AdapterName = 'express' | 'fastify';

/** The app on `adapter`; `before` gets the adapter's instance (the Express app, the Fastify server) before init. */
async function appOn(adapter: AdapterName, before?: (instance: never) => void): Promise<INestApplication> {
  const mod = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { jwtSecret: 'x'.repeat(32) } })],
    controllers: [C],
  })
    .setLogger(new CapturingLogger())
    .compile();
  const app = mod.createNestApplication(adapter === 'fastify' ? new FastifyAdapter() : new ExpressAdapter());
  before?.(app.getHttpAdapter().getInstance() as never);
  await app.init();
  if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
  return app;
}

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/**
 * The module declares `request.user` on every request, `undefined` until a guard sets it, so the
 * guard fills a slot instead of reshaping each request object: on Fastify before the server starts
 * (as @fastify/passport does); on Express as the HTTP server receives each request, before Express
 * sets the request's prototype (after which V8 gives every request object a map of its own, and
 * adding a property to it builds a new one).
 */
describe.each<AdapterName>(['express', 'fastify'])('request.user on %s', (adapter) => {
  it('is declared on every request, undefined where no guard set it, the principal where one did', async () => {
    app = await appOn(adapter);
    const open = await request(app.getHttpServer()).get('/open').expect(200);
    expect(open.body).toEqual({ own: true, user: 'undefined' });
    const pair = await app.get(TokenService).issue({ sub: 'slot-user', role: 'member' });
    const guarded = await request(app.getHttpServer()).get('/guarded').set('Authorization', `Bearer ${pair.access_token}`).expect(200);
    expect(guarded.body).toEqual({ sub: 'slot-user' });
  });
});

describe('request.user on Fastify', () => {
  it('leaves a declaration the app made itself alone', async () => {
    app = await appOn('fastify', (fastify: { decorateRequest(name: string, value: unknown): unknown }) => fastify.decorateRequest('user', null));
    const open = await request(app.getHttpServer()).get('/open').expect(200);
    expect(open.body).toEqual({ own: true, user: null });
  });
});

describe('request.user on Express', () => {
  it('leaves an app whose request prototype has a user of its own alone', async () => {
    app = await appOn('express', (express: { request: object }) =>
      Object.defineProperty(express.request, 'user', { value: null, writable: true, configurable: true }),
    );
    const open = await request(app.getHttpServer()).get('/open').expect(200);
    expect(open.body).toEqual({ own: false, user: null });
  });

  it('takes its listener off the server when the app closes', async () => {
    app = await appOn('express');
    const server = app.getHttpServer() as Server;
    expect(server.listeners('request')).toHaveLength(2);
    await app.close();
    app = undefined;
    expect(server.listeners('request')).toHaveLength(1);
  });
});
