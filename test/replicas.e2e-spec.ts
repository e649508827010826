import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import type { AnyRedisClient } from '../lib/redis/index.js';
import { EMULATOR_DEFAULT_USER, ProviderEmulator, type EmulatedProvider } from '../lib/testing/index.js';
import { RedisServer } from './support/redis-server.js';
import { ReplicaProcess } from './support/replica-process.js';

const run = promisify(execFile);
const root = process.cwd();
const DIST = join(root, '.build', 'replica-dist');
const WORKER = join(root, 'test', 'support', 'replica-worker.mjs');
const TTL_SEC = 4;
/** Per-attempt timeout of the replicas' clients (800 calls at once reach one emulator). */
const TIMEOUT_MS = 5_000;
/** Renewal lock lease, shortened (default 4 × timeout + 5 s) so the takeover test runs in seconds. */
const LEASE_MS = 3_000;
const REPLICAS = 4;
const CALLS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface BurstResult {
  ok: number;
  errorCount: number;
  errors: string[];
  ms: number;
}

/** A replica of the app (test/support/replica-worker.mjs): `burst` fires n concurrent calls. */
class Replica {
  private constructor(private readonly worker: ReplicaProcess) {}

  static async start(env: Record<string, string>): Promise<Replica> {
    return new Replica(await ReplicaProcess.start(WORKER, env));
  }

  get pid(): number {
    return this.worker.pid;
  }

  get output(): string {
    return this.worker.output;
  }

  burst(provider: EmulatedProvider, n: number): Promise<BurstResult> {
    return this.worker.ask({ cmd: 'burst', provider, n });
  }

  kill(): void {
    this.worker.kill();
  }
}

/**
 * Real separate Node processes (the built package) sharing one Redis and one emulator whose
 * providers kill the old credential on every renewal: each renewal must reach the emulator once.
 */
describe('replicas in separate processes share one renewal', () => {
  let redis: RedisServer;
  let raw: AnyRedisClient;
  let emulator: ProviderEmulator;
  let replicas: Replica[] = [];
  const user = EMULATOR_DEFAULT_USER;

  const startReplicas = async (n: number) =>
    Promise.all(
      Array.from({ length: n }, () =>
        Replica.start({
          DIST,
          REDIS_URL: redis.url,
          AFFILYNC_URL: emulator.affilyncBaseUrl,
          CONVERTLY_URL: emulator.convertlyBaseUrl,
          EMAIL: user.email,
          PASSWORD: user.password!,
          TIMEOUT_MS: String(TIMEOUT_MS),
          LEASE_MS: String(LEASE_MS),
        }),
      ),
    );
  const renewals = (p: EmulatedProvider) => emulator.counters[p].logins + emulator.counters[p].refreshes;
  /** When the token the replicas share in Redis is due for renewal (epoch ms). */
  const renewalPoint = async (p: EmulatedProvider): Promise<number> => {
    const [key] = (await raw.keys(`nest-provider-auth:token:${p}:*`)).filter((k) => !String(k).endsWith(':lock'));
    return (JSON.parse(String(await raw.hGet(key, 't'))) as { refreshAt: number }).refreshAt;
  };

  beforeAll(async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', DIST], { cwd: root });
    redis = await RedisServer.start();
    raw = createClient({ url: redis.url }) as AnyRedisClient;
    raw.on('error', () => undefined);
    await raw.connect();
    emulator = await ProviderEmulator.start({ accessTokenTtlSec: TTL_SEC });
  }, 120_000);

  afterEach(async () => {
    for (const r of replicas) r.kill();
    const out = replicas.map((r) => r.output).join('\n');
    replicas = [];
    // Nothing the replicas printed may hold a secret.
    expect(out).not.toContain(user.password);
    expect(out).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    emulator.clearFaults();
    emulator.resetCounters();
    await raw.flushAll();
  });

  afterAll(async () => {
    for (const r of replicas) r.kill();
    await raw?.close().catch(() => undefined);
    await emulator?.close();
    await redis?.stop();
  });

  it.each(['affilync', 'convertly'] as const)(
    '%s: 4 replicas × 200 concurrent calls at each renewal point: exactly one login, then one renewal per rotation, no caller error',
    async (provider) => {
      replicas = await startReplicas(REPLICAS);
      const first = await Promise.all(replicas.map((r) => r.burst(provider, CALLS)));
      expect(first.map((b) => b.errors)).toEqual(replicas.map(() => []));
      expect(emulator.counters[provider]).toMatchObject({ logins: 1, refreshes: 0, rejected: 0 });

      for (let rotation = 1; rotation <= 3; rotation++) {
        // Just past the shared token's renewal point (70–80% of its life), before its end.
        await sleep((await renewalPoint(provider)) + 50 - Date.now());
        const bursts = await Promise.all(replicas.map((r) => r.burst(provider, CALLS)));
        expect(bursts.reduce((n, b) => n + b.ok, 0)).toBe(REPLICAS * CALLS);
        expect(bursts.flatMap((b) => b.errors)).toEqual([]);
        expect(renewals(provider)).toBe(1 + rotation);
        expect(emulator.counters[provider].failedRefreshes).toBe(0);
      }
      // Every call reached the provider once, plus one replay for each 401 (a call still in
      // flight when its token expired at the provider, if a burst straddled the expiry).
      const { calls, rejected } = emulator.counters[provider];
      expect(calls - rejected).toBe(4 * REPLICAS * CALLS);
    },
    60_000,
  );

  it.each(['affilync', 'convertly'] as const)(
    '%s: the lock holder is killed mid-refresh; another replica takes over when its lease runs out, and every surviving caller succeeds',
    async (provider) => {
      replicas = await startReplicas(REPLICAS);
      await Promise.all(replicas.map((r) => r.burst(provider, 10)));
      expect(renewals(provider)).toBe(1);

      await sleep((await renewalPoint(provider)) + 50 - Date.now());
      // The refresh takes long enough at the provider to kill its sender while it is in flight.
      emulator.fault({ provider, path: '/auth/refresh', delayMs: 1_000 });
      const bursts = replicas.map((r) => r.burst(provider, CALLS).catch(() => undefined));

      let holder: Replica | undefined;
      for (let i = 0; i < 200 && !holder; i++) {
        const [lockKey] = await raw.keys(`nest-provider-auth:token:${provider}:*:lock`);
        const owner = lockKey ? await raw.get(lockKey) : null;
        const pid = owner ? Number(String(owner).split(':')[0]) : undefined;
        holder = replicas.find((r) => r.pid === pid);
        if (!holder) await sleep(5);
      }
      expect(holder).toBeDefined();
      await sleep(100); // its refresh request is now at the provider
      const killedAt = Date.now();
      holder!.kill();

      const survivors = replicas.filter((r) => r !== holder);
      const results = (await Promise.all(bursts)).filter((_, i) => replicas[i] !== holder) as BurstResult[];
      const tookOverAfterMs = Date.now() - killedAt;
      expect(results).toHaveLength(REPLICAS - 1);
      expect(results.reduce((n, b) => n + b.ok, 0)).toBe(survivors.length * CALLS);
      expect(results.flatMap((b) => b.errors)).toEqual([]);
      // The killed holder's refresh may have rotated the credential at the provider without anyone
      // storing the result. The replica that takes over re-reads the store and renews once: its
      // refresh succeeds if the provider never finished the holder's, else it is refused
      // (Affilync: a replayed refresh token; Convertly: a dead or by now expired token) and it
      // logs in. So at most one more login, at most one successful refresh in all, at least one
      // renewal, and no more.
      const { logins, refreshes } = emulator.counters[provider];
      expect(logins).toBeLessThanOrEqual(2);
      expect(refreshes).toBeLessThanOrEqual(1);
      expect(logins - 1 + refreshes).toBeGreaterThanOrEqual(1);
      // Not before the dead holder's lease ran out (3 s from when it locked; it was killed within
      // a fraction of a second of that).
      expect(tookOverAfterMs).toBeGreaterThan(LEASE_MS - 1_000);
      expect(await raw.keys(`nest-provider-auth:token:${provider}:*:lock`)).toEqual([]);
    },
    60_000,
  );
});
