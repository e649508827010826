import { INestApplication } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { ProviderApiError, TokenService } from 'nest-provider-auth';
import { ProviderEmulator, signAffilyncWebhook } from 'nest-provider-auth/testing';
import request from 'supertest';
import { App } from 'supertest/types';
import { AppModule } from './../src/app.module';

describe('CampaignsController (e2e) against the emulator', () => {
  let emulator: ProviderEmulator;
  let app: INestApplication<App>;

  beforeAll(async () => {
    emulator = await ProviderEmulator.start();
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule.register(emulator.clientOptions())],
    }).compile();
    app = moduleFixture.createNestApplication({ rawBody: true });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await emulator.close();
  });

  it('/campaigns (GET) without a credential: 401', () => {
    return request(app.getHttpServer()).get('/campaigns').expect(401);
  });

  it('/campaigns (GET) as a member: the campaigns Affilync answered', async () => {
    const { access_token } = await app.get(TokenService).issue({ sub: 'u1', role: 'member' });
    const res = await request(app.getHttpServer()).get('/campaigns').set('Authorization', `Bearer ${access_token}`).expect(200);
    expect(res.body.data).toHaveLength(3);
  });

  it('/campaigns/active-links (GET): every page of a typed list, iterated', async () => {
    const { access_token } = await app.get(TokenService).issue({ sub: 'u1', role: 'member' });
    const res = await request(app.getHttpServer()).get('/campaigns/active-links').set('Authorization', `Bearer ${access_token}`).expect(200);
    expect(res.body.count).toBe(emulator.state.affilync.links.filter((l) => l.status === 'active').length);
    expect(res.body.count).toBeGreaterThan(100);
  });

  it('/webhooks/affilync (POST): a signed event is handled once, an unsigned one refused', async () => {
    const body = JSON.stringify({ id: 'evt_packed_1', event: 'conversion.created', created_at: '2026-03-21T15:00:00Z', data: { commission: '25.00' } });
    const send = (signature?: string) => {
      const r = request(app.getHttpServer()).post('/webhooks/affilync').set('Content-Type', 'application/json');
      return (signature ? r.set('X-Affilync-Signature', signature) : r).send(body);
    };
    const signature = signAffilyncWebhook(body, 'whsec_a_nest_app_demo_secret');
    expect((await send(signature).expect(200)).body).toEqual({ handled: 'evt_packed_1' });
    expect((await send(signature).expect(200)).body).toEqual({ received: true, duplicate: true });
    await send().expect(401);
  });

  it('errors are the package classes', () => {
    expect(new ProviderApiError({ provider: 'affilync', message: 'x', retryable: false })).toBeInstanceOf(Error);
  });
});
