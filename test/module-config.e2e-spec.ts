import { Inject, Injectable, Logger, Module, Optional } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AffilyncClient,
  ConvertlyClient,
  InMemoryTokenStore,
  InvalidRequestPathError,
  PROVIDER_AUTH_OPTIONS,
  ProviderAuthConfigError,
  ProviderAuthModule,
  TokenStore,
  type ProviderAuthModuleOptions,
  type ProviderAuthOptionsFactory,
  type ResolvedProviderAuthOptions,
} from '../lib/index.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { FakeAffilync } from './support/fake-providers.js';
import { secretAudit } from './support/secret-audit.js';

const SECRET_KEY = 'afk_live_THIS_IS_A_SECRET_KEY_123';
const SECRET_PASSWORD = 'hunter2-but-longer-and-secret';

/** Compiles and initialises a module; resolves to the error it failed with, if any. */
async function bootstrapError(imports: unknown[], providers: unknown[] = []): Promise<unknown> {
  try {
    const mod = await Test.createTestingModule({ imports: imports as never, providers: providers as never })
      .setLogger(new CapturingLogger())
      .compile();
    await mod.init();
    await mod.close();
    return undefined;
  } catch (e) {
    secretAudit.recordError('bootstrap error', e);
    return e;
  }
}

beforeAll(() => secretAudit.registerSecret(SECRET_KEY, SECRET_PASSWORD));

describe('ProviderAuthModule configuration', () => {
  const bad: [string, ProviderAuthModuleOptions | Record<string, unknown>, string][] = [
    // A block without credentials is valid (forAccount() only), but a plan belongs to an account.
    ['a plan in a block without credentials', { convertly: { plan: 'scale' } }, 'convertly.plan'],
    ['a password without an email', { affilync: { password: SECRET_PASSWORD } }, 'affilync.email'],
    ['both an API key and a password', { affilync: { apiKey: SECRET_KEY, email: 'a@b.c', password: SECRET_PASSWORD } }, 'affilync'],
    ['an email without a password', { convertly: { email: 'a@b.c' } }, 'convertly.password'],
    ['an API key for Convertly', { convertly: { apiKey: SECRET_KEY, email: 'a@b.c', password: SECRET_PASSWORD } }, 'convertly.apiKey'],
    ['a non-https base URL off loopback', { affilync: { baseUrl: 'http://api.affilync.com/api', apiKey: SECRET_KEY } }, 'affilync.baseUrl'],
    [
      'credentials inside the base URL',
      { convertly: { baseUrl: `https://u:${SECRET_PASSWORD}@x.test/v1`, email: 'a@b.c', password: SECRET_PASSWORD } },
      'convertly.baseUrl',
    ],
    ['an unknown option', { affilync: { apiKey: SECRET_KEY }, retries: 3 }, 'retries'],
    ['an unknown option in a block', { affilync: { apiKey: SECRET_KEY, apikey: SECRET_KEY } }, 'affilync.apikey'],
    ['a bad timeout', { affilync: { apiKey: SECRET_KEY }, http: { timeoutMs: -1 } }, 'http.timeoutMs'],
    ['an empty password', { convertly: { email: 'a@b.c', password: '' } }, 'convertly.password'],
    ['a token store that is not one', { affilync: { apiKey: SECRET_KEY }, tokenStore: {} }, 'tokenStore'],
  ];

  it.each(bad)('refuses %s with one ProviderAuthConfigError naming the option path, without the secret', async (_, options, path) => {
    const err = await bootstrapError([ProviderAuthModule.forRoot(options as ProviderAuthModuleOptions)]);
    expect(err).toBeInstanceOf(ProviderAuthConfigError);
    const e = err as ProviderAuthConfigError;
    expect(e.issues.map((i) => i.path)).toContain(path);
    expect(e.message).toContain(path);
    const everything = `${e.message} ${e.stack} ${JSON.stringify(e)}`;
    expect(everything).not.toContain(SECRET_KEY);
    expect(everything).not.toContain(SECRET_PASSWORD);
  });

  it('reports every problem at once', async () => {
    const err = (await bootstrapError([
      ProviderAuthModule.forRoot({ affilync: { apiKey: '' }, convertly: { email: 'x' }, http: { maxRetries: 99 } } as never),
    ])) as ProviderAuthConfigError;
    expect(err.issues.map((i) => i.path).sort()).toEqual(['affilync.apiKey', 'convertly.password', 'http.maxRetries']);
  });

  it('validates forRootAsync options too', async () => {
    const err = await bootstrapError([
      ProviderAuthModule.forRootAsync({ useFactory: () => ({ affilync: { apiKey: SECRET_KEY, password: SECRET_PASSWORD } }) as never }),
    ]);
    expect(err).toBeInstanceOf(ProviderAuthConfigError);
    expect(String(err)).not.toContain(SECRET_KEY);
  });

  it('warns (without printing it) about a key lacking the documented afk_live_ prefix, and still starts', async () => {
    const logger = new CapturingLogger();
    Logger.overrideLogger(logger);
    try {
      const mod = await Test.createTestingModule({ imports: [ProviderAuthModule.forRoot({ affilync: { apiKey: 'legacy-key-0123456789' } })] })
        .setLogger(logger)
        .compile();
      await mod.close();
    } finally {
      Logger.overrideLogger(new Logger());
    }
    expect(logger.text()).toMatch(/affilync\.apiKey does not start with the documented prefix 'afk_live_'/);
    expect(logger.text()).not.toContain('legacy-key-0123456789');
  });

  describe('injecting a client whose block is absent', () => {
    @Injectable()
    class UsesConvertly {
      constructor(readonly convertly: ConvertlyClient) {}
    }

    it('fails at bootstrap naming the block and the class', async () => {
      const err = await bootstrapError([ProviderAuthModule.forRoot({ affilync: { apiKey: SECRET_KEY } })], [UsesConvertly]);
      expect(err).toBeInstanceOf(ProviderAuthConfigError);
      expect((err as Error).message).toMatch(/convertly: is not configured, but UsesConvertly injects ConvertlyClient/);
    });

    it('fails the same way with forRootAsync', async () => {
      const err = await bootstrapError([ProviderAuthModule.forRootAsync({ useFactory: async () => ({ affilync: { apiKey: SECRET_KEY } }) })], [UsesConvertly]);
      expect((err as Error).message).toMatch(/convertly: is not configured/);
    });

    it('starts when the injection is @Optional(): the class checks `configured` itself', async () => {
      @Injectable()
      class MaybeConvertly {
        constructor(@Optional() readonly convertly: ConvertlyClient) {}
      }
      await expect(bootstrapError([ProviderAuthModule.forRoot({ affilync: { apiKey: SECRET_KEY } })], [MaybeConvertly])).resolves.toBeUndefined();
    });

    it('starts when nobody injects it', async () => {
      await expect(bootstrapError([ProviderAuthModule.forRoot({ affilync: { apiKey: SECRET_KEY } })])).resolves.toBeUndefined();
    });
  });
});

describe('ProviderAuthModule wiring', () => {
  let fake: FakeAffilync;
  beforeAll(async () => {
    fake = await FakeAffilync.start();
  });
  afterAll(() => fake.close());

  const options = () => ({ affilync: { baseUrl: fake.baseUrl, apiKey: fake.apiKey } });

  @Injectable()
  class CampaignService {
    constructor(readonly affilync: AffilyncClient) {}
    list() {
      return this.affilync.get<{ data: unknown[] }>('/campaigns');
    }
  }

  @Module({ providers: [CampaignService], exports: [CampaignService] })
  class FeatureModule {}

  class OptionsFactory implements ProviderAuthOptionsFactory {
    createProviderAuthOptions() {
      return options();
    }
  }

  @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
  class ConfigModule {}

  const variants: [string, () => unknown][] = [
    ['forRoot', () => ProviderAuthModule.forRoot({ ...options(), isGlobal: true })],
    ['forRootAsync useFactory', () => ProviderAuthModule.forRootAsync({ isGlobal: true, useFactory: async () => options() })],
    ['forRootAsync useClass', () => ProviderAuthModule.forRootAsync({ isGlobal: true, useClass: OptionsFactory })],
    ['forRootAsync useExisting', () => ProviderAuthModule.forRootAsync({ isGlobal: true, imports: [ConfigModule], useExisting: OptionsFactory })],
  ];

  it.each(variants)('%s with isGlobal makes the client injectable in another module', async (_, make) => {
    const mod = await Test.createTestingModule({ imports: [make() as never, FeatureModule] })
      .setLogger(new CapturingLogger())
      .compile();
    await mod.init();
    const body = await mod.get(CampaignService).list();
    expect(body.data).toHaveLength(2);
    await mod.close();
  });

  it('without isGlobal, a module that does not import it cannot inject the client', async () => {
    const err = await bootstrapError([ProviderAuthModule.forRoot(options()), FeatureModule]);
    expect(String(err)).toMatch(/CampaignService/);
  });

  it('exports the token store and the resolved options; uses a token store the user gives', async () => {
    const store = new InMemoryTokenStore();
    const mod = await Test.createTestingModule({ imports: [ProviderAuthModule.forRoot({ ...options(), tokenStore: store })] })
      .setLogger(new CapturingLogger())
      .compile();
    expect(mod.get(TokenStore)).toBe(store);
    const resolved = mod.get<ResolvedProviderAuthOptions>(PROVIDER_AUTH_OPTIONS);
    expect(resolved.http).toEqual({ timeoutMs: 10_000, maxRetries: 2, maxRetryAfterMs: 5_000, maxResponseBytes: 16_777_216 });
    expect(resolved.affilync?.basePathname).toBe('/api');
    await mod.close();
  });

  describe('call paths', () => {
    let affilync: AffilyncClient;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const mod = await Test.createTestingModule({ imports: [ProviderAuthModule.forRoot(options())] })
        .setLogger(new CapturingLogger())
        .compile();
      affilync = mod.get(AffilyncClient);
      close = () => mod.close();
    });
    afterAll(() => close());

    it.each([
      ['/api/campaigns', /repeats '\/api\/'.*call '\/campaigns'/],
      ['campaigns', /must start with a single '\/'/],
      ['//evil.test/x', /must start with a single '\/'/],
      ['/x/../auth/login', /plain relative path/],
      ['https://evil.test/api/campaigns', /must start with a single '\/'/],
    ])('refuses %s before sending anything', async (path, message) => {
      const before = fake.server.requests.length;
      await expect(affilync.get(path)).rejects.toThrow(InvalidRequestPathError);
      await expect(affilync.get(path)).rejects.toThrow(message);
      expect(fake.server.requests.length).toBe(before);
    });

    it('refuses a credential in the query string and the Authorization header per call', async () => {
      await expect(affilync.get('/campaigns', { query: { api_key: 'x' } })).rejects.toThrow(/never go in a URL/);
      await expect(affilync.get('/campaigns?access_token=x')).rejects.toThrow(/never go in a URL/);
      await expect(affilync.get('/campaigns', { headers: { Authorization: 'Bearer x' } })).rejects.toThrow(/set by the client/);
    });

    it('sends the query it is given', async () => {
      await affilync.get('/campaigns', { query: { page: 2, status: 'active', skip: undefined } });
      expect(fake.server.requests.at(-1)!.url).toBe('/api/campaigns?page=2&status=active');
    });
  });
});

describe('Module class hygiene', () => {
  it('injects the resolved options under PROVIDER_AUTH_OPTIONS', async () => {
    @Injectable()
    class Reader {
      constructor(@Inject(PROVIDER_AUTH_OPTIONS) readonly o: ResolvedProviderAuthOptions) {}
    }
    const mod = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ convertly: { email: 'a@b.c', password: SECRET_PASSWORD } })],
      providers: [Reader],
    })
      .setLogger(new CapturingLogger())
      .compile();
    expect(mod.get(Reader).o.convertly?.baseUrl).toBe('https://api.convertlyhq.com/v1');
    await mod.close();
  });
});
