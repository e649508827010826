import { Controller, Get, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiKeyService, CurrentPrincipal, ProviderAuthModule, Public, Scopes, TokenService, type Principal } from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';

@Controller()
class C {
  @Public() @Get('open') open() {
    return { ok: true };
  }
  @Scopes('campaigns:read') @Get('campaigns') campaigns(@CurrentPrincipal() p: Principal) {
    return p;
  }
}

describe.each(['express', 'fastify'])('smoke on %s', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    const mod = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { jwtSecret: 'x'.repeat(32) } })],
      controllers: [C],
    })
      .setLogger(new CapturingLogger())
      .compile();
    app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
    await app.init();
    if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('works', async () => {
    const s = app.getHttpServer();
    await request(s).get('/open').expect(200);
    const r = await request(s).get('/campaigns').expect(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(r.body).toEqual({ detail: expect.any(String), error_code: 'TOKEN_INVALID', status: 401 });
    const pair = await app.get(TokenService).issue({ sub: 'u1', role: 'member' });
    const ok = await request(s).get('/campaigns').set('Authorization', `Bearer ${pair.access_token}`).expect(200);
    expect(ok.body).toMatchObject({ kind: 'user', sub: 'u1', role: 'member' });
    const { key } = await app.get(ApiKeyService).create({ label: 'k', scopes: ['links:read'] });
    const f = await request(s).get('/campaigns').set('Authorization', `Bearer ${key}`).expect(403);
    expect(f.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="campaigns:read"');
    await request(s).get('/campaigns?access_token=x').set('Authorization', `Bearer ${pair.access_token}`).expect(400);
  });
});
