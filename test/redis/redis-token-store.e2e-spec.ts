import { createClient } from 'redis';
import { TokenStoreUnavailableError, type StoredToken } from '../../lib/index.js';
import { RedisTokenStore, type AnyRedisClient } from '../../lib/redis/index.js';
import { EMULATOR_DEFAULT_USER, ProviderEmulator } from '../../lib/testing/index.js';
import { sleep, startClients, type Clients } from '../support/nest-clients.js';
import { RedisServer } from '../support/redis-server.js';

const token = (accessToken: string): StoredToken => ({
  accessToken,
  refreshToken: `r-${accessToken}`,
  expiresAt: Date.now() + 60_000,
  refreshAt: Date.now() + 50_000,
});

/** RedisTokenStore against a real redis-server: versions, the lock, and the clients of several apps on one store. */
describe('RedisTokenStore', () => {
  let redis: RedisServer;
  let raw: AnyRedisClient;
  const stores: RedisTokenStore[] = [];
  const store = (extra: Partial<ConstructorParameters<typeof RedisTokenStore>[0]> = {}) => {
    const s = new RedisTokenStore({ url: redis.url, ...extra });
    stores.push(s);
    return s;
  };
  /** The store connects in the background; wait until it answers. */
  const ready = async (s: RedisTokenStore) => {
    for (let i = 0; i < 200; i++) {
      try {
        await s.get('probe');
        return s;
      } catch {
        await sleep(25);
      }
    }
    throw new Error('RedisTokenStore never connected');
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    raw = createClient({ url: redis.url }) as AnyRedisClient;
    raw.on('error', () => undefined);
    await raw.connect();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await raw.close().catch(() => undefined);
    await redis.stop();
  });

  it('compare-and-set: one writer per version, and versions keep growing after Redis lost its data', async () => {
    const a = await ready(store());
    const b = await ready(store());
    expect(await a.get('k1')).toBeUndefined();
    const v1 = await a.compareAndSet('k1', token('one'), 0);
    expect(v1).toBeGreaterThan(0);
    expect(await b.compareAndSet('k1', token('two'), 0)).toBeUndefined();
    expect(await b.get('k1')).toMatchObject({ version: v1, token: { accessToken: 'one' } });
    const v2 = await b.compareAndSet('k1', token('two'), v1!);
    expect(v2).toBeGreaterThan(v1!);
    expect(await a.get('k1')).toMatchObject({ version: v2, token: { accessToken: 'two', refreshToken: 'r-two' } });

    await raw.flushAll();
    const v3 = await a.compareAndSet('k1', token('three'), 0);
    expect(v3).toBeGreaterThan(v2!);
  });

  it('the lock: one holder at a time across connections, owner value starts with the pid, released only by its owner', async () => {
    const a = await ready(store());
    const b = await ready(store());
    const order: string[] = [];
    let letAGo!: () => void;
    const aMayFinish = new Promise<void>((r) => (letAGo = r));
    const first = a.withLock('k2', 10_000, async () => {
      order.push('a in');
      await aMayFinish;
      order.push('a out');
    });
    await sleep(50);
    const holder = await raw.get('k2:lock');
    expect(holder).toMatch(new RegExp(`^${process.pid}:[0-9a-f]{24}$`));
    const second = b.withLock('k2', 10_000, async () => {
      order.push('b in');
    });
    await sleep(150);
    expect(order).toEqual(['a in']);
    letAGo();
    await Promise.all([first, second]);
    expect(order).toEqual(['a in', 'a out', 'b in']);
    expect(await raw.get('k2:lock')).toBeNull();
  });

  it('a holder that never finishes loses the lock when its lease runs out, and its late release leaves the new holder alone', async () => {
    const a = await ready(store());
    const b = await ready(store());
    let letAGo!: () => void;
    const stuck = a.withLock('k3', 300, () => new Promise<void>((r) => (letAGo = r)));
    await sleep(30);
    let bHolds!: () => void;
    const bInside = new Promise<void>((r) => (bHolds = r));
    let letBGo!: () => void;
    const second = b.withLock('k3', 10_000, async () => {
      bHolds();
      await new Promise<void>((r) => (letBGo = r));
    });
    await bInside; // only possible once a's 300 ms lease expired
    const bOwner = await raw.get('k3:lock');
    letAGo();
    await stuck;
    expect(await raw.get('k3:lock')).toBe(bOwner);
    letBGo();
    await second;
    expect(await raw.get('k3:lock')).toBeNull();
  });

  describe('the clients of several apps sharing one Redis', () => {
    let emulator: ProviderEmulator;
    const apps: Clients[] = [];
    const user = EMULATOR_DEFAULT_USER;

    beforeAll(async () => {
      emulator = await ProviderEmulator.start({ accessTokenTtlSec: 3 });
    });
    afterAll(() => emulator.close());
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((a) => a.close()));
      emulator.resetCounters();
      emulator.clearFaults();
      await raw.flushAll();
    });

    const start = async (extra: Partial<ConstructorParameters<typeof RedisTokenStore>[0]> = {}) => {
      const app = await startClients({
        affilync: { baseUrl: emulator.affilyncBaseUrl, email: user.email, password: user.password },
        convertly: { baseUrl: emulator.convertlyBaseUrl, email: user.email, password: user.password },
        tokenStore: await ready(new RedisTokenStore({ url: redis.url, ...extra })),
        http: { timeoutMs: 2_000 },
      });
      apps.push(app);
      return app;
    };

    it('three apps: one login per provider, then one renewal per lifetime, never more', async () => {
      const [a, b, c] = [await start(), await start(), await start()];
      const burst = () =>
        Promise.all(
          [a, b, c].flatMap((app) => Array.from({ length: 30 }, (_, i) => (i % 2 ? app.affilync.get('/campaigns') : app.convertly.get('/affiliates')))),
        );
      await burst();
      expect(emulator.counters.affilync).toMatchObject({ logins: 1, refreshes: 0, rejected: 0 });
      expect(emulator.counters.convertly).toMatchObject({ logins: 1, refreshes: 0, rejected: 0 });
      // Just past both tokens' renewal points as the replicas stored them (at most 80% of a 3 s life,
      // timed from when each login was sent), well before their end. Reading them, rather than timing
      // from the test's own clock, keeps a slow login on a busy machine from moving the goalposts.
      const stored = (await raw.keys('nest-provider-auth:token:*')).filter((k) => !String(k).endsWith(':lock'));
      expect(stored).toHaveLength(2);
      const tokens = await Promise.all(stored.map(async (k) => JSON.parse(String(await raw.hGet(k, 't'))) as { refreshAt: number; expiresAt: number }));
      const renewAt = Math.max(...tokens.map((t) => t.refreshAt)) + 50;
      expect(renewAt).toBeLessThan(Math.min(...tokens.map((t) => t.expiresAt)));
      await sleep(renewAt - Date.now());
      await burst();
      expect(emulator.counters.affilync).toMatchObject({ logins: 1, refreshes: 1, failedRefreshes: 0, rejected: 0 });
      expect(emulator.counters.convertly).toMatchObject({ logins: 1, refreshes: 1, failedRefreshes: 0, rejected: 0 });
    });

    it('Redis down: calls fail fast with TokenStoreUnavailableError; Redis back (empty): calls work again without a restart', async () => {
      const a = await start({ commandTimeoutMs: 300 });
      await a.affilync.get('/campaigns');
      await redis.stop();
      try {
        // Once the process has seen the connection drop (a call in the same instant may still
        // go out with the token it holds):
        for (let i = 0; i < 100 && !/Redis connection lost/.test(a.logger.text()); i++) await sleep(10);
        const failure = await a.affilync.get('/campaigns').catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(TokenStoreUnavailableError);
        await expect(a.convertly.get('/affiliates')).rejects.toBeInstanceOf(TokenStoreUnavailableError);
        expect(a.logger.text()).toMatch(/Redis connection lost/);
      } finally {
        await redis.restart();
      }
      let ok = false;
      for (let i = 0; i < 100 && !ok; i++) {
        ok = await a.affilync.get('/campaigns').then(
          () => true,
          () => false,
        );
        if (!ok) await sleep(50);
      }
      expect(ok).toBe(true);
      // The refilled store is empty, but this process still holds a good token: no login at all
      // until its renewal point (then one, through the store).
      expect(emulator.counters.affilync.logins).toBe(1);
      expect(a.logger.text()).toMatch(/Redis connection restored/);
    }, 20_000);

    it("whenUnavailable: 'per-process' keeps calls going on this process's own tokens, and says so once", async () => {
      const a = await start({ commandTimeoutMs: 300, whenUnavailable: 'per-process' });
      await a.affilync.get('/campaigns');
      await redis.stop();
      try {
        await a.affilync.get('/campaigns');
        await a.affilync.get('/campaigns');
        const warnings = a.logger.lines.filter((l) => l.text.includes('keeping tokens in this process'));
        expect(warnings).toHaveLength(1);
      } finally {
        await redis.restart();
      }
    }, 20_000);
  });

  it('refuses bad options without echoing the url', () => {
    expect(() => new RedisTokenStore({} as never)).toThrow('give exactly one of url or client');
    expect(() => new RedisTokenStore({ url: 'http://user:hunter2@x' })).toThrow(/^(?!.*hunter2).*redis:\/\//);
    expect(() => new RedisTokenStore({ url: 'redis://x', commandTimeoutMs: 0 })).toThrow('commandTimeoutMs');
    expect(() => new RedisTokenStore({ url: 'redis://x', whenUnavailable: 'maybe' as never })).toThrow('whenUnavailable');
  });
});
