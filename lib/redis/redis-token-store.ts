import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { InMemoryTokenStore } from '../client/in-memory-token-store.js';
import type { StoredToken, TokenStore, VersionedToken } from '../client/token-store.interface.js';
import { OutageNotice } from './outage-notice.js';
import { RedisConnection, type RedisStoreOptions } from './redis-connection.js';

export interface RedisTokenStoreOptions extends RedisStoreOptions {
  /**
   * What to do while Redis cannot be reached. 'fail' (default): outgoing calls fail with
   * TokenStoreUnavailableError. 'per-process': this process keeps its own tokens in memory until
   * Redis is back — calls go on, but replicas may then knock each other's tokens out.
   */
  whenUnavailable?: 'fail' | 'per-process';
  /** How often a replica waiting for another's lock looks again (default 25 ms). */
  lockPollMs?: number;
  /**
   * How long a renewal lock lasts if its holder dies without releasing it: the longest the other
   * replicas wait before one takes over. Default: what the client asks for, 4 × http.timeoutMs +
   * 2 × http.maxRetryAfterMs + 5 s (a refresh and a login in a row). Shorter than a real renewal
   * can take, two replicas may renew at once.
   */
  lockLeaseMs?: number;
}

// Writes only over the expected version. The new version is max(old + 1, now in ms): it keeps
// growing even after Redis lost its data, so nothing ever looks older than what a replica saw.
const COMPARE_AND_SET = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if cur ~= tonumber(ARGV[1]) then return false end
local nxt = math.max(cur + 1, tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'v', nxt, 't', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return nxt`;

// Release only a lock we still own: after our lease ran out, another replica may hold it.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Keep a token record a day past the last moment it could be used, then let Redis drop it. */
const KEEP_AFTER_MS = 86_400_000;

/**
 * TokenStore shared by every replica through Redis: the token with a version, compare-and-set
 * in one script, and a per-credential lock (`<key>:lock`, value `<pid>:<random>`, expiring after
 * the lease) that only its owner releases.
 */
export class RedisTokenStore implements TokenStore {
  private readonly redis: RedisConnection;
  private readonly fallback: InMemoryTokenStore | undefined;
  private readonly pollMs: number;
  private readonly leaseMs: number | undefined;
  private readonly outage = new OutageNotice(new Logger(RedisTokenStore.name), {
    meanwhile: 'keeping tokens in this process until it is back (whenUnavailable: per-process)',
    again: 'tokens are shared across replicas again',
  });

  constructor(options: RedisTokenStoreOptions) {
    const mode = options?.whenUnavailable ?? 'fail';
    if (mode !== 'fail' && mode !== 'per-process') throw new TypeError("RedisTokenStore: whenUnavailable must be 'fail' or 'per-process'");
    this.pollMs = options?.lockPollMs ?? 25;
    if (!(Number.isFinite(this.pollMs) && this.pollMs >= 1)) throw new TypeError('RedisTokenStore: lockPollMs must be a positive number');
    this.leaseMs = options?.lockLeaseMs;
    if (this.leaseMs !== undefined && !(Number.isFinite(this.leaseMs) && this.leaseMs >= 100)) {
      throw new TypeError('RedisTokenStore: lockLeaseMs must be at least 100 ms');
    }
    // Last: it opens a connection.
    this.redis = new RedisConnection(options, RedisTokenStore.name);
    this.fallback = mode === 'per-process' ? new InMemoryTokenStore() : undefined;
  }

  get(key: string): Promise<VersionedToken | undefined> {
    return this.guarded(
      async () => {
        const [v, t] = await this.redis.send<(string | null)[]>(['HMGET', this.redis.key(key), 'v', 't']);
        if (v === null || t === null) return undefined;
        return { version: Number(v), token: JSON.parse(t) as StoredToken };
      },
      (f) => f.get(key),
    );
  }

  compareAndSet(key: string, token: StoredToken, expectedVersion: number): Promise<number | undefined> {
    return this.guarded(
      async () => {
        const lastUse = Math.max(token.expiresAt, token.refreshExpiresAt ?? 0);
        const ttl = Math.max(lastUse - Date.now(), 0) + KEEP_AFTER_MS;
        const v = await this.redis.eval<number | null>(
          COMPARE_AND_SET,
          [this.redis.key(key)],
          [expectedVersion, JSON.stringify(token), Date.now(), Math.ceil(ttl)],
        );
        return v === null ? undefined : Number(v);
      },
      (f) => f.compareAndSet(key, token, expectedVersion),
    );
  }

  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const lockKey = `${this.redis.key(key)}:lock`;
    const owner = `${process.pid}:${randomBytes(12).toString('hex')}`;
    try {
      await this.acquire(lockKey, owner, this.leaseMs ?? ttlMs);
    } catch (error) {
      if (!this.fallback) throw error;
      this.outage.failed(error);
      return this.fallback.withLock(key, this.leaseMs ?? ttlMs, fn);
    }
    try {
      return await fn();
    } finally {
      // If Redis is gone the lock simply expires with its lease.
      await this.redis.eval(RELEASE, [lockKey], [owner]).catch(() => undefined);
    }
  }

  /** False while the connection is down (the clients then ask the store, and report its failure). */
  isAvailable(): boolean {
    return this.redis.client.isReady;
  }

  /** Closes the client the store created from `url` (the module calls this at app shutdown). */
  close(): Promise<void> {
    return this.redis.close();
  }

  /** Take the lock, waiting while another replica holds it (until it releases or its lease runs out). */
  private async acquire(lockKey: string, owner: string, ttlMs: number): Promise<void> {
    const px = String(Math.max(1, Math.ceil(ttlMs)));
    for (;;) {
      if ((await this.redis.send<string | null>(['SET', lockKey, owner, 'NX', 'PX', px])) === 'OK') {
        this.outage.answered();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private async guarded<T>(primary: () => Promise<T>, viaFallback: (f: InMemoryTokenStore) => Promise<T>): Promise<T> {
    try {
      const result = await primary();
      this.outage.answered();
      return result;
    } catch (error) {
      if (!this.fallback) throw error;
      this.outage.failed(error);
      return viaFallback(this.fallback);
    }
  }
}
