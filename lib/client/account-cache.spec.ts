import { AccountCache } from './account-cache.js';

describe('AccountCache', () => {
  it('makes a client once per key and hands the same one back', () => {
    const cache = new AccountCache<object>(10);
    let made = 0;
    const make = () => ({ n: ++made });
    const first = cache.get('a', make);
    const again = cache.get('a', make);
    expect(first).toEqual({ client: { n: 1 }, hit: false });
    expect(again.hit).toBe(true);
    expect(again.client).toBe(first.client);
    expect(made).toBe(1);
  });

  it('keeps at most `capacity` clients, evicting the least recently used', () => {
    const cache = new AccountCache<string>(2);
    cache.get('a', () => 'A');
    cache.get('b', () => 'B');
    cache.get('a', () => 'A2'); // a used again: b is now the oldest
    cache.get('c', () => 'C');
    expect(cache.size).toBe(2);
    expect(cache.get('a', () => 'A3')).toEqual({ client: 'A', hit: true });
    expect(cache.get('b', () => 'B2')).toEqual({ client: 'B2', hit: false });
  });
});
