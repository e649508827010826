/**
 * TokenService.listSessions(sub) and revokeSession(sub, familyId): a user's logins (refresh-token
 * families) as a "where you are signed in" page shows them, and ending one of them. Over the
 * in-memory and the Redis store (a real redis-server), on Express and Fastify.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { InMemoryRefreshTokenStore, ProviderAuthConfigError, type RefreshTokenStore, type SessionSummary, type TokenPair } from '../../lib/index.js';
import { answerFor } from '../../lib/incoming/auth-answers.js';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';
import { payloadOf } from '../incoming/support/token-forge.js';
import { incomingBootstrapError } from '../support/bootstrap-error.js';
import { RedisServer } from '../support/redis-server.js';
import { secretAudit } from '../support/secret-audit.js';
import { keep, startTokenApp, type TokenApp } from '../support/token-app.js';

const SECRET = 'sessions-secret-of-at-least-32-bytes!!';
const INVALID = answerFor({ reason: 'invalid' }, 'affilync', 'api').getResponse();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const famOf = (pair: TokenPair) => payloadOf(pair.refresh_token).fam as string;

describe.each([
  ['express', 'in-memory'],
  ['fastify', 'in-memory'],
  ['express', 'redis'],
  ['fastify', 'redis'],
] as const)('sessions on %s with the %s store', (adapter, storeKind) => {
  let t: TokenApp;

  beforeAll(async () => {
    secretAudit.registerSecret(SECRET);
    t = await startTokenApp(adapter, storeKind, { jwtSecret: SECRET });
  });
  afterAll(async () => {
    await t?.close();
  });

  const issue = async (sub: string, extra: { plan?: string; brandId?: string } = {}) => keep(await t.tokens.issue({ sub, role: 'member', ...extra }));
  const refreshed = async (pair: TokenPair) => keep((await t.refresh(pair.refresh_token).expect(200)).body as TokenPair);
  const refused = async (res: Promise<{ status: number; body: unknown }>) => {
    const r = await res;
    expect({ status: r.status, body: r.status === 200 ? '(accepted)' : r.body }).toEqual({ status: 401, body: INVALID });
  };
  /** Used three times: the verifier's cache holds it from then on, so a revocation must reach the cache. */
  const warm = async (token: string) => {
    for (let i = 0; i < 3; i++) await t.me(token).expect(200);
  };

  it('lists the live sessions, newest first, with lastUsedAt moved by a refresh', async () => {
    const sub = `list-${randomUUID()}`;
    const t0 = Date.now();
    const a = await issue(sub, { plan: 'growth' });
    const t1 = Date.now();
    await sleep(20);
    const b = await issue(sub, { brandId: 'brand_7' });
    const t2 = Date.now();
    await sleep(20);
    const t3 = Date.now();
    const a2 = await refreshed(a);
    const t4 = Date.now();
    expect(famOf(a2)).toBe(famOf(a));

    const sessions = await t.tokens.listSessions(sub);
    expect(sessions).toEqual([
      { familyId: famOf(b), createdAt: expect.any(Date), lastUsedAt: expect.any(Date), brandId: 'brand_7' },
      { familyId: famOf(a), createdAt: expect.any(Date), lastUsedAt: expect.any(Date), plan: 'growth' },
    ]);
    const [sb, sa] = sessions as [SessionSummary, SessionSummary];
    const within = (d: Date, from: number, to: number) => expect([from <= d.getTime(), d.getTime() <= to]).toEqual([true, true]);
    within(sa.createdAt, t0, t1);
    within(sa.lastUsedAt, t3, t4); // the refresh
    within(sb.createdAt, t1, t2);
    expect(sb.lastUsedAt.getTime()).toBe(sb.createdAt.getTime()); // never refreshed
    expect(sa.lastUsedAt.getTime()).toBeGreaterThan(sa.createdAt.getTime());

    // Another user's list holds none of these.
    expect(await t.tokens.listSessions(`${sub}-other`)).toEqual([]);
  });

  it('revokeSession ends that session (refresh and access tokens, cached or not) and leaves the other working', async () => {
    const sub = `revoke-${randomUUID()}`;
    const a = await issue(sub);
    const b = await issue(sub);
    const a2 = await refreshed(a);
    await warm(a2.access_token);
    await warm(b.access_token);

    await expect(t.tokens.revokeSession(sub, famOf(a))).resolves.toBe(true);

    await refused(t.me(a2.access_token));
    await refused(t.refresh(a2.refresh_token));
    await refused(t.rotate(a2.access_token));
    await t.me(b.access_token).expect(200);
    const b2 = await refreshed(b);
    await t.me(b2.access_token).expect(200);

    expect((await t.tokens.listSessions(sub)).map((s) => s.familyId)).toEqual([famOf(b)]);
    // Already revoked: false, and nothing else changes.
    await expect(t.tokens.revokeSession(sub, famOf(a))).resolves.toBe(false);
    await t.me(b2.access_token).expect(200);
  });

  it("refuses to revoke another user's session, an unknown one, or none: false and nothing revoked", async () => {
    const alice = `alice-${randomUUID()}`;
    const bob = `bob-${randomUUID()}`;
    const hers = await issue(alice);
    await issue(bob);
    await warm(hers.access_token);

    await expect(t.tokens.revokeSession(bob, famOf(hers))).resolves.toBe(false);
    await expect(t.tokens.revokeSession(bob, randomUUID())).resolves.toBe(false);
    await expect(t.tokens.revokeSession(bob, '')).resolves.toBe(false);
    await expect(t.tokens.revokeSession(alice, `${famOf(hers)}x`)).resolves.toBe(false);

    await t.me(hers.access_token).expect(200);
    expect((await t.tokens.listSessions(alice)).map((s) => s.familyId)).toEqual([famOf(hers)]);
    const next = await refreshed(hers);
    await t.me(next.access_token).expect(200);
    await expect(t.tokens.listSessions('')).rejects.toThrow(TypeError);
    await expect(t.tokens.revokeSession('', famOf(hers))).rejects.toThrow(TypeError);
  });

  it('of two simultaneous revokeSession calls exactly one gets true', async () => {
    const sub = `race-${randomUUID()}`;
    const pair = await issue(sub);
    const results = await Promise.all([1, 2, 3, 4].map(() => t.tokens.revokeSession(sub, famOf(pair))));
    expect(results.filter(Boolean)).toHaveLength(1);
    await refused(t.me(pair.access_token));
  });

  it('does not list families revoked by logout, by a replay, or with every token of the user', async () => {
    const sub = `gone-${randomUUID()}`;
    const loggedOut = await issue(sub);
    const replayed = await issue(sub);
    const kept = await issue(sub);
    await t.tokens.revokeFamily(loggedOut.refresh_token);
    await refreshed(replayed);
    await refused(t.refresh(replayed.refresh_token)); // the replay revokes the family
    expect((await t.tokens.listSessions(sub)).map((s) => s.familyId)).toEqual([famOf(kept)]);
    await expect(t.tokens.revokeSession(sub, famOf(loggedOut))).resolves.toBe(false);

    await t.tokens.revokeAllForUser(sub);
    expect(await t.tokens.listSessions(sub)).toEqual([]);
    await expect(t.tokens.revokeSession(sub, famOf(kept))).resolves.toBe(false);
  });
});

describe('the per-user index of sessions stays bounded', () => {
  const family = (sub: string) => ({ sub, role: 'member' as const, createdAt: Date.now(), lastUsedAt: Date.now() });

  it('in memory: members go with their family, users with their last family', async () => {
    const store = new InMemoryRefreshTokenStore();
    const sub = `bounded-${randomUUID()}`;
    await store.saveFamily('short', family(sub), Date.now() + 150);
    await store.saveFamily('long', family(sub), Date.now() + 400);
    expect(store.sessionIndexSize).toEqual({ users: 1, families: 2 });
    await sleep(200);
    expect((await store.listFamilies(sub)).map((f) => f.fam)).toEqual(['long']);
    await store.saveFamily('later', family(sub), Date.now() + 300);
    expect(store.sessionIndexSize).toEqual({ users: 1, families: 2 });
    await sleep(450);
    expect(await store.listFamilies(sub)).toEqual([]);
    store.sweep();
    expect(store.sessionIndexSize).toEqual({ users: 0, families: 0 });
    expect(store.size.families).toBe(0);
  });

  it('in Redis: the index is a sorted set with a TTL, members past their time dropped, gone with its last family', async () => {
    const redis = await RedisServer.start();
    const store = new RedisRefreshTokenStore({ url: redis.url });
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const sub = `bounded-${randomUUID()}`;
      const key = `nest-provider-auth:rt:fams-of:${sub}`;
      await store.saveFamily('short', family(sub), Date.now() + 300);
      await store.saveFamily('long', family(sub), Date.now() + 2_000);
      expect(await client.zCard(key)).toBe(2);
      const ttl = await client.pTTL(key);
      expect([ttl > 1_000, ttl <= 2_000]).toEqual([true, true]);
      await sleep(400);
      expect((await store.listFamilies(sub)).map((f) => f.fam)).toEqual(['long']);
      await store.saveFamily('later', family(sub), Date.now() + 500);
      expect((await client.zRange(key, 0, -1)).sort()).toEqual(['later', 'long']);
      await sleep(2_000);
      expect(await client.exists(key)).toBe(0);
      expect(await store.listFamilies(sub)).toEqual([]);
    } finally {
      await client.close();
      await store.close();
      await redis.stop();
    }
  });
});

describe('a RefreshTokenStore without the session methods', () => {
  /** A store written for the version before sessions: every method but listFamilies and revokeSession. */
  function olderStore(): Partial<RefreshTokenStore> {
    const inner = new InMemoryRefreshTokenStore();
    return {
      saveFamily: (...a) => inner.saveFamily(...a),
      getFamily: (...a) => inner.getFamily(...a),
      revokeFamily: (...a) => inner.revokeFamily(...a),
      markUsed: (...a) => inner.markUsed(...a),
      revokeAccessToken: (...a) => inner.revokeAccessToken(...a),
      revokeUser: (...a) => inner.revokeUser(...a),
      isUserRevoked: (...a) => inner.isUserRevoked(...a),
      isAccessTokenRevoked: (...a) => inner.isAccessTokenRevoked(...a),
    };
  }

  const bootstrapError = (refreshTokenStore: Partial<RefreshTokenStore>) =>
    incomingBootstrapError({ jwtSecret: SECRET, refreshTokenStore: refreshTokenStore as RefreshTokenStore });

  it('stops the app at bootstrap, naming the option and the missing methods', async () => {
    const err = await bootstrapError(olderStore());
    expect(err).toBeInstanceOf(ProviderAuthConfigError);
    expect((err as ProviderAuthConfigError).issues).toEqual([
      { path: 'incoming.refreshTokenStore', problem: expect.stringMatching(/^lacks listFamilies, revokeSession: a store must implement /) },
    ]);
    expect(err!.message).not.toContain(SECRET);
  });

  it('names only what is missing', async () => {
    const store = olderStore();
    const inner = new InMemoryRefreshTokenStore();
    store.listFamilies = (sub) => inner.listFamilies(sub);
    const err = await bootstrapError(store);
    expect((err as ProviderAuthConfigError).issues[0]?.problem).toMatch(/^lacks revokeSession: /);
    store.revokeSession = (...a) => inner.revokeSession(...a);
    await expect(bootstrapError(store)).resolves.toBeUndefined();
  });
});
