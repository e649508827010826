/**
 * Replicas that share a credential share its budget through RedisRateLimitStore: together they
 * stay within the provider's limit. Three apps (three Redis connections, three in-memory views)
 * against one provider that enforces a small window; then the same with the in-memory default, which
 * cannot know what the others spent; then Redis going away and coming back.
 */
import { RedisRateLimitStore } from '../../lib/redis/index.js';
import { RateLimitedProvider } from '../support/rate-limited-provider.js';
import { RedisServer } from '../support/redis-server.js';
import { secretAudit } from '../support/secret-audit.js';
import { startClients, type Clients } from '../support/nest-clients.js';

const KEY = 'afk_live_sharedbudget0123456789';
secretAudit.registerSecret(KEY);

describe('pacing shared between replicas', () => {
  let redis: RedisServer;
  let provider: RateLimitedProvider;
  let apps: Clients[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.all(apps.map((a) => a.close()));
    apps = [];
    await provider.close();
  });

  const replicas = async (count: number, shared: boolean) => {
    for (let i = 0; i < count; i++) {
      apps.push(
        await startClients({
          affilync: { baseUrl: provider.baseUrl, apiKey: KEY },
          http: { maxRetries: 0 },
          ...(shared && { rateLimitStore: new RedisRateLimitStore({ url: redis.url }) }),
        }),
      );
    }
  };
  const callsFromEach = (perReplica: number) => Promise.allSettled(apps.flatMap((a) => Array.from({ length: perReplica }, () => a.affilync.get('/campaigns'))));

  it('three replicas, 30 calls at once on 10 per 2 s: no 429, every call succeeds', async () => {
    provider = await RateLimitedProvider.start({ style: 'affilync', limit: 10, windowMs: 2_000, resetUnit: 'epoch-ms', latencyMs: 5 });
    await replicas(3, true);
    const started = Date.now();
    const results = await callsFromEach(10);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(provider.refused).toEqual([]);
    expect(provider.accepted).toHaveLength(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    // Every replica sees the shared budget, not only its own calls.
    for (const app of apps) expect(app.affilync.rateLimitStatus()).toMatchObject({ limit: 10 });
  }, 20_000);

  it('the in-memory default cannot share: the same replicas alone send calls into 429s', async () => {
    provider = await RateLimitedProvider.start({ style: 'affilync', limit: 10, windowMs: 2_000, resetUnit: 'epoch-ms', latencyMs: 5 });
    await replicas(3, false);
    await callsFromEach(10);
    expect(provider.refused.length).toBeGreaterThan(0);
  }, 20_000);

  it('Redis down: each process paces on its own and calls go on, said once; said once again when Redis is back', async () => {
    provider = await RateLimitedProvider.start({ style: 'affilync', limit: 100, windowMs: 60_000, resetUnit: 'epoch-s' });
    await replicas(1, true);
    const [app] = apps;
    await app!.affilync.get('/campaigns');
    await redis.stop();
    for (let i = 0; i < 3; i++) await expect(app!.affilync.get('/campaigns')).resolves.toBeDefined();
    const down = app!.logger.lines.filter((l) => l.level === 'warn' && /each process paces its calls on its own/.test(l.text));
    expect(down).toHaveLength(1);
    await redis.restart();
    // Reconnection takes a moment; calls keep working meanwhile.
    const deadline = Date.now() + 10_000;
    const backLines = () => app!.logger.lines.filter((l) => /reachable again/.test(l.text));
    while (backLines().length === 0 && Date.now() < deadline) {
      await app!.affilync.get('/campaigns');
      await new Promise((r) => setTimeout(r, 100));
    }
    await app!.affilync.get('/campaigns');
    expect(backLines()).toHaveLength(1);
    expect(provider.refused).toEqual([]);
  }, 30_000);
});
