import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import type { AnyRedisClient } from '../../lib/redis/index.js';
import type { StoredToken } from '../../lib/client/token-store.interface.js';
import { AccountsAffilync, AccountsConvertly, fakeAccounts, type FakeAccount } from '../support/account-providers.js';
import { accountRenewalTimes } from '../support/account-renewals.js';
import { RedisServer } from '../support/redis-server.js';
import { ReplicaProcess } from '../support/replica-process.js';

const run = promisify(execFile);
const root = process.cwd();
const DIST = join(root, '.build', 'accounts-dist');
const WORKER = join(root, 'test', 'support', 'accounts-worker.mjs');
const N = 1_000;
/** Token lifetime: the second round calls each account just after its shared token's renewal point. */
const TTL_SEC = 30;

interface Round {
  /** Per account: [who Affilync said called, who Convertly said called]. */
  seen: [string, string][];
}

/** A replica serving every account (test/support/accounts-worker.mjs): `round` calls as each, once. */
class Replica {
  private constructor(private readonly worker: ReplicaProcess) {}

  static async start(env: Record<string, string>): Promise<Replica> {
    return new Replica(await ReplicaProcess.start(WORKER, env));
  }

  get output(): string {
    return this.worker.output;
  }

  /** `at[i]`: when to call account i on Affilync and on Convertly (null: at once). */
  round(accounts: FakeAccount[], at?: [number | null, number | null][]): Promise<Round> {
    return this.worker.ask({ cmd: 'round', accounts, at });
  }

  kill(): void {
    this.worker.kill();
  }
}

/**
 * Two replicas (separate processes, the built package) serve the same 1,000 accounts per provider
 * through forAccount(), sharing tokens and budgets in one Redis: each account logs in once and
 * renews once per lifetime across both, and every call carries its own account's credential.
 */
describe('two replicas sharing Redis serve 1,000 accounts', () => {
  let redis: RedisServer;
  let raw: AnyRedisClient;
  let accounts: FakeAccount[];
  let affilyncFake: AccountsAffilync;
  let convertlyFake: AccountsConvertly;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', DIST], { cwd: root });
    redis = await RedisServer.start();
    raw = createClient({ url: redis.url }) as AnyRedisClient;
    raw.on('error', () => undefined);
    await raw.connect();
    accounts = fakeAccounts(N, 'rep');
    affilyncFake = await AccountsAffilync.start(accounts, TTL_SEC);
    convertlyFake = await AccountsConvertly.start(accounts, TTL_SEC);
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) r.kill();
    await raw?.close().catch(() => undefined);
    await affilyncFake?.close();
    await convertlyFake?.close();
    await redis?.stop();
  });

  const wrongCallers = (rounds: Round[]) => rounds.flatMap((r) => r.seen.flatMap((who, i) => who.filter((w) => w !== accounts[i].id).map((w) => `${i}: ${w}`)));
  const perAccount = (fake: AccountsAffilync | AccountsConvertly, what: 'logins' | 'refreshes', only: (i: number) => boolean) =>
    new Set(accounts.filter((_, i) => only(i)).map((a) => fake.counts.get(a.id)![what]));
  const everyone = () => true;
  const byLogin = (i: number) => i % 2 === 1;
  const stored = async (key: string) => {
    const t = await raw.hGet(key, 't');
    return t == null ? undefined : (JSON.parse(String(t)) as StoredToken);
  };

  it('logs each account in once and renews it once per lifetime across both replicas, each call with its own credential', async () => {
    const env = { DIST, REDIS_URL: redis.url, AFFILYNC_URL: affilyncFake.baseUrl, CONVERTLY_URL: convertlyFake.baseUrl };
    replicas = await Promise.all([Replica.start(env), Replica.start(env)]);

    const first = await Promise.all(replicas.map((r) => r.round(accounts)));
    expect(wrongCallers(first)).toEqual([]);
    expect(perAccount(affilyncFake, 'logins', byLogin)).toEqual(new Set([1]));
    expect(perAccount(affilyncFake, 'logins', (i) => !byLogin(i))).toEqual(new Set([0]));
    expect(perAccount(convertlyFake, 'logins', everyone)).toEqual(new Set([1]));

    // Each account again on both replicas once its shared token is due for renewal, still alive:
    // just after the renewal point the replicas stored, not a guess from when the first round ended.
    const renewals = await accountRenewalTimes(stored, accounts, { affilync: affilyncFake.baseUrl, convertly: convertlyFake.baseUrl }, byLogin);
    const at = renewals.map(([affilync, convertly]): [number | null, number | null] => [affilync ?? null, convertly]);
    const second = await Promise.all(replicas.map((r) => r.round(accounts, at)));
    expect(wrongCallers(second)).toEqual([]);
    expect(perAccount(affilyncFake, 'refreshes', byLogin)).toEqual(new Set([1]));
    expect(perAccount(convertlyFake, 'refreshes', everyone)).toEqual(new Set([1]));
    expect(perAccount(affilyncFake, 'logins', byLogin)).toEqual(new Set([1]));
    expect(perAccount(convertlyFake, 'logins', everyone)).toEqual(new Set([1]));

    // Redis keys name accounts by hashes only: no email, password or key in any of them.
    const keys = (await raw.keys('*')).map(String);
    expect(keys.filter((k) => k.startsWith('nest-provider-auth:token:') && !k.endsWith(':lock'))).toHaveLength(N / 2 + N);
    const secrets = accounts.flatMap((a) => [a.email, a.password, a.apiKey]);
    expect(keys.filter((k) => secrets.some((s) => k.includes(s)))).toEqual([]);
    for (const r of replicas) expect(r.output).toBe('');
  }, 180_000);
});
