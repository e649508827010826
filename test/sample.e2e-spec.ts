import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { EMULATOR_DEFAULT_USER, ProviderEmulator, signAffilyncWebhook } from '../lib/testing/index.js';
import { AppModule } from '../sample/app.module.js';
import { incomingOptions, SAMPLE_WEBHOOK_SECRET } from '../sample/incoming-config.js';
import { secretAudit } from './support/secret-audit.js';
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
          incoming: incomingOptions({}),
        }),
      ],
    })
      .setLogger(new CapturingLogger())
      .compile();
    app = mod.createNestApplication({ logger: false, rawBody: true });
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

describe('sample app: its own auth, in the order the README tries it', () => {
  let emulator: ProviderEmulator;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    emulator = await ProviderEmulator.start();
    secretAudit.registerSecret('admin-password', 'member-password', SAMPLE_WEBHOOK_SECRET);
    const mod = await Test.createTestingModule({
      imports: [
        AppModule.forProviders({
          affilync: { baseUrl: emulator.affilyncBaseUrl, apiKey: emulator.apiKey },
          incoming: incomingOptions({}),
        }),
      ],
    })
      .setLogger(new CapturingLogger())
      .compile();
    app = mod.createNestApplication({ logger: false, rawBody: true });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await emulator.close();
  });

  it('login → me → refresh → admin creates a key → the key reads campaigns → webhook', async () => {
    await http().post('/auth/login').send({ email: 'admin@example.com', password: 'wrong' }).expect(401);
    const login = (await http().post('/auth/login').send({ email: 'admin@example.com', password: 'admin-password' }).expect(200)).body;
    secretAudit.registerSecret(login.access_token, login.refresh_token);
    expect(login).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

    await http().get('/auth/me').expect(401);
    expect((await http().get('/auth/me').set(bearer(login.access_token)).expect(200)).body).toMatchObject({ kind: 'user', sub: 'usr_admin', role: 'admin' });

    const refreshed = (await http().post('/auth/refresh').send({ refresh_token: login.refresh_token }).expect(200)).body;
    secretAudit.registerSecret(refreshed.access_token, refreshed.refresh_token);
    await http().post('/auth/refresh').send({ refresh_token: login.refresh_token }).expect(401); // replay: family revoked

    const admin = (await http().post('/auth/login').send({ email: 'admin@example.com', password: 'admin-password' }).expect(200)).body;
    const member = (await http().post('/auth/login').send({ email: 'member@example.com', password: 'member-password' }).expect(200)).body;
    secretAudit.registerSecret(admin.access_token, admin.refresh_token, member.access_token, member.refresh_token);
    await http().post('/api-keys').set(bearer(member.access_token)).send({ label: 'x', scopes: ['campaigns:read'] }).expect(403);
    await http().post('/api-keys').set(bearer(admin.access_token)).send({ label: 'x', scopes: ['nope'] }).expect(400);
    const created = (await http().post('/api-keys').set(bearer(admin.access_token)).send({ label: 'reporting', scopes: ['campaigns:read'] }).expect(201)).body;
    secretAudit.registerSecret(created.key);
    expect(Object.keys(created).sort()).toEqual(['id', 'key']);

    const campaigns = (await http().get('/campaigns').set(bearer(created.key)).expect(200)).body;
    expect(campaigns.requestedBy).toBe(created.id);
    expect(campaigns.campaigns.length).toBe(3);
    await http().post('/campaigns/archive').set(bearer(created.key)).send({ id: 'cmp_1' }).expect(403); // keys never satisfy @Roles
    await http().post('/campaigns/archive').set(bearer(member.access_token)).send({ id: 'cmp_1' }).expect(403);
    await http().post('/campaigns/archive').set(bearer(admin.access_token)).send({ id: 'cmp_1' }).expect(201);

    await http().delete(`/api-keys/${created.id}`).set(bearer(admin.access_token)).expect(200);
    await http().get('/campaigns').set(bearer(created.key)).expect(401);

    const event = '{"id":"evt_1","event":"conversion.created","data":{}}';
    await http().post('/webhooks/affilync').set('Content-Type', 'application/json').send(event).expect(401);
    await http()
      .post('/webhooks/affilync')
      .set('Content-Type', 'application/json')
      .set('X-Affilync-Signature', signAffilyncWebhook(event, SAMPLE_WEBHOOK_SECRET))
      .send(event)
      .expect(204);
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
