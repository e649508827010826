import {
  AffilyncClient,
  ConvertlyClient,
  ProviderAuthConfigError,
  ProviderRateLimitError,
  type ProviderAuthModuleOptions,
  type TokenStore,
} from '../../lib/index.js';
import { InMemoryTokenStore } from '../../lib/client/in-memory-token-store.js';
import { ProviderEmulator, type EmulatorUser } from '../../lib/testing/index.js';
import { AccountsAffilync, AccountsConvertly, fakeAccounts, type FakeAccount } from '../support/account-providers.js';
import { startClients, type Clients } from '../support/nest-clients.js';
import { secretAudit } from '../support/secret-audit.js';

const USERS: EmulatorUser[] = [
  { email: 'brand-one@example.com', password: 'brand-one-password-0001', plan: 'growth' },
  { email: 'brand-two@example.com', password: 'brand-two-password-0002', plan: 'scale' },
];

/** A TokenStore that remembers the keys it was asked for. */
class KeyRecordingStore extends InMemoryTokenStore implements TokenStore {
  readonly keys = new Set<string>();
  override get(key: string) {
    this.keys.add(key);
    return super.get(key);
  }
}

describe('forAccount(): the same clients for other accounts', () => {
  let app: Clients | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe('against the emulator', () => {
    let emulator: ProviderEmulator;
    beforeAll(async () => {
      secretAudit.registerSecret(...USERS.map((u) => u.password));
      emulator = await ProviderEmulator.start({ users: USERS, rateLimits: { affilync: { limit: 3, windowMs: 60_000 } } });
    });
    afterAll(() => emulator.close());
    beforeEach(() => emulator.reset());

    const forAccountOnly = (extra: Partial<ProviderAuthModuleOptions> = {}) =>
      startClients({ affilync: { baseUrl: emulator.affilyncBaseUrl }, convertly: { baseUrl: emulator.convertlyBaseUrl }, ...extra });

    it('a block without credentials injects, refuses calls on the default account, and serves forAccount()', async () => {
      app = await forAccountOnly();
      expect(app.affilync.configured).toBe(true);
      expect(app.affilync.hasAccount).toBe(false);
      const refused = await app.affilync.get('/campaigns').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ProviderAuthConfigError);
      expect((refused as ProviderAuthConfigError).issues).toEqual([{ path: 'affilync', problem: expect.stringContaining('has no default account') }]);
      await expect(app.convertly.affiliates.list()).rejects.toBeInstanceOf(ProviderAuthConfigError);
      expect(emulator.counters.affilync.calls + emulator.counters.convertly.calls).toBe(0);

      // Typed resources and the generic methods, on an API key, a login and a Convertly login.
      const byKey = app.affilync.forAccount({ apiKey: emulator.apiKey });
      const byLogin = app.affilync.forAccount({ email: USERS[1].email, password: USERS[1].password });
      expect(byKey).toBeInstanceOf(AffilyncClient);
      expect(byKey.hasAccount).toBe(true);
      expect((await byKey.campaigns.list()).data.length).toBeGreaterThan(0);
      expect(await byLogin.get('/campaigns')).toMatchObject({ data: expect.any(Array) });
      const convertly = app.convertly.forAccount({ email: USERS[0].email, password: USERS[0].password });
      expect(convertly).toBeInstanceOf(ConvertlyClient);
      expect((await convertly.affiliates.list({ limit: 5 })).data.length).toBeGreaterThan(0);
      expect(emulator.counters.affilync.logins).toBe(1);
      expect(emulator.counters.convertly.logins).toBe(1);
    });

    it('keeps a default account beside forAccount() ones', async () => {
      app = await startClients(emulator.clientOptions());
      expect(app.affilync.hasAccount).toBe(true);
      await app.affilync.get('/campaigns');
      await app.affilync.forAccount({ email: USERS[0].email, password: USERS[0].password }).get('/campaigns');
      expect(emulator.counters.affilync).toMatchObject({ calls: 2, logins: 1 });
    });

    it('validates the credentials as forRoot does, naming `<provider>.forAccount()` and never a secret', async () => {
      app = await forAccountOnly();
      const secret = 'afk_live_never-print-me-0123456789';
      const pw = 'never-print-this-password';
      secretAudit.registerSecret(secret, pw);
      const cases: [() => unknown, string][] = [
        [() => app!.affilync.forAccount({} as never), 'affilync.forAccount()'],
        [() => app!.affilync.forAccount({ apiKey: secret, email: 'a@b.c', password: pw } as never), 'affilync.forAccount()'],
        [() => app!.affilync.forAccount({ email: 'a@b.c' } as never), 'affilync.forAccount().password'],
        [() => app!.affilync.forAccount({ apiKey: '' }), 'affilync.forAccount().apiKey'],
        [() => app!.affilync.forAccount({ apiKey: secret, plan: 'scale' } as never), 'affilync.forAccount().plan'],
        [() => app!.affilync.forAccount({ apiKey: secret, baseUrl: 'http://api.affilync.com/api' }), 'affilync.forAccount().baseUrl'],
        [() => app!.convertly.forAccount({ email: 'a@b.c', password: pw, plan: 'enterprise' } as never), 'convertly.forAccount().plan'],
        [() => app!.convertly.forAccount({ apiKey: secret } as never), 'convertly.forAccount().apiKey'],
        [() => app!.convertly.forAccount(null as never), 'convertly.forAccount()'],
      ];
      for (const [call, path] of cases) {
        let error: unknown;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ProviderAuthConfigError);
        expect((error as ProviderAuthConfigError).issues.map((i) => i.path)).toContain(path);
        const shown = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`;
        expect(shown).not.toContain(secret);
        expect(shown).not.toContain(pw);
      }
    });

    it('gives each account its own rate budget: one spent does not hold another back', async () => {
      app = await forAccountOnly({ http: { maxRetryAfterMs: 1_000 } });
      const one = app.affilync.forAccount({ email: USERS[0].email, password: USERS[0].password });
      const two = app.affilync.forAccount({ email: USERS[1].email, password: USERS[1].password });
      for (let i = 0; i < 3; i++) await one.get('/campaigns');
      expect(one.rateLimitStatus()).toMatchObject({ limit: 3, remaining: 0 });
      // The reset is a minute away: the spent account's next call is refused here, unsent.
      await expect(one.get('/campaigns')).rejects.toBeInstanceOf(ProviderRateLimitError);
      expect(emulator.counters.affilync.rateLimited).toBe(0);
      await two.get('/campaigns');
      expect(two.rateLimitStatus()).toMatchObject({ limit: 3, remaining: 2 });
    });

    it('paces a Convertly account to the plan given to forAccount()', async () => {
      app = await forAccountOnly();
      const paced = app.convertly.forAccount({ email: USERS[1].email, password: USERS[1].password, plan: 'scale' });
      const unpaced = app.convertly.forAccount({ email: USERS[0].email, password: USERS[0].password });
      await paced.get('/affiliates');
      await unpaced.get('/affiliates');
      expect(paced.rateLimitStatus()).toMatchObject({ limit: 500, remaining: 499 });
      expect(unpaced.rateLimitStatus()).toBeUndefined();
    });
  });

  describe('the cache of account clients', () => {
    let accounts: FakeAccount[];
    let affilync: AccountsAffilync;
    let convertly: AccountsConvertly;
    beforeAll(async () => {
      accounts = fakeAccounts(3, 'cache');
      affilync = await AccountsAffilync.start(accounts, 3600);
      convertly = await AccountsConvertly.start(accounts, 3600);
    });
    afterAll(async () => {
      await affilync.close();
      await convertly.close();
    });
    const login = (a: FakeAccount) => ({ email: a.email, password: a.password });

    it('hands back the same client for the same credentials, another for another account', async () => {
      app = await startClients({ affilync: { baseUrl: affilync.baseUrl }, convertly: { baseUrl: convertly.baseUrl } });
      const a = app.affilync.forAccount(login(accounts[0]));
      expect(app.affilync.forAccount({ ...login(accounts[0]) })).toBe(a);
      expect(app.affilync.forAccount({ email: accounts[0].email.toUpperCase(), password: accounts[0].password })).toBe(a);
      expect(app.affilync.forAccount(login(accounts[1]))).not.toBe(a);
      expect(app.affilync.forAccount({ apiKey: accounts[0].apiKey })).not.toBe(a);
      // forAccount() on an account's client gives the other account's client, from the same cache.
      expect(app.affilync.forAccount(login(accounts[1])).forAccount(login(accounts[0]))).toBe(a);
      expect(await a.get('/whoami')).toEqual({ account: accounts[0].id });
    });

    it('evicts the least recently used beyond accountsCacheSize, losing no token: the next client reuses the stored one', async () => {
      const store = new KeyRecordingStore();
      app = await startClients({ affilync: { baseUrl: affilync.baseUrl }, convertly: { baseUrl: convertly.baseUrl }, accountsCacheSize: 2, tokenStore: store });
      const before = accounts.map((acc) => convertly.counts.get(acc.id)!.logins);
      const first = app.convertly.forAccount(login(accounts[0]));
      await first.get('/whoami');
      await app.convertly.forAccount(login(accounts[1])).get('/whoami');
      await app.convertly.forAccount(login(accounts[2])).get('/whoami'); // evicts accounts[0]'s client
      const again = app.convertly.forAccount(login(accounts[0]));
      expect(again).not.toBe(first);
      expect(await again.get('/whoami')).toEqual({ account: accounts[0].id });
      expect(accounts.map((acc, i) => convertly.counts.get(acc.id)!.logins - before[i])).toEqual([1, 1, 1]);
      // One store key per account, none holding an email, a password or a key.
      expect(store.keys.size).toBe(3);
      for (const key of store.keys) {
        for (const acc of accounts) for (const secret of [acc.email, acc.password, acc.apiKey]) expect(key).not.toContain(secret);
      }
    });

    it('defaults an account’s baseUrl to the block’s, and takes its own', async () => {
      const other = await AccountsAffilync.start(accounts, 3600);
      try {
        app = await startClients({ affilync: { baseUrl: affilync.baseUrl } });
        const before = [affilync.total('calls'), other.total('calls')];
        await app.affilync.forAccount({ apiKey: accounts[2].apiKey }).get('/whoami');
        await app.affilync.forAccount({ apiKey: accounts[2].apiKey, baseUrl: other.baseUrl }).get('/whoami');
        expect([affilync.total('calls') - before[0], other.total('calls') - before[1]]).toEqual([1, 1]);
      } finally {
        await other.close();
      }
    });

    it('rejects accountsCacheSize out of range at bootstrap', async () => {
      for (const accountsCacheSize of [0, 1.5, -1, 2_000_000, '10']) {
        const error = await startClients({ affilync: { baseUrl: affilync.baseUrl }, accountsCacheSize } as never).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProviderAuthConfigError);
        expect((error as ProviderAuthConfigError).issues.map((i) => i.path)).toEqual(['accountsCacheSize']);
      }
    });
  });
});
