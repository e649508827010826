import { Controller, Get, Req, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
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

async function fastifyApp(before?: (fastify: { decorateRequest(name: string, value: unknown): unknown }) => void): Promise<INestApplication> {
  const mod = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { jwtSecret: 'x'.repeat(32) } })],
    controllers: [C],
  })
    .setLogger(new CapturingLogger())
    .compile();
  const app = mod.createNestApplication(new FastifyAdapter());
  before?.(app.getHttpAdapter().getInstance());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * On Fastify the module declares `request.user` before the server starts (as @fastify/passport
 * does), so every request is created with it, `undefined` until a guard sets it: the guard fills a
 * slot instead of reshaping each request object.
 */
describe('request.user on Fastify', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('is declared on every request, undefined where no guard set it, the principal where one did', async () => {
    app = await fastifyApp();
    const open = await request(app.getHttpServer()).get('/open').expect(200);
    expect(open.body).toEqual({ own: true, user: 'undefined' });
    const pair = await app.get(TokenService).issue({ sub: 'slot-user', role: 'member' });
    const guarded = await request(app.getHttpServer()).get('/guarded').set('Authorization', `Bearer ${pair.access_token}`).expect(200);
    expect(guarded.body).toEqual({ sub: 'slot-user' });
  });

  it('leaves a declaration the app made itself alone', async () => {
    app = await fastifyApp((fastify) => fastify.decorateRequest('user', null));
    const open = await request(app.getHttpServer()).get('/open').expect(200);
    expect(open.body).toEqual({ own: true, user: null });
  });
});
