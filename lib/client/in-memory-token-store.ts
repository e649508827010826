import type { StoredToken, TokenStore, VersionedToken } from './token-store.interface.js';

/** The default TokenStore: one process, no persistence. */
export class InMemoryTokenStore implements TokenStore {
  private readonly entries = new Map<string, VersionedToken>();
  private readonly locks = new Map<string, Promise<void>>();

  async get(key: string): Promise<VersionedToken | undefined> {
    return this.entries.get(key);
  }

  async compareAndSet(key: string, token: StoredToken, expectedVersion: number): Promise<number | undefined> {
    const current = this.entries.get(key)?.version ?? 0;
    if (current !== expectedVersion) return undefined;
    const version = current + 1;
    this.entries.set(key, { token: { ...token }, version });
    return version;
  }

  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    // Wait for the previous holder, or for its lease to run out if it never finishes.
    while (this.locks.has(key)) {
      const held = this.locks.get(key)!;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (this.locks.get(key) === held) this.locks.delete(key);
          resolve();
        }, ttlMs);
        timer.unref();
      });
      await Promise.race([held, expired]);
      clearTimeout(timer);
    }
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.locks.set(key, mine);
    try {
      return await fn();
    } finally {
      if (this.locks.get(key) === mine) this.locks.delete(key);
      release();
    }
  }
}
