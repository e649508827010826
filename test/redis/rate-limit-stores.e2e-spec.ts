/**
 * The two RateLimitStores run the same budget steps (TypeScript in memory, Lua in Redis): the same
 * cases, with explicit clocks, against both. Then what only Redis adds: atomic reservations from
 * several connections, and pacing per process while Redis is down.
 */
import { InMemoryRateLimitStore, type RateLimitStore, type RatePolicy } from '../../lib/index.js';
import { RedisRateLimitStore } from '../../lib/redis/index.js';
import { RedisServer } from '../support/redis-server.js';

const window3: RatePolicy = { kind: 'window', limit: 3, windowMs: 1_000 };
/** How long a granted call counts as in flight without its report. */
const LEASE = 60_000;
const reported: RatePolicy = { kind: 'reported', assumedWindowMs: 60_000 };

describe.each(['memory', 'redis'] as const)('RateLimitStore (%s)', (kind) => {
  let redis: RedisServer | undefined;
  const stores: RedisRateLimitStore[] = [];
  let n = 0;
  let store: RateLimitStore;
  const key = () => `test:budget:${n}`;
  const reserve = (k: string, policy: RatePolicy, now: number, leaseMs = LEASE) => store.reserve(k, policy, now, leaseMs);

  beforeAll(async () => {
    if (kind === 'redis') redis = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.stop();
  });
  beforeEach(() => {
    n++;
    if (kind === 'memory') store = new InMemoryRateLimitStore();
    else stores.push((store = new RedisRateLimitStore({ url: redis!.url })) as RedisRateLimitStore);
  });

  it('window: grants the limit, then says when the oldest place frees', async () => {
    expect(await reserve(key(), window3, 0)).toEqual({ granted: true, ticket: 1, status: { limit: 3, remaining: 2, resetAt: 1_000 } });
    expect(await reserve(key(), window3, 100)).toMatchObject({ granted: true, ticket: 2 });
    expect(await reserve(key(), window3, 200)).toMatchObject({ granted: true, ticket: 3, status: { remaining: 0 } });
    expect(await reserve(key(), window3, 300)).toEqual({ granted: false, waitMs: 700, firm: true, status: { limit: 3, remaining: 0, resetAt: 1_000 } });
    expect(await reserve(key(), window3, 999)).toMatchObject({ granted: false, waitMs: 1 });
    expect(await reserve(key(), window3, 1_000)).toMatchObject({ granted: true, ticket: 4 });
    expect(await reserve(key(), window3, 1_000)).toMatchObject({ granted: false, waitMs: 100 });
  });

  it('a 429’s Retry-After holds every caller back, whatever the policy', async () => {
    for (const policy of [window3, reported, { kind: 'none' } as RatePolicy]) {
      const k = `${key()}:${policy.kind}`;
      expect(await reserve(k, policy, 0)).toMatchObject({ granted: true });
      await store.record(k, policy, { ticket: 1, answered: true, blockedUntil: 500 }, 10);
      expect(await reserve(k, policy, 10)).toMatchObject({ granted: false, waitMs: 490, firm: true });
      expect(await reserve(k, policy, 500)).toMatchObject({ granted: true });
    }
  });

  it('reported: one call goes first; its answer’s budget paces the rest; the window rolls at its reset', async () => {
    expect(await reserve(key(), reported, 0)).toEqual({ granted: true, ticket: 1 });
    const waiting = await reserve(key(), reported, 5);
    expect(waiting).toMatchObject({ granted: false, firm: false, awaitingFirstAnswer: true });
    expect((waiting as { waitMs: number }).waitMs).toBe(4_995); // at most until the first call's lease ends
    expect(await store.record(key(), reported, { ticket: 1, answered: true, limit: 5, remaining: 2, resetAt: 1_000, resetPaddingMs: 0 }, 10)).toEqual({
      limit: 5,
      remaining: 2,
      resetAt: 1_000,
    });
    expect(await reserve(key(), reported, 20)).toMatchObject({ granted: true, ticket: 2 });
    expect(await reserve(key(), reported, 20)).toMatchObject({ granted: true, ticket: 3, status: { remaining: 0 } });
    // Spent as far as we know, but two of those places are calls in flight: look again soon.
    expect(await reserve(key(), reported, 30)).toEqual({
      granted: false,
      waitMs: 970,
      firm: false,
      awaitingAnswers: true,
      status: { limit: 5, remaining: 0, resetAt: 1_000 },
    });
    // Whole-second resets are padded: the window may end up to a second after the header says.
    await store.record(key(), reported, { ticket: 3, answered: true, limit: 5, remaining: 0, resetAt: 1_000, resetPaddingMs: 1_000 }, 40);
    await store.record(key(), reported, { ticket: 2, answered: true, limit: 5, remaining: 1, resetAt: 1_000, resetPaddingMs: 1_000 }, 41);
    expect(await reserve(key(), reported, 1_000)).toMatchObject({ granted: false, waitMs: 1_000, firm: true });
    // Rolled over: a full budget, in a window whose end is assumed until an answer tells it.
    expect(await reserve(key(), reported, 2_000)).toEqual({ granted: true, ticket: 4, status: { limit: 5, remaining: 4 } });
    await store.record(key(), reported, { ticket: 4, answered: true, limit: 5, remaining: 4, resetAt: 3_000, resetPaddingMs: 0 }, 2_010);
    expect(await reserve(key(), reported, 2_020)).toMatchObject({ status: { limit: 5, remaining: 3, resetAt: 3_000 } });
  });

  it('reported: calls in flight count as spent until their answers; the most spent any answer reported wins', async () => {
    await reserve(key(), reported, 0);
    await store.record(key(), reported, { ticket: 1, answered: true, limit: 10, remaining: 9, resetAt: 5_000 }, 1);
    for (let i = 0; i < 3; i++) await reserve(key(), reported, 2); // tickets 2, 3, 4 in flight: 10 − 1 − 3
    expect(await reserve(key(), reported, 2)).toMatchObject({ status: { remaining: 5 } }); // ticket 5
    expect(await store.record(key(), reported, { ticket: 2, answered: true, limit: 10, remaining: 8, resetAt: 5_000 }, 3)).toMatchObject({ remaining: 5 });
    // Someone else spent 3 more meanwhile: this answer knows it.
    expect(await store.record(key(), reported, { ticket: 3, answered: true, limit: 10, remaining: 4, resetAt: 5_000 }, 4)).toMatchObject({ remaining: 2 });
    // An answer that arrives late with less spent does not give places back.
    expect(await store.record(key(), reported, { ticket: 5, answered: true, limit: 10, remaining: 7, resetAt: 5_000 }, 5)).toMatchObject({ remaining: 3 });
    // An answer about a window already over teaches nothing about this one, but its call is no longer in flight.
    expect(await store.record(key(), reported, { ticket: 4, answered: true, limit: 10, remaining: 9, resetAt: 3 }, 6)).toMatchObject({ remaining: 4 });
  });

  it('reported: a call whose report never comes stops counting after its lease', async () => {
    await reserve(key(), reported, 0);
    await store.record(key(), reported, { ticket: 1, answered: true, limit: 3, remaining: 2, resetAt: 60_000 }, 1);
    await reserve(key(), reported, 10, 100); // its process dies: no report
    await reserve(key(), reported, 10, 100);
    expect(await reserve(key(), reported, 20, 100)).toMatchObject({ granted: false, firm: false, awaitingAnswers: true });
    expect(await reserve(key(), reported, 110, 100)).toMatchObject({ granted: true, ticket: 4, status: { remaining: 1 } });
  });

  it('reported: a first call that got no answer gives its turn back; answers without headers mean nothing to pace', async () => {
    await reserve(key(), reported, 0);
    expect(await reserve(key(), reported, 1)).toMatchObject({ granted: false });
    await store.record(key(), reported, { ticket: 1, answered: false }, 2);
    expect(await reserve(key(), reported, 3)).toMatchObject({ granted: true, ticket: 2 });
    await store.record(key(), reported, { ticket: 2, answered: true }, 4);
    for (let i = 0; i < 5; i++) expect(await reserve(key(), reported, 5)).toMatchObject({ granted: true });
    expect(await store.record(key(), reported, { ticket: 3, answered: true }, 6)).toBeUndefined();
  });
});

describe('RedisRateLimitStore', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('reservations are atomic across connections: 60 at once on a budget of 20 grant exactly 20', async () => {
    const stores = [0, 1, 2].map(() => new RedisRateLimitStore({ url: redis.url }));
    try {
      const policy: RatePolicy = { kind: 'window', limit: 20, windowMs: 60_000 };
      const now = Date.now();
      const all = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 3]!.reserve('test:atomic', policy, now, LEASE)));
      const tickets = all.filter((r) => r.granted).map((r) => (r as { ticket: number }).ticket);
      expect(tickets.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('keeps no secret in Redis: keys and values hold hashes and numbers only', async () => {
    const store = new RedisRateLimitStore({ url: redis.url, keyPrefix: 'audit:' });
    const { createClient } = await import('redis');
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      await store.reserve('nest-provider-auth:rate:affilync:0123abcd', { kind: 'window', limit: 5, windowMs: 1_000 }, Date.now(), LEASE);
      const keys = await client.keys('audit:*');
      expect(keys.sort()).toEqual(['audit:nest-provider-auth:rate:affilync:0123abcd', 'audit:nest-provider-auth:rate:affilync:0123abcd:log']);
      // A reported budget keeps its calls in flight apart: tickets and times, nothing else.
      await store.reserve('nest-provider-auth:rate:affilync:0123abcd', { kind: 'reported', assumedWindowMs: 60_000 }, Date.now(), LEASE);
      expect(await client.zRange('audit:nest-provider-auth:rate:affilync:0123abcd:inflight', 0, -1)).toEqual([expect.stringMatching(/^\d+$/)]);
      const fields = await client.hGetAll(keys[0]!);
      expect(Object.values(fields).every((v) => /^-?\d+$/.test(v))).toBe(true);
    } finally {
      await client.close();
      await store.close();
    }
  });
});
