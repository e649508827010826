import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ProviderEmulator, signAffilyncWebhook } from '../lib/testing/index.js';
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
    const mod = await Test.createTestingModule({
      imports: [AppModule.forProviders({ ...emulator.clientOptions({ affilync: 'password' }), incoming: incomingOptions({}) })],
    })
      .setLogger(new CapturingLogger())
      .compile();
    app = mod.createNestApplication({ rawBody: true });
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
    // Typed methods: a link count from one list page's meta, and money as decimal strings.
    const { links } = emulator.state.affilync;
    expect(first.body.affilync.activeLinks).toBe(links.filter((l) => l.status === 'active').length);
    expect(first.body.affilync.earnings).toEqual({
      totalEarned: expect.stringMatching(/^\d+\.\d{2}$/),
      pending: expect.stringMatching(/^\d+\.\d{2}$/),
      availableForPayout: expect.stringMatching(/^\d+\.\d{2}$/),
    });
    await request(app.getHttpServer()).get('/overview').expect(200);
    expect(emulator.counters.affilync.logins).toBe(1);
    expect(emulator.counters.convertly.logins).toBe(1);
    // Three Affilync calls per overview (campaigns, links, earnings): two overviews.
    expect(emulator.counters.affilync.calls).toBe(6);
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
          affilync: emulator.clientOptions().affilync,
          incoming: incomingOptions({}),
        }),
      ],
    })
      .setLogger(new CapturingLogger())
      .compile();
    app = mod.createNestApplication({ rawBody: true });
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
    await http()
      .post('/api-keys')
      .set(bearer(member.access_token))
      .send({ label: 'x', scopes: ['campaigns:read'] })
      .expect(403);
    const refused = await http()
      .post('/api-keys')
      .set(bearer(admin.access_token))
      .send({ label: 'x', scopes: ['nope'] })
      .expect(422);
    expect(refused.body).toMatchObject({
      error_code: 'VALIDATION_ERROR',
      status: 422,
      fields: [{ field: 'scopes', message: expect.stringContaining('nope') }],
    });
    const created = (
      await http()
        .post('/api-keys')
        .set(bearer(admin.access_token))
        .send({ label: 'reporting', scopes: ['campaigns:read'] })
        .expect(201)
    ).body;
    secretAudit.registerSecret(created.key);
    expect(Object.keys(created).sort()).toEqual(['id', 'key']);

    const campaigns = (await http().get('/campaigns').set(bearer(created.key)).expect(200)).body;
    expect(campaigns.requestedBy).toBe(created.id);
    expect(campaigns.campaigns.length).toBe(3);
    await http().post('/campaigns/archive').set(bearer(created.key)).send({ id: 'camp_001' }).expect(403); // keys never satisfy @Roles
    await http().post('/campaigns/archive').set(bearer(member.access_token)).send({ id: 'camp_001' }).expect(403);
    await http().post('/campaigns/archive').set(bearer(admin.access_token)).send({ id: 'camp_001' }).expect(201);

    await http().delete(`/api-keys/${created.id}`).set(bearer(admin.access_token)).expect(200);
    await http().get('/campaigns').set(bearer(created.key)).expect(401);

    const event = '{"id":"evt_1","event":"click.created","created_at":"2026-03-21T15:00:00Z","data":{}}';
    await http().post('/webhooks/affilync').set('Content-Type', 'application/json').send(event).expect(401);
    const signed = () =>
      http()
        .post('/webhooks/affilync')
        .set('Content-Type', 'application/json')
        .set('X-Affilync-Signature', signAffilyncWebhook(event, SAMPLE_WEBHOOK_SECRET))
        .send(event);
    expect((await signed().expect(200)).body).toEqual({ received: true });
    // Affilync's retry of the same event: answered, not handled again.
    expect((await signed().expect(200)).body).toEqual({ received: true, duplicate: true });
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

async function waitFor(check: () => boolean, failure: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(failure);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('npm start (the built sample on the embedded emulator)', () => {
  const root = process.cwd();
  // Built like `npm run build:sample`, into a directory of its own so parallel runs do not collide.
  const outDir = join(root, '.build', `sample-start-${process.pid}`);
  let child: ChildProcessByStdio<null, Readable, Readable> | undefined;

  beforeAll(async () => {
    await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.sample.json', '--outDir', outDir], { cwd: root });
  }, 120_000);
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    rmSync(outDir, { recursive: true, force: true });
  });

  it('prints the Nest startup lines and where it listens, answers there, and stops on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
    delete env.SAMPLE_PROVIDERS;
    const started = spawn(process.execPath, [join(outDir, 'sample', 'main.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    // eslint-disable-next-line no-control-regex
    const plain = () => output.replace(/\x1b\[[0-9;]*m/g, '');
    for (const stream of [started.stdout, started.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

    const listening = await new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "Listening on" line within 30 s; printed:\n${plain()}`)), 30_000);
      const check = () => {
        const match = plain().match(/Listening on http:\/\/localhost:(\d+)/);
        if (match) {
          clearTimeout(timer);
          resolve(match);
        }
      };
      started.stdout.on('data', check);
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the sample exited (${code}) before listening; printed:\n${plain()}`));
      });
    });
    const port = Number(listening[1]);
    expect(port).toBeGreaterThan(0);

    const overview = await fetch(`http://localhost:${port}/overview`);
    expect(overview.status).toBe(200);
    expect(((await overview.json()) as { convertly: { total: number } }).convertly.total).toBe(57);

    // The sample registered its webhook with the emulator: a conversion comes back as a signed event.
    await waitFor(() => /Webhook wh_\w+ registered with the emulator/.test(plain()), `no webhook registration line; printed:\n${plain()}`);
    const conversion = await fetch(`http://localhost:${port}/demo/conversion`, { method: 'POST' });
    expect(conversion.status).toBe(201);
    const { id } = (await conversion.json()) as { id: string };
    await waitFor(
      () => new RegExp(`LOG \\[Conversions\\] Conversion ${id}: commission \\d+\\.\\d{2} on an order of 149\\.99`).test(plain()),
      `no conversion.created handled for ${id}; printed:\n${plain()}`,
    );
    expect(plain()).toMatch(/LOG \[Webhooks\] Affilync event conversion\.created \(evt_\w+\)/);

    const text = plain();
    expect(text).toMatch(/LOG \[Sample\] Using the embedded emulator: Affilync at http:\/\/127\.0\.0\.1:\d+\/api, Convertly at http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(text).toMatch(/LOG \[RouterExplorer\] Mapped \{\/overview, GET\} route/);
    expect(text).toMatch(/LOG \[NestApplication\] Nest application successfully started/);
    // The emulator's own Nest apps print nothing: no module, controller or route of theirs.
    expect(text).not.toMatch(/EmulatorModule|Affilync\w*Controller|Convertly\w*Controller|Mapped \{\/(api|v1)[/,]/);

    started.kill('SIGTERM');
    const [code, signal] = (await once(started, 'exit')) as [number | null, NodeJS.Signals | null];
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
  }, 60_000);

  it('with a bad configuration, exits 1 printing the ProviderAuthConfigError (the emulator already running)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', SAMPLE_JWT_SECRET: 'too-short' };
    delete env.SAMPLE_PROVIDERS;
    const failed = spawn(process.execPath, [join(outDir, 'sample', 'main.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = failed;
    let output = '';
    for (const stream of [failed.stdout, failed.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const [code] = (await once(failed, 'exit')) as [number | null];
    // eslint-disable-next-line no-control-regex
    const text = output.replace(/\x1b\[[0-9;]*m/g, '');
    expect(code).toBe(1);
    expect(text).toMatch(/LOG \[Sample\] Using the embedded emulator/);
    expect(text).toMatch(
      /ERROR \[ExceptionHandler\] ProviderAuthConfigError: Invalid ProviderAuthModule configuration:\n {2}- incoming\.jwtSecret: must be at least 32 bytes/,
    );
    expect(text).not.toContain('too-short');
  }, 60_000);
});
