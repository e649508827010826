/**
 * RedisThrottlerStorage against a real redis-server: one script per hit (50 at once count 1..50),
 * two replicas (two Nest apps) sharing one budget, keys that hold no tracker, per-process counting
 * while Redis is down, and connections closed (or not) at shutdown.
 */
import { InMemoryApiKeyStore } from '../../lib/index.js';
import { RedisThrottlerStorage } from '../../lib/throttler/index.js';
import { createClient } from 'redis';
import { RedisServer } from '../support/redis-server.js';
import { ADAPTERS, startThrottledApp, statuses, type ThrottledApp } from './support/throttled-app.js';

const KEY = 'a'.repeat(64);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(() => redis.stop());

async function flush(): Promise<void> {
  const c = createClient({ url: redis.url });
  await c.connect();
  await c.flushAll();
  await c.close();
}

describe('RedisThrottlerStorage', () => {
  let storage: RedisThrottlerStorage;
  beforeEach(async () => {
    await flush();
    storage = new RedisThrottlerStorage({ url: redis.url });
  });
  afterEach(() => storage.close());

  it('50 concurrent increments of one key count 1..50, each exactly once', async () => {
    const records = await Promise.all(Array.from({ length: 50 }, () => storage.increment(KEY, 60_000, 100, 60_000, 'default')));
    expect(records.map((r) => r.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(records.every((r) => !r.isBlocked && r.timeToBlockExpire === 0 && r.timeToExpire > 0 && r.timeToExpire <= 60)).toBe(true);
  });

  it('of 50 concurrent increments with limit 10, exactly 10 pass; the rest are blocked for blockDuration', async () => {
    const records = await Promise.all(Array.from({ length: 50 }, () => storage.increment(KEY, 60_000, 10, 30_000, 'default')));
    expect(records.filter((r) => !r.isBlocked)).toHaveLength(10);
    expect(records.filter((r) => r.isBlocked).every((r) => r.timeToBlockExpire === 30)).toBe(true);
  });

  it('a block ends after blockDuration, and the next hit opens a fresh window', async () => {
    expect((await storage.increment(KEY, 60_000, 1, 300, 'default')).isBlocked).toBe(false);
    expect(await storage.increment(KEY, 60_000, 1, 300, 'default')).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    await sleep(350);
    expect(await storage.increment(KEY, 60_000, 1, 300, 'default')).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('with blockDuration 0, a hit past the limit is refused until the window ends', async () => {
    await storage.increment(KEY, 400, 1, 0, 'default');
    expect(await storage.increment(KEY, 400, 1, 0, 'default')).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    await sleep(450);
    expect(await storage.increment(KEY, 400, 1, 0, 'default')).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('keys name the throttler and a SHA-256, never the tracker: a key that is not a hash is hashed', async () => {
    await storage.increment(KEY, 60_000, 5, 60_000, 'default');
    await storage.increment('user:someone@example.com', 60_000, 5, 60_000, 'per day');
    const c = createClient({ url: redis.url });
    await c.connect();
    const keys = (await c.keys('*')).sort();
    await c.close();
    expect(keys).toHaveLength(2);
    expect(keys).toContain(`nest-provider-auth:throttle:default:${KEY}`);
    expect(keys.every((k) => /^nest-provider-auth:throttle:([A-Za-z0-9_.-]+|[0-9a-f]{64}):[0-9a-f]{64}$/.test(k))).toBe(true);
    expect(keys.join(' ')).not.toContain('someone');
  });

  it('checks its options like the other Redis stores', () => {
    expect(() => new RedisThrottlerStorage({})).toThrow('RedisThrottlerStorage: give exactly one of url or client');
    expect(() => new RedisThrottlerStorage({ url: 'http://x' })).toThrow('url must start with redis://');
  });
});

describe.each(ADAPTERS)('two replicas sharing RedisThrottlerStorage (%s)', (adapter) => {
  let replicas: ThrottledApp[];
  let storages: RedisThrottlerStorage[];
  beforeEach(async () => {
    await flush();
    const apiKeyStore = new InMemoryApiKeyStore();
    storages = [new RedisThrottlerStorage({ url: redis.url }), new RedisThrottlerStorage({ url: redis.url })];
    replicas = [
      await startThrottledApp(adapter, { limit: 4, storage: storages[0], apiKeyStore }),
      await startThrottledApp(adapter, { limit: 4, storage: storages[1], apiKeyStore }),
    ];
  });
  afterEach(async () => {
    for (const r of replicas) await r.close();
  });

  it('refuse together past N: 4 answers in all, alternating replicas, then 429 from both', async () => {
    const [a, b] = replicas;
    const key = await a.apiKey();
    const other = await b.apiKey('other');
    let i = 0;
    expect(await statuses(6, () => replicas[i++ % 2].get('/items', key))).toEqual([200, 200, 200, 200, 429, 429]);
    // Another key's budget is whole on either replica.
    expect((await b.get('/items', other)).status).toBe(200);
  });

  it('20 requests at once across both replicas: exactly 4 pass', async () => {
    const key = await replicas[0].apiKey();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => replicas[i % 2].get('/items', key)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(4);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(16);
    const remaining = answers.filter((r) => r.status === 200).map((r) => r.headers['x-ratelimit-remaining']);
    expect(remaining.sort()).toEqual(['0', '1', '2', '3']);
  });

  it('a storage built from { url } is closed at app.close()', async () => {
    await replicas[0].close();
    expect((storages[0] as unknown as { redis: { client: { isOpen: boolean } } }).redis.client.isOpen).toBe(false);
  });
});

it('a { client } you pass stays open after app.close()', async () => {
  const client = createClient({ url: redis.url });
  await client.connect();
  const app = await startThrottledApp('express', { limit: 2, storage: new RedisThrottlerStorage({ client: client as never }) });
  await app.get('/open').expect(200);
  await app.close();
  expect(client.isOpen).toBe(true);
  expect(await client.ping()).toBe('PONG');
  await client.close();
});

it('while Redis is down, each process counts alone (warned once) and answers; back on Redis when it returns', async () => {
  const server = await RedisServer.start();
  const app = await startThrottledApp('express', { limit: 3, storage: new RedisThrottlerStorage({ url: server.url, commandTimeoutMs: 300 }) });
  try {
    const key = await app.apiKey();
    await app.get('/items', key).expect(200);
    await server.stop();
    // In memory from here: a budget of its own (3), and never a 5xx.
    expect(await statuses(4, () => app.get('/items', key))).toEqual([200, 200, 200, 429]);
    const warnings = app.logger.lines.filter((l) => l.level === 'warn' && l.text.includes('counted in each process'));
    expect(warnings).toHaveLength(1);
    await server.restart();
    const deadline = Date.now() + 5_000;
    while (!app.logger.text().includes('shared across replicas again') && Date.now() < deadline) {
      await app.get('/open');
      await sleep(50);
    }
    expect(app.logger.text()).toContain('Redis reachable again');
    // The restarted Redis is empty: a fresh shared budget.
    expect((await app.get('/items', key)).headers['x-ratelimit-remaining']).toBe('2');
  } finally {
    await app.close();
    await server.stop();
  }
});
