import { VerifiedCredentialCache } from '../../lib/incoming/verified-credential-cache.js';
import type { Principal } from '../../lib/incoming/principal.js';

const user = (sub: string): Principal => ({ kind: 'user', sub, role: 'member', scopes: [] });
const LATER = Date.now() + 60_000;

describe('VerifiedCredentialCache', () => {
  it('finds a credential by itself and by its exact Bearer header, and by nothing else', () => {
    const cache = new VerifiedCredentialCache(10);
    const token = `${'a'.repeat(40)}.${'b'.repeat(60)}.sig-TAIL_xyz`;
    cache.set({ token, principal: user('u1'), until: LATER });
    const now = Date.now();
    expect(cache.get(token, now)?.principal).toEqual(user('u1'));
    expect(cache.getByHeader(`Bearer ${token}`, now)?.principal).toEqual(user('u1'));
    for (const other of [`bearer ${token}`, `Bearer  ${token}`, `Bearer x${token}`, `Bearer ${token.slice(1)}`, 'Bearer ', 'Bearer', '']) {
      expect({ other, hit: cache.getByHeader(other, now) }).toEqual({ other, hit: undefined });
    }
    expect(cache.get(`x${token}`, now)).toBeUndefined();
  });

  it('never serves one credential for another with the same length and tail (its key): they evict each other', () => {
    const cache = new VerifiedCredentialCache(10);
    const tail = 'Same-Tail-123456';
    const first = `first-${'1'.repeat(30)}${tail}`;
    const second = `other-${'2'.repeat(30)}${tail}`;
    expect(second.length).toBe(first.length);
    cache.set({ token: first, principal: user('first'), until: LATER });
    const now = Date.now();
    expect(cache.getByHeader(`Bearer ${second}`, now)).toBeUndefined();
    expect(cache.get(second, now)).toBeUndefined();
    cache.set({ token: second, principal: user('second'), until: LATER });
    expect(cache.size).toBe(1);
    expect(cache.get(first, now)).toBeUndefined();
    expect(cache.getByHeader(`Bearer ${first}`, now)).toBeUndefined();
    expect(cache.getByHeader(`Bearer ${second}`, now)?.principal).toEqual(user('second'));
  });

  it('keeps credentials that differ only in their tail apart', () => {
    const cache = new VerifiedCredentialCache(100);
    const base = 'k'.repeat(50);
    const tokens = Array.from({ length: 40 }, (_, i) => `${base}${String(i).padStart(4, '0')}`);
    tokens.forEach((token, i) => cache.set({ token, principal: user(`u${i}`), until: LATER }));
    expect(cache.size).toBe(40);
    const now = Date.now();
    tokens.forEach((token, i) => expect(cache.getByHeader(`Bearer ${token}`, now)?.principal).toEqual(user(`u${i}`)));
  });

  it('drops an entry once its credential would be refused', () => {
    const cache = new VerifiedCredentialCache(10);
    cache.set({ token: 'short-lived-credential', principal: user('u'), until: Date.now() + 1_000 });
    expect(cache.get('short-lived-credential', Date.now())).toBeDefined();
    expect(cache.getByHeader('Bearer short-lived-credential', Date.now() + 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
