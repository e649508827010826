import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { EMULATOR_DEFAULT_USER, ProviderEmulator } from '../lib/testing/index.js';
import { AppModule } from '../sample/app.module.js';
import { realProviderOptions } from '../sample/provider-config.js';
import { CapturingLogger } from './support/capturing-logger.js';

describe('sample app on the embedded emulator', () => {
  let emulator: ProviderEmulator;
  let app: INestApplication;

  beforeAll(async () => {
    emulator = await ProviderEmulator.start();
    const user = EMULATOR_DEFAULT_USER;
    const mod = await Test.createTestingModule({
      imports: [
        AppModule.forProviders({
          affilync: { baseUrl: emulator.affilyncBaseUrl, email: user.email, password: user.password },
          convertly: { baseUrl: emulator.convertlyBaseUrl, email: user.email, password: user.password },
        }),
      ],
    })
      .setLogger(new CapturingLogger())
      .compile();
    app = mod.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await emulator.close();
  });

  it('GET /overview combines Affilync campaigns and Convertly affiliates, logging in once each', async () => {
    const first = await request(app.getHttpServer()).get('/overview').expect(200);
    expect(first.body.affilync.campaigns.length).toBeGreaterThan(0);
    expect(first.body.convertly.affiliates.length).toBeGreaterThan(0);
    expect(first.body.convertly.total).toBe(57);
    await request(app.getHttpServer()).get('/overview').expect(200);
    expect(emulator.counters.affilync.logins).toBe(1);
    expect(emulator.counters.convertly.logins).toBe(1);
    expect(emulator.counters.affilync.calls).toBe(2);
  });
});

describe('sample configuration from the environment', () => {
  it('maps the documented variables to module options', () => {
    expect(realProviderOptions({ AFFILYNC_API_KEY: 'afk_live_x', CONVERTLY_EMAIL: 'a@b.c', CONVERTLY_PASSWORD: 'p' })).toEqual({
      affilync: { apiKey: 'afk_live_x' },
      convertly: { email: 'a@b.c', password: 'p' },
    });
    expect(realProviderOptions({ AFFILYNC_EMAIL: 'a@b.c', AFFILYNC_PASSWORD: 'p', AFFILYNC_BASE_URL: 'https://x.test/api' })).toEqual({
      affilync: { baseUrl: 'https://x.test/api', email: 'a@b.c', password: 'p' },
    });
    expect(realProviderOptions({})).toEqual({});
  });
});
