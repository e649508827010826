/**
 * ProviderAuthGuard.getRequest(context): the seam a subclass overrides to read the credential from
 * somewhere else. Here an app whose gateway passes the key in `X-Service-Credential`; everything
 * after reading (verification, scopes, the answer) is the guard's own.
 */
import { Controller, Get, Injectable, UseGuards, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiKeyService, CurrentPrincipal, ProviderAuthGuard, ProviderAuthModule, Scopes, type Principal } from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';

@Injectable()
class ServiceCredentialGuard extends ProviderAuthGuard {
  protected override getRequest(context: ExecutionContext) {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: Principal }>();
    const value = req.headers['x-service-credential'];
    return { source: { headers: value ? { authorization: `Bearer ${value}` } : {} }, holder: req };
  }
}

@Controller('svc')
@UseGuards(ServiceCredentialGuard)
class ServiceRoutes {
  @Get()
  @Scopes('campaigns:read')
  who(@CurrentPrincipal() principal: Principal) {
    return principal;
  }
}

describe('ProviderAuthGuard.getRequest() overridden', () => {
  let app: INestApplication;
  let keys: ApiKeyService;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'get-request-seam-secret-0123456789abcdef' } })],
      controllers: [ServiceRoutes],
      providers: [ServiceCredentialGuard],
    })
      .setLogger(new CapturingLogger())
      .compile();
    app = moduleRef.createNestApplication();
    await app.init();
    keys = app.get(ApiKeyService);
  });
  afterAll(() => app.close());

  it('reads the credential where the subclass says, and checks it as the guard always does', async () => {
    const { id, key } = await keys.create({ label: 'svc', scopes: ['campaigns:read'] });
    await request(app.getHttpServer())
      .get('/svc')
      .set('X-Service-Credential', key)
      .expect(200, { kind: 'api_key', keyId: id, scopes: ['campaigns:read'] });
    // The Authorization header is not where this guard looks.
    const refused = await request(app.getHttpServer()).get('/svc').set('Authorization', `Bearer ${key}`);
    expect([refused.status, refused.body.error_code]).toEqual([401, 'TOKEN_INVALID']);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    const { key: narrow } = await keys.create({ label: 'narrow', scopes: ['links:read'] });
    const forbidden = await request(app.getHttpServer()).get('/svc').set('X-Service-Credential', narrow);
    expect([forbidden.status, forbidden.body.error_code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
  });
});
