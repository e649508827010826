import { InMemoryTokenStore, type AffilyncClient, type ConvertlyClient } from '../../lib/index.js';
import { AccountsAffilync, AccountsConvertly, fakeAccounts, type FakeAccount } from '../support/account-providers.js';
import { accountRenewalTimes } from '../support/account-renewals.js';
import { sleep, startClients, type Clients } from '../support/nest-clients.js';

const N = 1_000;
/**
 * Token lifetime. Tokens are renewed between 70% and 80% of it, and Convertly's cannot be
 * refreshed once expired (nor sent to a refresh with less than a quarter of its renewal window
 * left): the second round calls each account on each provider just after its stored renewal point,
 * which leaves over 4 s of a 30 s lifetime for a busy machine to make the call.
 */
const TTL_SEC = 30;
/** Accounts whose first calls go out at once: traffic arrives over time, not all in one tick. */
const BATCH = 100;

interface Seen {
  affilync: string[];
  convertly: string[];
}

/**
 * One process, one module, 1,000 accounts on each provider through forAccount(): Affilync half by
 * API key and half by login, Convertly by login. Independent fakes answer `GET /whoami` with the
 * account a credential belongs to.
 */
describe('1,000 accounts in one process', () => {
  let accounts: FakeAccount[];
  let affilyncFake: AccountsAffilync;
  let convertlyFake: AccountsConvertly;
  let app: Clients;
  const tokenStore = new InMemoryTokenStore();

  const affilyncFor = (i: number): AffilyncClient => {
    const a = accounts[i];
    return app.affilync.forAccount(i % 2 === 0 ? { apiKey: a.apiKey } : { email: a.email, password: a.password });
  };
  const convertlyFor = (i: number): ConvertlyClient => app.convertly.forAccount({ email: accounts[i].email, password: accounts[i].password });

  /** Two calls at once for account i on one provider, at `at` (epoch ms) if given: who the provider says each came from. */
  const twice = async (client: () => AffilyncClient | ConvertlyClient, at?: number): Promise<string[]> => {
    if (at !== undefined) await sleep(at - Date.now());
    const answers = await Promise.all([client().get<{ account: string }>('/whoami'), client().get<{ account: string }>('/whoami')]);
    return answers.map((a) => a.account);
  };
  /** Two calls at once on each provider for account i (at `at[i]` on Affilync and Convertly if given). */
  const callAs = async (i: number, at?: [number | undefined, number | undefined]): Promise<Seen> => {
    const [affilync, convertly] = await Promise.all([twice(() => affilyncFor(i), at?.[0]), twice(() => convertlyFor(i), at?.[1])]);
    return { affilync, convertly };
  };
  const expectOwnCredentials = (seen: Seen[]) => {
    const wrong = seen.flatMap((s, i) => [...s.affilync, ...s.convertly].filter((who) => who !== accounts[i].id).map((who) => `${i}→${who}`));
    expect(wrong).toEqual([]);
  };
  const perAccount = (fake: AccountsAffilync | AccountsConvertly, what: 'logins' | 'refreshes', only: (i: number) => boolean = () => true) =>
    new Set(accounts.filter((_, i) => only(i)).map((a) => fake.counts.get(a.id)![what]));
  const loginAccount = (i: number) => i % 2 === 1;

  beforeAll(async () => {
    accounts = fakeAccounts(N, 'many');
    affilyncFake = await AccountsAffilync.start(accounts, TTL_SEC);
    convertlyFake = await AccountsConvertly.start(accounts, TTL_SEC);
    // Blocks without default credentials: the injected clients serve forAccount() only.
    app = await startClients({ affilync: { baseUrl: affilyncFake.baseUrl }, convertly: { baseUrl: convertlyFake.baseUrl }, tokenStore } as never);
  });
  afterAll(async () => {
    await app?.close();
    await affilyncFake?.close();
    await convertlyFake?.close();
  });

  it('logs each account in once, renews it once per lifetime, and never calls with another account’s credential', async () => {
    // Round 1: every account's first calls.
    const first: Seen[] = [];
    for (let from = 0; from < N; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, N - from) }, (_, k) => from + k);
      await Promise.all(
        batch.map(async (i) => {
          first[i] = await callAs(i);
        }),
      );
    }
    expectOwnCredentials(first);
    expect(perAccount(affilyncFake, 'logins', loginAccount)).toEqual(new Set([1]));
    expect(perAccount(affilyncFake, 'logins', (i) => !loginAccount(i))).toEqual(new Set([0])); // API keys never log in
    expect(perAccount(convertlyFake, 'logins')).toEqual(new Set([1]));
    expect(affilyncFake.total('refreshes') + convertlyFake.total('refreshes')).toBe(0);

    // Round 2: each account again once its token is due for renewal and still alive: just after
    // the renewal point in the store, not a guess from when the first round ended.
    const read = async (key: string) => (await tokenStore.get(key))?.token;
    const renewals = await accountRenewalTimes(read, accounts, { affilync: affilyncFake.baseUrl, convertly: convertlyFake.baseUrl }, loginAccount);
    // Round 3: each account again as soon as its round 2 returns (not once every account's has:
    // on a slow machine the first renewed tokens may be due again by then). The renewed tokens
    // serve, and nothing is renewed twice.
    const rounds = await Promise.all(
      accounts.map(async (_, i) => {
        const second = await callAs(i, renewals[i]);
        return { second, third: await callAs(i) };
      }),
    );
    expectOwnCredentials(rounds.map((r) => r.second));
    expectOwnCredentials(rounds.map((r) => r.third));
    expect(perAccount(affilyncFake, 'refreshes', loginAccount)).toEqual(new Set([1]));
    expect(perAccount(convertlyFake, 'refreshes')).toEqual(new Set([1]));
    expect(perAccount(affilyncFake, 'logins', loginAccount)).toEqual(new Set([1]));
    expect(perAccount(convertlyFake, 'logins')).toEqual(new Set([1]));
    expect(affilyncFake.total('refreshes')).toBe(N / 2);
    expect(convertlyFake.total('refreshes')).toBe(N);
    expect(affilyncFake.total('calls')).toBe(6 * N);
    expect(convertlyFake.total('calls')).toBe(6 * N);

    // 2,000 accounts' calls went through one pool per provider origin (64 sockets), not a pool each.
    expect(affilyncFake.server.peakConnections).toBeLessThanOrEqual(64);
    expect(convertlyFake.server.peakConnections).toBeLessThanOrEqual(64);
  }, 150_000);
});
