import { InMemoryTokenStore } from './in-memory-token-store.js';
import { refreshAtFor, refreshSafetyMs } from './refresh-schedule.js';
import type { StoredToken } from './token-store.interface.js';

describe('refreshAtFor', () => {
  it.each([1_000, 60_000, 3_600_000, 86_400_000])('renews a %i ms token once, within its last 30%% and before expiry', (lifetime) => {
    const margin = Math.min(300_000, lifetime * 0.2);
    const earliest = refreshAtFor(0, lifetime, () => 0.999999);
    const latest = refreshAtFor(0, lifetime, () => 0);
    expect(latest).toBe(lifetime - margin);
    expect(earliest).toBeGreaterThanOrEqual(lifetime - 1.5 * margin);
    expect(earliest).toBeGreaterThanOrEqual(lifetime * 0.7);
    expect(latest).toBeLessThan(lifetime);
  });

  it('spreads renewals with jitter', () => {
    const times = new Set(Array.from({ length: 20 }, () => refreshAtFor(0, 3_600_000)));
    expect(times.size).toBeGreaterThan(15);
  });

  it('keeps a quarter of the renewal window, at most 5 s, as safety for refreshing with a live token', () => {
    expect(refreshSafetyMs(1_400, 2_000)).toBe(150);
    expect(refreshSafetyMs(0, 86_400_000)).toBe(5_000);
  });
});

describe('InMemoryTokenStore', () => {
  const token = (accessToken: string): StoredToken => ({ accessToken, expiresAt: 10, refreshAt: 5 });

  it('writes only at the expected version', async () => {
    const store = new InMemoryTokenStore();
    expect(await store.compareAndSet('k', token('a'), 0)).toBe(1);
    expect(await store.compareAndSet('k', token('b'), 0)).toBeUndefined();
    expect(await store.compareAndSet('k', token('b'), 1)).toBe(2);
    expect(await store.get('k')).toEqual({ token: token('b'), version: 2 });
    expect(await store.get('other')).toBeUndefined();
  });

  it('runs lock holders one at a time, per key', async () => {
    const store = new InMemoryTokenStore();
    const order: string[] = [];
    const hold = (name: string, ms: number) =>
      store.withLock('k', 1_000, async () => {
        order.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${name}-`);
        return name;
      });
    const other = store.withLock('other', 1_000, async () => {
      order.push('other');
      return 'other';
    });
    await expect(Promise.all([hold('a', 30), hold('b', 10), hold('c', 0), other])).resolves.toEqual(['a', 'b', 'c', 'other']);
    expect(order.filter((o) => o !== 'other')).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('lets the next holder in when a lease runs out, and releases after a throw', async () => {
    const store = new InMemoryTokenStore();
    void store.withLock('k', 50, () => new Promise(() => undefined)); // a holder that never finishes
    const started = Date.now();
    await store.withLock('k', 50, async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    await expect(store.withLock('j', 50, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(store.withLock('j', 50, async () => 'free')).resolves.toBe('free');
  });
});
