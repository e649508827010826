import { createHash, randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisEventIdStore, RedisUnavailableError, type AnyRedisClient } from '../lib/redis/index.js';
import type { EventIdStore } from '../lib/webhooks/event-id-store.interface.js';
import { InMemoryEventIdStore } from '../lib/webhooks/in-memory-event-id-store.js';
import { RedisServer } from './support/redis-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A fresh event id per test: tests share one redis-server. */
const eventId = () => `evt_${randomBytes(8).toString('hex')}`;

/** Claims until it is 'claimed' (within 3 s), and says how long that took since `since`. */
async function claimWhenFree(store: EventIdStore, id: string, leaseMs: number, since: number): Promise<number> {
  while (Date.now() - since < 3_000) {
    if ((await store.claim(id, leaseMs)) === 'claimed') return Date.now() - since;
    await sleep(20);
  }
  throw new Error('the id never became claimable');
}

let redis: RedisServer;
let raw: AnyRedisClient;
const opened: RedisEventIdStore[] = [];
const redisStore = (extra: { keyPrefix?: string; commandTimeoutMs?: number } = {}) => {
  const store = new RedisEventIdStore({ url: redis.url, ...extra });
  opened.push(store);
  return store;
};

beforeAll(async () => {
  redis = await RedisServer.start();
  raw = createClient({ url: redis.url }) as AnyRedisClient;
  raw.on('error', () => undefined);
  await raw.connect();
});
afterEach(() => Promise.all(opened.splice(0).map((s) => s.close())));
afterAll(async () => {
  await raw.close().catch(() => undefined);
  await redis.stop();
});

/** What every EventIdStore promises (event-id-store.interface.ts), the default and the shared one alike. */
describe.each([
  { name: 'InMemoryEventIdStore', make: (): EventIdStore => new InMemoryEventIdStore() },
  { name: 'RedisEventIdStore', make: (): EventIdStore => redisStore() },
])('$name', ({ make }) => {
  let store: EventIdStore;
  beforeEach(() => {
    store = make();
  });

  it('claimed, then busy while held, then done for every claimer once completed', async () => {
    const id = eventId();
    expect(await store.claim(id, 10_000)).toBe('claimed');
    expect(await store.claim(id, 10_000)).toBe('busy');
    await store.complete(id, 10_000);
    expect(await store.claim(id, 10_000)).toBe('done');
    expect(await store.claim(id, 10_000)).toBe('done');
  });

  it('ids are independent', async () => {
    const [a, b] = [eventId(), eventId()];
    expect(await store.claim(a, 10_000)).toBe('claimed');
    expect(await store.claim(b, 10_000)).toBe('claimed');
    await store.complete(a, 10_000);
    expect(await store.claim(b, 10_000)).toBe('busy');
  });

  it('a holder that never finishes lets go when its lease runs out', async () => {
    const id = eventId();
    const start = Date.now();
    expect(await store.claim(id, 200)).toBe('claimed');
    expect(await store.claim(id, 200)).toBe('busy');
    const waited = await claimWhenFree(store, id, 10_000, start);
    expect(waited).toBeGreaterThanOrEqual(195);
    expect(await store.claim(id, 10_000)).toBe('busy');
  });

  it('done lasts its ttl, then the id is claimable again', async () => {
    const id = eventId();
    expect(await store.claim(id, 10_000)).toBe('claimed');
    const start = Date.now();
    await store.complete(id, 300);
    expect(await store.claim(id, 10_000)).toBe('done');
    const waited = await claimWhenFree(store, id, 10_000, start);
    expect(waited).toBeGreaterThanOrEqual(295);
  });

  it('a handling that outlived its lease still marks the id done', async () => {
    const id = eventId();
    expect(await store.claim(id, 50)).toBe('claimed');
    await sleep(80);
    await store.complete(id, 10_000);
    expect(await store.claim(id, 10_000)).toBe('done');
  });

  it('release frees the id at once, for the retry', async () => {
    const id = eventId();
    expect(await store.claim(id, 10_000)).toBe('claimed');
    await store.release(id);
    expect(await store.claim(id, 10_000)).toBe('claimed');
    expect(await store.claim(id, 10_000)).toBe('busy');
  });

  it('release of a done id keeps it done; release of an unknown id does nothing', async () => {
    const id = eventId();
    expect(await store.claim(id, 10_000)).toBe('claimed');
    await store.complete(id, 10_000);
    await store.release(id);
    expect(await store.claim(id, 10_000)).toBe('done');
    const unknown = eventId();
    await store.release(unknown);
    expect(await store.claim(unknown, 10_000)).toBe('claimed');
  });
});

/** What only a shared store can show: replicas on their own connections, keys, outages. */
describe('RedisEventIdStore on a real redis-server', () => {
  it('two replicas racing 50 claims of one id: exactly one claimed, the rest busy', async () => {
    const replicas = [redisStore(), redisStore()];
    const id = eventId();
    // Both connected first, so that the race is between commands rather than connections.
    await Promise.all(replicas.map((r) => r.claim(eventId(), 1_000)));
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => replicas[i % 2].claim(id, 10_000)));
    expect(outcomes.filter((o) => o === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'busy')).toHaveLength(49);
  });

  it("a replica completing makes the id done for the other; a replica's release frees it for the other", async () => {
    const [a, b] = [redisStore(), redisStore()];
    const [completed, released] = [eventId(), eventId()];
    expect(await a.claim(completed, 10_000)).toBe('claimed');
    expect(await b.claim(completed, 10_000)).toBe('busy');
    await a.complete(completed, 10_000);
    expect(await b.claim(completed, 10_000)).toBe('done');
    expect(await a.claim(released, 10_000)).toBe('claimed');
    expect(await b.claim(released, 10_000)).toBe('busy');
    await a.release(released);
    expect(await b.claim(released, 10_000)).toBe('claimed');
  });

  it('a stale holder (its lease ran out, another replica claimed) releasing does not free the new claim', async () => {
    const [stale, current] = [redisStore(), redisStore()];
    const id = eventId();
    const key = `nest-provider-auth:evt:${id}`;
    expect(await stale.claim(id, 200)).toBe('claimed');
    const staleValue = await raw.get(key);
    await claimWhenFree(current, id, 10_000, Date.now());
    const currentValue = await raw.get(key);
    expect(currentValue).toMatch(/^claimed:[0-9a-f]{32}$/);
    expect(currentValue).not.toBe(staleValue);

    await stale.release(id);
    expect(await raw.get(key)).toBe(currentValue);
    expect(await stale.claim(id, 10_000)).toBe('busy');
    await current.release(id);
    expect(await raw.get(key)).toBeNull();
  });

  it('a stale holder releasing after another replica completed the id leaves it done', async () => {
    const [stale, current] = [redisStore(), redisStore()];
    const id = eventId();
    expect(await stale.claim(id, 200)).toBe('claimed');
    await claimWhenFree(current, id, 10_000, Date.now());
    await current.complete(id, 10_000);
    await stale.release(id);
    expect(await stale.claim(id, 10_000)).toBe('done');
  });

  it('keys: nest-provider-auth:evt:<id> under keyPrefix, odd ids by their SHA-256, with the lease and the ttl as expiry', async () => {
    const store = redisStore({ keyPrefix: 'tenant-a:' });
    const id = eventId();
    const odd = `evt ${randomBytes(4).toString('hex')}/ü\n`;
    expect(await store.claim(id, 5_000)).toBe('claimed');
    expect(await store.claim(odd, 5_000)).toBe('claimed');
    const plainKey = `tenant-a:nest-provider-auth:evt:${id}`;
    const oddKey = `tenant-a:nest-provider-auth:evt-sha256:${createHash('sha256').update(odd).digest('hex')}`;
    expect((await raw.keys('tenant-a:*')).sort()).toEqual([plainKey, oddKey].sort());
    expect(await raw.get(plainKey)).toMatch(/^claimed:[0-9a-f]{32}$/);
    expect(await raw.pTTL(plainKey)).toBeGreaterThan(4_000);
    expect(await raw.pTTL(plainKey)).toBeLessThanOrEqual(5_000);

    await store.complete(id, 60_000);
    expect(await raw.get(plainKey)).toBe('done');
    expect(await raw.pTTL(plainKey)).toBeGreaterThan(59_000);
    await store.release(odd);
    expect(await raw.exists(oddKey)).toBe(0);
    // Another prefix is another namespace.
    expect(await redisStore({ keyPrefix: 'tenant-b:' }).claim(id, 5_000)).toBe('claimed');
    expect(await raw.get(`tenant-b:nest-provider-auth:evt:${id}`)).toMatch(/^claimed:/);
  });

  it('a store given { client } uses it and leaves it open on close()', async () => {
    const client = createClient({ url: redis.url }) as AnyRedisClient;
    client.on('error', () => undefined);
    await client.connect();
    try {
      const store = new RedisEventIdStore({ client });
      expect(await store.claim(eventId(), 1_000)).toBe('claimed');
      await store.close();
      expect(client.isOpen).toBe(true);
      expect(await client.ping()).toBe('PONG');
      await expect(store.claim(eventId(), 1_000)).rejects.toBeInstanceOf(RedisUnavailableError);
    } finally {
      await client.close();
    }
  });

  it('refuses bad ids (TypeError, quoting only the length) and bad durations (RangeError), before reaching Redis', async () => {
    const store = redisStore();
    const long = `evt_${'x'.repeat(253)}`;
    await expect(store.claim(long, 1_000)).rejects.toThrow(
      new TypeError('RedisEventIdStore: an event id must be a string of 1 to 256 characters (got 257 characters)'),
    );
    await expect(store.claim('', 1_000)).rejects.toBeInstanceOf(TypeError);
    await expect(store.complete(42 as never, 1_000)).rejects.toThrow('(got number)');
    await expect(store.release(undefined as never)).rejects.toBeInstanceOf(TypeError);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100' as never]) {
      await expect(store.claim(eventId(), bad)).rejects.toBeInstanceOf(RangeError);
      await expect(store.complete(eventId(), bad)).rejects.toBeInstanceOf(RangeError);
    }
    // 256 characters are fine, plain or odd.
    expect(await store.claim(long.slice(0, 256), 1_000)).toBe('claimed');
    expect(await raw.exists(`nest-provider-auth:evt:${long.slice(0, 256)}`)).toBe(1);
    const odd = `${randomBytes(4).toString('hex')}${'é'.repeat(248)}`;
    expect(await store.claim(odd, 1_000)).toBe('claimed');
    expect(await raw.exists(`nest-provider-auth:evt-sha256:${createHash('sha256').update(odd).digest('hex')}`)).toBe(1);
  });

  it('forgets the tokens of claims never completed nor released, once their lease ran out', async () => {
    // 999 claims at once on a store still connecting: on a busy CI machine the default 1 s command
    // timeout (not what this test is about) once fired before Redis answered them all.
    const store = redisStore({ commandTimeoutMs: 10_000 });
    const held = () => (store as unknown as { held: Map<string, unknown> }).held.size;
    // The store sweeps every thousandth claim: 999 abandoned claims, then one more once their leases ran out.
    await Promise.all(Array.from({ length: 999 }, () => store.claim(eventId(), 200)));
    expect(held()).toBe(999);
    await sleep(250);
    expect(await store.claim(eventId(), 10_000)).toBe('claimed');
    expect(held()).toBe(1);
  });

  it('Redis down: every method rejects with RedisUnavailableError within commandTimeoutMs, naming no id; back: works again', async () => {
    const store = redisStore({ commandTimeoutMs: 300 });
    const id = `evt_${randomBytes(8).toString('hex')}`;
    const odd = `secret id ${randomBytes(4).toString('hex')}`;
    expect(await store.claim(id, 10_000)).toBe('claimed');
    await redis.stop();
    try {
      const failures: unknown[] = [];
      for (const call of [() => store.claim(odd, 10_000), () => store.claim(id, 10_000), () => store.complete(id, 10_000), () => store.release(id)]) {
        const start = Date.now();
        failures.push(await call().catch((e: unknown) => e));
        expect(Date.now() - start).toBeLessThan(300 + 150);
      }
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(RedisUnavailableError);
        const text = `${(failure as Error).message} ${(failure as Error).stack ?? ''}`;
        expect(text).not.toContain(id);
        expect(text).not.toContain(odd);
      }
    } finally {
      await redis.restart();
    }
    // The restarted server is empty: the id is claimable again once the store has reconnected.
    let outcome: string | undefined;
    for (let i = 0; i < 100 && outcome === undefined; i++) {
      outcome = await store.claim(id, 10_000).catch(() => undefined);
      if (outcome === undefined) await sleep(50);
    }
    expect(outcome).toBe('claimed');
  }, 20_000);
});
