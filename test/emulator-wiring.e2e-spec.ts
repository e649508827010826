import { Controller, Get, Injectable, Module, type INestApplication, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AffilyncClient, ConvertlyClient, ProviderAuthModule } from '../lib/index.js';
import { EMULATOR_DEFAULT_USER, ProviderEmulator } from '../lib/testing/index.js';
import { CapturingLogger } from './support/capturing-logger.js';

interface Page {
  data: { id: string }[];
  meta: Record<string, unknown>;
}

/** A user's service on both clients: what their tests exercise against the emulator. */
@Injectable()
class PartnersService {
  constructor(
    private readonly affilync: AffilyncClient,
    private readonly convertly: ConvertlyClient,
  ) {}

  async summary() {
    const campaigns = await this.affilync.get<Page>('/campaigns');
    const links = await this.affilync.get<Page>('/links', { query: { per_page: 100 } });
    const created = await this.affilync.post<{ id: string }>('/links', { campaign_id: 'camp_001', landing_page_url: 'https://shop.example/spring' });
    const affiliates = await this.convertly.get<Page>('/affiliates', { query: { limit: 5 } });
    return { campaigns: campaigns.meta.total, links: links.data.length, created: created.id, affiliates: affiliates.data.map((a) => a.id) };
  }
}

const EXPECTED_SUMMARY = {
  campaigns: 3,
  links: 100,
  created: expect.stringMatching(/^lnk_\d+$/),
  affiliates: ['def001', 'def002', 'def003', 'def004', 'def005'],
};

describe('emulator.clientOptions()', () => {
  let emulator: ProviderEmulator;

  beforeAll(async () => {
    emulator = await ProviderEmulator.start();
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.resetCounters());

  it('gives the option blocks for this emulator: the full-scope API key by default, the default user’s login on request', () => {
    const user = EMULATOR_DEFAULT_USER;
    const convertly = { baseUrl: emulator.convertlyBaseUrl, email: user.email, password: user.password };
    expect(emulator.clientOptions()).toEqual({ affilync: { baseUrl: emulator.affilyncBaseUrl, apiKey: emulator.apiKey }, convertly });
    expect(emulator.clientOptions({ affilync: 'apiKey' })).toEqual(emulator.clientOptions());
    expect(emulator.clientOptions().affilync.apiKey).toMatch(/^afk_live_/);
    expect(emulator.clientOptions({ affilync: 'password' })).toEqual({
      affilync: { baseUrl: emulator.affilyncBaseUrl, email: user.email, password: user.password },
      convertly,
    });
    expect(emulator.clientOptions()).not.toBe(emulator.clientOptions()); // yours to change
  });

  it('refuses an unknown Affilync mode', () => {
    expect(() => emulator.clientOptions({ affilync: 'token' as 'apiKey' })).toThrow(
      new RangeError(`ProviderEmulator.clientOptions: affilync must be 'apiKey' or 'password', not "token"`),
    );
  });

  it('uses the first of custom users, and says so when there is none', async () => {
    const custom = await ProviderEmulator.start({
      users: [
        { email: 'ops@brand.example', password: 'ops-password' },
        { email: 'b@brand.example', password: 'b' },
      ],
    });
    const none = await ProviderEmulator.start({ users: [] });
    try {
      expect(custom.clientOptions({ affilync: 'password' })).toMatchObject({
        affilync: { email: 'ops@brand.example', password: 'ops-password' },
        convertly: { email: 'ops@brand.example', password: 'ops-password' },
      });
      expect(() => none.clientOptions()).toThrow('ProviderEmulator.clientOptions: the emulator has no user to log in with (options.users is empty)');
    } finally {
      await Promise.all([custom.close(), none.close()]);
    }
  });

  // The Test.createTestingModule recipe of docs/testing.md.
  it.each([
    ['apiKey', 0],
    ['password', 1],
  ] as const)('wires a testing module (affilync: %s): both clients work against the emulator', async (affilync, affilyncLogins) => {
    const moduleRef = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot(emulator.clientOptions({ affilync }))],
      providers: [PartnersService],
    })
      .setLogger(new CapturingLogger())
      .compile();
    await moduleRef.init();
    try {
      await expect(moduleRef.get(PartnersService).summary()).resolves.toEqual(EXPECTED_SUMMARY);
      expect(emulator.counters.affilync).toMatchObject({ logins: affilyncLogins, calls: 3, rejected: 0 });
      expect(emulator.counters.convertly).toMatchObject({ logins: 1, calls: 1, rejected: 0 });
    } finally {
      await moduleRef.close();
    }
  });
});

// The forRootAsync recipe of docs/testing.md: the app starts its own emulator and closes it.

/** Starts one ProviderEmulator for the app, and closes it with the app. */
@Module({
  providers: [{ provide: ProviderEmulator, useFactory: () => ProviderEmulator.start() }],
  exports: [ProviderEmulator],
})
class EmulatorModule implements OnApplicationShutdown {
  constructor(private readonly emulator: ProviderEmulator) {}

  onApplicationShutdown(): Promise<void> {
    return this.emulator.close();
  }
}

@Controller('partners')
class PartnersController {
  constructor(private readonly partners: PartnersService) {}

  @Get()
  summary() {
    return this.partners.summary();
  }
}

@Module({
  imports: [
    ProviderAuthModule.forRootAsync({
      imports: [EmulatorModule],
      inject: [ProviderEmulator],
      useFactory: (emulator: ProviderEmulator) => emulator.clientOptions({ affilync: 'password' }),
    }),
  ],
  controllers: [PartnersController],
  providers: [PartnersService],
})
class AppModule {}

describe('ProviderAuthModule.forRootAsync with an EmulatorModule', () => {
  let app: INestApplication;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { logger, abortOnError: false });
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app?.close());

  it('serves the app’s route from the emulator, logs the app’s own startup only, and closes the emulator with the app', async () => {
    const emulator = app.get(ProviderEmulator);
    const res = await fetch(`${await app.getUrl()}/partners`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(EXPECTED_SUMMARY);
    expect(emulator.counters.affilync).toMatchObject({ logins: 1, calls: 3 });
    expect(emulator.counters.convertly).toMatchObject({ logins: 1, calls: 1 });

    const text = logger.text();
    expect(text).toMatch(/AppModule dependencies initialized/);
    expect(text).toMatch(/Mapped \{\/partners, GET\} route/);
    expect(text).not.toMatch(/AffilyncEmulatorModule|ConvertlyEmulatorModule|Mapped \{\/(api|v1)[/,]/);

    await app.close();
    await expect(fetch(`${emulator.affilyncBaseUrl}/campaigns`)).rejects.toThrow('fetch failed');
    await expect(fetch(`${emulator.convertlyBaseUrl}/affiliates`)).rejects.toThrow('fetch failed');
  });
});
